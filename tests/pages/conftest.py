"""The page tests' app: the tests' settings, with room for a busy machine, where a first
statement of each kind may be slow to plan while other suites run."""

from __future__ import annotations

import pytest

from kesher.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"request_deadline_seconds": 60.0, "cypher_timeout_seconds": 60.0}
    )
