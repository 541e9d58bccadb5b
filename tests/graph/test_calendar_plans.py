"""The calendar statement: its plan on a seeded graph reads the users' buckets, never the
activities by label or by time index."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, LiteralString, cast

import pytest
from neo4j import Driver

from kesher.graph.calendar import Window, lanes
from kesher.graph.calendar_buckets import FILE
from kesher.graph.driver import Graph, Params, Row
from kesher.graph.model import ACTIVITY, USER
from kesher.graph.shapes import Shape
from kesher.graph.visibility import Audience
from tests.graph.test_activity_plans import seed as seed_activities
from tests.graph.test_relation_map import assert_seeks_and_no_scans, plan_of

pytestmark = pytest.mark.anyio


def seed(driver: Driver) -> None:
    """20 users, each owning 150 activities a day apart over five months, filed."""
    seed_activities(driver, apart_seconds=4320, then="WITH a" + FILE)


class Recorder:
    """Stands for the graph: keeps the statement it is asked to run."""

    relation_keys: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.sent: list[tuple[LiteralString, Params]] = []

    async def rows(self, text: LiteralString, params: Params) -> list[Row]:
        self.sent.append((text, params))
        return []


async def calendar_statement(audience: Audience) -> tuple[str, dict[str, Any]]:
    recorder = Recorder()
    await lanes(
        cast("Graph", recorder),
        audience,
        [f"usr_{i}" for i in range(1, 11)],
        Window(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
        Shape(ACTIVITY, frozenset({"subject", "starts_at", "ends_at"})),
        1000,
        Shape(USER, frozenset({"name"})),
    )
    text, params = recorder.sent[0]
    return text, dict(params)


@pytest.mark.parametrize("admin", [True, False])
async def test_a_calendar_seeks_each_users_month_buckets(clean_db: Driver, admin: bool) -> None:
    # given
    seed(clean_db)

    # when
    plan = plan_of(clean_db, *await calendar_statement(Audience("usr_1", admin)))

    # then
    assert_seeks_and_no_scans(plan)
    assert any(
        operator == "NodeUniqueIndexSeek" and "CalendarMonth" in details
        for operator, details in plan
    ), plan
    assert not any(
        operator.startswith("NodeIndex") and "Activity" in details for operator, details in plan
    ), plan
