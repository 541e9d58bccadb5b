"""The activity list: filters, search, period overlap and paging, through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql, make_user
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

LIST = """
query List($filter: ActivityFilter, $search: String, $closed: Boolean!, $order: ActivityOrder!,
           $first: Int, $after: String) {
  activities(filter: $filter, search: $search, includeClosed: $closed, orderBy: $order,
             first: $first, after: $after) {
    totalCount
    edges { node { subject owner { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def subjects(
    client: httpx.AsyncClient,
    person: Person,
    filter: dict[str, Any] | None = None,
    search: str | None = None,
    closed: bool = False,
    order: str = "STARTS_AT_ASC",
) -> list[str]:
    answer = await gql(
        client,
        LIST,
        {"filter": filter, "search": search, "closed": closed, "order": order, "first": 50},
        person,
    )
    assert "errors" not in answer, answer
    return [edge["node"]["subject"] for edge in answer["data"]["activities"]["edges"]]


async def test_the_list_filters_searches_and_pages(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given
    w = await world(client, admin, member)
    other = make_user(clean_db, name="Other")
    made = {}
    for subject, start, end, extra in (
        ("Morning", "2026-03-01T08:00:00Z", "2026-03-01T09:00:00Z", {}),
        ("Ends at nine", "2026-03-01T07:00:00Z", "2026-03-01T09:00:00Z", {"ownerId": other.id}),
        ("Spans the week", "2026-02-20T00:00:00Z", "2026-03-20T00:00:00Z", {}),
        ("פגישת תכנון", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", {"customerId": w["beta"]}),
        ("Call back", "2026-03-01T12:00:00Z", None, {"kind": "CALL", "participantIds": [other.id]}),
    ):
        fields = meeting(w, member, subject=subject, startsAt=start, endsAt=end, **extra)
        made[subject] = (await create(client, member, fields))["activity"]["id"]
    await gql(client, CLOSE, {"id": made["Morning"]}, member)

    # then (read by an ADMIN, who sees the other user's activity too): closed ones leave
    # the list unless asked for
    everything = ["Spans the week", "Ends at nine", "פגישת תכנון", "Call back"]
    assert await subjects(client, admin) == everything
    assert await subjects(client, admin, closed=True) == [
        "Spans the week",
        "Ends at nine",
        "Morning",
        "פגישת תכנון",
        "Call back",
    ]
    assert await subjects(client, admin, order="STARTS_AT_DESC") == list(reversed(everything))

    # a period: ending exactly at its start is out; spanning it is in
    window = {"from": "2026-03-01T09:00:00Z", "to": "2026-03-01T12:00:00Z"}
    assert await subjects(client, admin, window) == ["Spans the week", "פגישת תכנון"]

    # owner, participant, customer, kind, type and status
    assert await subjects(client, admin, {"ownerIds": [other.id]}) == ["Ends at nine"]
    assert await subjects(client, admin, {"participantIds": [other.id]}) == ["Call back"]
    assert await subjects(client, admin, {"customerIds": [w["beta"]]}) == ["פגישת תכנון"]
    assert await subjects(client, admin, {"kinds": ["CALL"]}) == ["Call back"]
    assert await subjects(client, admin, {"typeIds": [w["type"]]}) == everything
    assert await subjects(client, admin, {"statusIds": ["ast_unknown"]}) == []

    # full-text search in Hebrew and English
    assert await subjects(client, admin, search="תכנ") == ["פגישת תכנון"]
    assert await subjects(client, admin, search="call") == ["Call back"]

    # one statement per page, through every page
    cypher_calls.count = 0
    seen: list[str] = []
    after = None
    while True:
        answer = await gql(
            client,
            LIST,
            {"closed": True, "order": "STARTS_AT_ASC", "first": 2, "after": after},
            admin,
        )
        page = answer["data"]["activities"]
        seen += [edge["node"]["subject"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert cypher_calls.count == 3
    assert len(seen) == 5
    assert len(set(seen)) == 5


STATUSES = """
mutation {
  done: defineActivityStatus(input: {name: "Done", colour: "#00AA00", category: DONE}) {
    ... on ActivityStatusSuccess { activityStatus { id } }
  }
  cancelled: defineActivityStatus(
    input: {name: "Dropped", colour: "#777777", category: CANCELLED}
  ) {
    ... on ActivityStatusSuccess { activityStatus { id } }
  }
}
"""
STATES = """
query States($filter: ActivityFilter) {
  activities(filter: $filter, orderBy: STARTS_AT_ASC, first: 50) {
    edges { node { subject state } }
  }
}
"""
MARK_DONE = """
mutation Done($id: ID!, $status: ID!) {
  updateActivity(id: $id, input: {statusId: $status}) {
    ... on ActivitySuccess { activity { state } }
  }
}
"""


async def test_the_state_follows_the_status_and_the_time_and_filters_the_list(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    w = await world(client, admin, member)
    statuses = (await gql(client, STATUSES, person=admin))["data"]
    done = statuses["done"]["activityStatus"]["id"]
    cancelled = statuses["cancelled"]["activityStatus"]["id"]
    now = datetime.now(UTC)
    made = {}
    for subject, due, status in (
        ("Just overdue", now - timedelta(seconds=2), w["status"]),
        ("Due soon", now + timedelta(minutes=5), w["status"]),
        ("Finished", now - timedelta(days=1), done),
        ("Dropped", now + timedelta(days=1), cancelled),
    ):
        fields = meeting(w, member, subject=subject, kind="TASK", statusId=status)
        del fields["startsAt"], fields["endsAt"]
        fields["dueAt"] = due.isoformat()
        made[subject] = (await create(client, member, fields))["activity"]["id"]

    # when
    def states(answer: dict[str, Any]) -> dict[str, str]:
        assert "errors" not in answer, answer
        edges = answer["data"]["activities"]["edges"]
        return {edge["node"]["subject"]: edge["node"]["state"] for edge in edges}

    every = states(await gql(client, STATES, {"filter": None}, member))
    late = states(await gql(client, STATES, {"filter": {"states": ["LATE"]}}, member))
    settled = {"states": ["DONE", "CANCELLED"]}
    finished = states(await gql(client, STATES, {"filter": settled}, member))
    marked = await gql(client, MARK_DONE, {"id": made["Just overdue"], "status": done}, member)

    # then
    assert every == {
        "Just overdue": "LATE",
        "Due soon": "PENDING",
        "Finished": "DONE",
        "Dropped": "CANCELLED",
    }
    assert late == {"Just overdue": "LATE"}
    assert finished == {"Finished": "DONE", "Dropped": "CANCELLED"}
    assert marked["data"]["updateActivity"]["activity"]["state"] == "DONE"
