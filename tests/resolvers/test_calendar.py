"""Calendars and free/busy: overlap, lanes and who may see whose calendar."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.resolvers.context import Role
from tests.conftest import CypherCalls, Person, gql, make_user
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

CALENDAR = """
query Calendar($users: [ID!]!, $from: DateTime!, $to: DateTime!) {
  calendar(userIds: $users, from: $from, to: $to) {
    user { id name }
    occurrences { startsAt activity { subject startsAt owner { name } customer { name } } }
    truncated
  }
}
"""

FREE_BUSY = """
query FreeBusy($users: [ID!]!, $from: DateTime!, $to: DateTime!) {
  freeBusy(userIds: $users, from: $from, to: $to) { user { id } busy { start end } }
}
"""

SHARE = """
mutation Share($users: [ID!]!) { shareCalendar(userIds: $users) { __typename } }
"""

MANAGE = """
mutation Manage($manager: ID!, $users: [ID!]!) {
  manageUsers(managerId: $manager, userIds: $users) { __typename }
}
"""

MARCH = {"from": "2026-03-02T00:00:00Z", "to": "2026-03-09T00:00:00Z"}


async def calendar(client: httpx.AsyncClient, person: Person, users: list[str]) -> dict[str, Any]:
    return await gql(client, CALENDAR, {"users": users, **MARCH}, person)


async def test_lanes_hold_each_users_activities_overlapping_the_window(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given
    w = await world(client, admin, member)
    colleague = make_user(clean_db, name="Colleague")
    for subject, start, end, extra in (
        ("Ends at the start", "2026-03-01T22:00:00Z", "2026-03-02T00:00:00Z", {}),
        ("Spans the week", "2026-02-25T00:00:00Z", "2026-03-20T00:00:00Z", {}),
        (
            "Monday",
            "2026-03-02T08:00:00Z",
            "2026-03-02T09:00:00Z",
            {"participantIds": [colleague.id]},
        ),
        ("Starts at the end", "2026-03-09T00:00:00Z", "2026-03-09T01:00:00Z", {}),
        ("Colleague's", "2026-03-03T08:00:00Z", "2026-03-03T09:00:00Z", {"ownerId": colleague.id}),
        ("Closed", "2026-03-04T08:00:00Z", "2026-03-04T09:00:00Z", {}),
    ):
        fields = meeting(w, member, subject=subject, startsAt=start, endsAt=end, **extra)
        created = (await create(client, member, fields))["activity"]
    await gql(client, CLOSE, {"id": created["id"]}, member)

    # when
    cypher_calls.count = 0
    answer = await calendar(client, admin, [colleague.id, member.id])

    # then
    assert cypher_calls.count == 1
    lanes = answer["data"]["calendar"]
    assert [lane["user"]["id"] for lane in lanes] == [colleague.id, member.id]
    assert [o["activity"]["subject"] for o in lanes[0]["occurrences"]] == ["Monday", "Colleague's"]
    assert [o["activity"]["subject"] for o in lanes[1]["occurrences"]] == [
        "Spans the week",
        "Monday",
    ]
    assert lanes[1]["occurrences"][1]["activity"]["customer"]["name"] == "Acme"
    assert lanes[1]["truncated"] is False


async def test_who_may_see_whose_calendar(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    boss = make_user(clean_db, Role.MANAGER, name="Boss")
    other = make_user(clean_db, name="Other")

    def refused(answer: dict[str, Any]) -> tuple[str, str]:
        extensions = answer["errors"][0]["extensions"]
        return extensions["code"], extensions["field"]

    # then: one's own, yes; another's, a clear error rather than a missing lane
    assert "errors" not in await calendar(client, member, [member.id])
    assert refused(await calendar(client, member, [member.id, other.id])) == (
        "FORBIDDEN",
        "userIds",
    )
    assert refused(await calendar(client, member, ["usr_unknown"])) == ("NOT_FOUND", "userIds")

    # shared with them, yes
    await gql(client, SHARE, {"users": [member.id]}, other)
    assert "errors" not in await calendar(client, member, [other.id])

    # a manager sees those they manage, and an admin everyone
    assert refused(await calendar(client, boss, [member.id])) == ("FORBIDDEN", "userIds")
    await gql(client, MANAGE, {"manager": boss.id, "users": [member.id]}, admin)
    assert "errors" not in await calendar(client, boss, [member.id])
    assert "errors" not in await calendar(client, admin, [member.id, other.id, boss.id])


async def test_free_busy_merges_intervals_without_details(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    w = await world(client, admin, member)
    other = make_user(clean_db, name="Other")
    for start, end in (
        ("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
        ("2026-03-02T08:30:00Z", "2026-03-02T10:00:00Z"),
        ("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"),
        ("2026-03-03T08:00:00Z", "2026-03-03T09:00:00Z"),
    ):
        await create(client, member, meeting(w, other, startsAt=start, endsAt=end))
    answer = await gql(client, FREE_BUSY, {"users": [other.id], **MARCH}, member)
    assert answer["data"]["freeBusy"] == [
        {
            "user": {"id": other.id},
            "busy": [
                {"start": "2026-03-02T08:00:00+00:00", "end": "2026-03-02T11:00:00+00:00"},
                {"start": "2026-03-03T08:00:00+00:00", "end": "2026-03-03T09:00:00+00:00"},
            ],
        }
    ]
