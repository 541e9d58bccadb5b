"""Every test here runs twice: with queries answered as prepared queries, and the full way
through Strawberry (`compiled_queries`), which must give the same answers and errors."""

from __future__ import annotations

import pytest

from kesher.settings import Settings


@pytest.fixture(params=[True, False], ids=["prepared", "full"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    return settings.model_copy(update={"compiled_queries": request.param})
