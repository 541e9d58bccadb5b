"""Calls logged on a record's card, through the API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.app import create_app
from kesher.graph.events import Event, RecordChanged
from kesher.settings import Settings
from tests.conftest import Person, gql
from tests.resolvers.relationships_support import ARCHIVE_CUSTOMER, project, snapshot
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

LOG_CALL = """
mutation LogCall($recordId: ID!, $callType: CallType!, $outcome: CallOutcome!,
                 $summary: String!, $at: DateTime, $durationSeconds: Int) {
  logCall(recordId: $recordId, callType: $callType, outcome: $outcome, summary: $summary,
          at: $at, durationSeconds: $durationSeconds) {
    __typename
    ... on CallLogSuccess {
      callLog { id callType outcome summary at durationSeconds createdAt by { id name } }
    }
    ... on MutationError { code field message }
  }
}
"""

# `%s` is the card's root field: customer, contact, project or activity.
CARD_CALLS = """
query Card($id: ID!) {
  %s(id: $id) {
    callLogs(first: 10) {
      totalCount
      edges { node { id callType outcome summary at durationSeconds createdAt by { id name } } }
    }
  }
}
"""


@pytest.fixture
async def watched(
    settings: Settings, clean_db: Driver
) -> AsyncIterator[tuple[httpx.AsyncClient, list[Event]]]:
    """The app, and the events its writes publish after they commit."""
    app = create_app(settings)
    events: list[Event] = []

    async def published(emitted: list[Event]) -> None:
        events.extend(emitted)

    async with app.router.lifespan_context(app):
        app.state.graph.on_commit = published
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http, events


async def log_call(
    client: httpx.AsyncClient, person: Person, record_id: str, **fields: Any
) -> dict[str, Any]:
    variables = {
        "recordId": record_id,
        "callType": "OUTGOING",
        "outcome": "CONNECTED",
        "summary": "Agreed on the renewal",
        **fields,
    }
    answer = await gql(client, LOG_CALL, variables, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["logCall"]
    return payload


@pytest.mark.parametrize("kind", ["customer", "contact", "project", "activity"])
async def test_a_call_is_logged_on_the_card(
    watched: tuple[httpx.AsyncClient, list[Event]], admin: Person, member: Person, kind: str
) -> None:
    # given
    client, events = watched
    w = await world(client, admin, member)
    record = {
        "customer": w["acme"],
        "contact": w["dana"],
        "project": await project(client, member, w["acme"], "Roll-out"),
        "activity": (await create(client, member, meeting(w, member)))["activity"]["id"],
    }[kind]
    events.clear()

    # when
    payload = await log_call(
        client,
        member,
        record,
        callType="INCOMING",
        outcome="NO_ANSWER",
        at="2026-11-01T10:00:00+02:00",
        durationSeconds=0,
    )

    # then
    assert payload["__typename"] == "CallLogSuccess", payload
    call = payload["callLog"]
    assert re.fullmatch(r"cal_[0-9a-f]{24}", call["id"])
    assert (call["callType"], call["outcome"], call["summary"]) == (
        "INCOMING",
        "NO_ANSWER",
        "Agreed on the renewal",
    )
    assert (call["at"], call["durationSeconds"]) == ("2026-11-01T08:00:00+00:00", 0)
    assert call["by"] == {"id": member.id, "name": "Moshe Member"}
    answer = await gql(client, CARD_CALLS % kind, {"id": record}, member)
    assert answer["data"][kind]["callLogs"] == {"totalCount": 1, "edges": [{"node": call}]}
    [event] = events
    assert isinstance(event, RecordChanged)
    assert (event.record_id, event.action, event.actor_id) == (record, "CALL_LOGGED", member.id)
    assert event.summary == "Incoming call, no answer: Agreed on the renewal"


async def test_a_call_is_at_now_unless_told_and_the_card_lists_the_newest_first(
    watched: tuple[httpx.AsyncClient, list[Event]], admin: Person, member: Person
) -> None:
    # given
    client, _ = watched
    w = await world(client, admin, member)
    earlier = await log_call(client, member, w["acme"], at="2026-01-01T09:00:00Z")
    before = datetime.now(UTC)

    # when
    now = await log_call(client, member, w["acme"], summary="Left a message")
    after = datetime.now(UTC)

    # then
    logged = datetime.fromisoformat(now["callLog"]["at"])
    assert before - timedelta(seconds=1) <= logged <= after + timedelta(seconds=1)
    assert now["callLog"]["durationSeconds"] is None
    answer = await gql(client, CARD_CALLS % "customer", {"id": w["acme"]}, member)
    edges = answer["data"]["customer"]["callLogs"]["edges"]
    assert [edge["node"]["id"] for edge in edges] == [
        now["callLog"]["id"],
        earlier["callLog"]["id"],
    ]


@pytest.mark.parametrize(
    ("case", "code", "field"),
    [
        ("unknown record", "NOT_FOUND", "recordId"),
        ("archived record", "ARCHIVED", "recordId"),
        ("closed activity", "CLOSED", "recordId"),
        ("blank summary", "INVALID_INPUT", "summary"),
        ("summary too long", "INVALID_INPUT", "summary"),
        ("more than 5 minutes ahead", "INVALID_INPUT", "at"),
        ("negative duration", "INVALID_INPUT", "durationSeconds"),
        ("over a day long", "INVALID_INPUT", "durationSeconds"),
    ],
)
async def test_a_refused_call_changes_nothing(
    watched: tuple[httpx.AsyncClient, list[Event]],
    admin: Person,
    member: Person,
    manager: Person,
    clean_db: Driver,
    case: str,
    code: str,
    field: str,
) -> None:
    # given
    client, events = watched
    w = await world(client, admin, member)
    closed = (await create(client, member, meeting(w, member)))["activity"]["id"]
    await gql(client, CLOSE, {"id": closed}, member)
    await gql(client, ARCHIVE_CUSTOMER, {"id": w["gamma"]}, manager)
    ahead = (datetime.now(UTC) + timedelta(minutes=6)).isoformat()
    cases: dict[str, tuple[str, dict[str, Any]]] = {
        "unknown record": ("cus_000000000000000000000000", {}),
        "archived record": (w["gamma"], {}),
        "closed activity": (closed, {}),
        "blank summary": (w["acme"], {"summary": " \n "}),
        "summary too long": (w["acme"], {"summary": "x" * 10_001}),
        "more than 5 minutes ahead": (w["acme"], {"at": ahead}),
        "negative duration": (w["acme"], {"durationSeconds": -1}),
        "over a day long": (w["acme"], {"durationSeconds": 86_401}),
    }
    record, fields = cases[case]
    before = snapshot(clean_db)
    events.clear()

    # when
    payload = await log_call(client, member, record, **fields)

    # then
    assert payload["__typename"] == "MutationError", payload
    assert (payload["code"], payload["field"]) == (code, field), payload
    assert snapshot(clean_db) == before
    assert events == []


async def test_the_longest_summary_and_duration_are_taken(
    watched: tuple[httpx.AsyncClient, list[Event]], admin: Person, member: Person
) -> None:
    client, _ = watched
    w = await world(client, admin, member)

    payload = await log_call(
        client, member, w["acme"], summary="x" * 10_000, durationSeconds=86_400
    )

    assert payload["__typename"] == "CallLogSuccess", payload
    assert (len(payload["callLog"]["summary"]), payload["callLog"]["durationSeconds"]) == (
        10_000,
        86_400,
    )
