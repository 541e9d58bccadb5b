"""Recurrence rules cannot tie the service up: rules that repeat more often than daily or
that never happen are refused, and the expansion of any stored rule is bounded and runs
off the event loop."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import Person, gql
from tests.resolvers.relationships_support import snapshot
from tests.resolvers.test_activities import UPDATE, create, meeting, world

pytestmark = pytest.mark.anyio

CALENDAR = """
query Calendar($users: [ID!]!, $from: DateTime!, $to: DateTime!) {
  calendar(userIds: $users, from: $from, to: $to) {
    truncated
    occurrences { startsAt activity { id } }
  }
}
"""

OCCURRENCE = "query Occurrence($id: ID!) { node(id: $id) { id } }"

WEEK = {"from": "2026-03-01T00:00:00Z", "to": "2026-03-08T00:00:00Z"}


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=MINUTELY;COUNT=10", "at most daily"),
        ("FREQ=SECONDLY;COUNT=2;BYMONTH=2;BYMONTHDAY=30", "at most daily"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "no occurrence"),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "no occurrence"),
        ("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;BYSETPOS=5", "no occurrence"),
        ("FREQ=DAILY;COUNT=1000;BYMONTH=2;BYMONTHDAY=29", "too far apart"),
    ],
)
async def test_a_rule_too_frequent_or_that_never_happens_is_refused_at_once(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    rule: str,
    reason: str,
) -> None:
    # given
    w = await world(client, admin, member)
    before = snapshot(clean_db)

    # when
    began = time.monotonic()
    refused = await create(client, member, meeting(w, member, recurrence=rule))
    took = time.monotonic() - began

    # then
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "recurrence")
    assert reason in refused["message"]
    assert took < 3.0  # a bounded search; the unbounded one took 5 to 10 s
    assert snapshot(clean_db) == before


async def test_changing_a_series_to_repeat_hourly_is_refused(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    created = await create(client, member, meeting(w, member, recurrence="FREQ=DAILY"))
    before = snapshot(clean_db)

    # when
    variables = {"id": created["activity"]["id"], "input": {"recurrence": "FREQ=HOURLY"}}
    answer = await gql(client, UPDATE, variables, member)

    # then
    refused = answer["data"]["updateActivity"]
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "recurrence")
    assert snapshot(clean_db) == before


async def _stored(
    client: httpx.AsyncClient, clean_db: Driver, member: Person, w: dict[str, str], rule: str
) -> str:
    """A series whose rule was stored before such rules were refused."""
    created = await create(client, member, meeting(w, member, recurrence="FREQ=DAILY"))
    activity_id: str = created["activity"]["id"]
    clean_db.execute_query(
        "MATCH (a:Activity {id: $id}) SET a.recurrence = $rule, a.recurrenceEndsAt = null",
        id=activity_id,
        rule=rule,
        database_="neo4j",
    )
    return activity_id


async def _timed(client: httpx.AsyncClient, path: str) -> float:
    began = time.monotonic()
    response = await client.get(path)
    assert response.status_code == 200
    return time.monotonic() - began


async def test_stored_bad_rules_are_expanded_within_bounds_without_blocking_others(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given an endless secondly series and one that can never happen, stored earlier
    w = await world(client, admin, member)
    secondly = await _stored(client, clean_db, member, w, "FREQ=SECONDLY")
    await _stored(client, clean_db, member, w, "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30")

    # when a week of the calendar is read while another client asks for /healthz
    async def health_checks() -> list[float]:
        took = []
        for _ in range(5):
            took.append(await _timed(client, "/healthz"))
            await asyncio.sleep(0.01)
        return took

    began = time.monotonic()
    answer, health = await asyncio.gather(
        gql(client, CALENDAR, {"users": [member.id], **WEEK}, member), health_checks()
    )
    took = time.monotonic() - began

    # then the calendar answers at once, cut to its cap and saying so
    assert "errors" not in answer, answer
    lane: dict[str, Any] = answer["data"]["calendar"][0]
    assert lane["truncated"] is True
    assert {o["activity"]["id"] for o in lane["occurrences"]} == {secondly}
    assert len(lane["occurrences"]) == 1000
    assert took < 5.0  # unbounded, the never-happening rule alone took about 10 s
    # and the other client was never held up behind it
    assert max(health) < 1.0

    # and an occurrence of it far in the future is found by its id without a long search
    occurrence = f"occ_{secondly}_99990101T000000Z"
    began = time.monotonic()
    found = await gql(client, OCCURRENCE, {"id": occurrence}, member)
    assert found["data"]["node"] == {"id": occurrence}
    assert time.monotonic() - began < 3.0
