"""Notes with @mentions, and the notifications they send, through the API."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.resolvers.context import Role
from kesher.resolvers.notes import mentioned
from tests.conftest import CypherCalls, Person, gql, make_user
from tests.resolvers.relationships_support import customer, snapshot
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

ADD_NOTE = """
mutation AddNote($recordId: ID!, $text: String!) {
  addNote(recordId: $recordId, text: $text) {
    __typename
    ... on NoteSuccess {
      note {
        id text createdAt recordId
        author { id name }
        mentions { edges { node { id } } }
      }
    }
    ... on MutationError { code field message }
  }
}
"""

NOTIFICATIONS = """
query Notifications($unreadOnly: Boolean, $first: Int, $after: String) {
  notifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
    edges { node { id kind summary createdAt readAt note { id text author { id } } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

MARK_READ = """
mutation MarkRead($ids: [ID!]) {
  markNotificationsRead(ids: $ids) {
    __typename
    ... on MarkReadSuccess { marked }
    ... on MutationError { code field }
  }
}
"""

CARD_NOTES = """
query Card($id: ID!) {
  customer(id: $id) {
    notes(first: 10) { edges { node { text author { name } } } }
  }
}
"""


def with_handle(driver: Driver, person: Person, handle: str) -> Person:
    driver.execute_query(
        "MATCH (u:User {id: $id}) SET u.handle = $handle", id=person.id, handle=handle
    )
    return person


async def add_note(
    client: httpx.AsyncClient, person: Person, record_id: str, text: str
) -> dict[str, Any]:
    answer = await gql(client, ADD_NOTE, {"recordId": record_id, "text": text}, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["addNote"]
    return payload


async def notifications_of(
    client: httpx.AsyncClient, person: Person, **variables: Any
) -> list[dict[str, Any]]:
    answer = await gql(client, NOTIFICATIONS, variables, person)
    assert "errors" not in answer, answer
    return [edge["node"] for edge in answer["data"]["notifications"]["edges"]]


def notified(driver: Driver) -> list[str]:
    records, _, _ = driver.execute_query(
        "MATCH (:Notification)-[:NOTIFIES]->(u:User) RETURN u.id AS id ORDER BY id"
    )
    return [record["id"] for record in records]


def test_mentions_are_handles_and_addresses_each_once() -> None:
    text = "Ask @Dana.Levi, then @dana.levi and @eli@example.com. Mail x@y.com; @@; @ alone"
    assert mentioned(text) == ["dana.levi", "eli@example.com"]


async def test_mentions_notify_exactly_the_mentioned_users(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    # given
    author = with_handle(clean_db, member, "moshe")
    dana = with_handle(clean_db, make_user(clean_db, name="Dana Levi"), "dana.levi")
    eli = make_user(clean_db, name="Eli Cohen")
    gone = with_handle(clean_db, make_user(clean_db, active=False), "gone")
    bystander = with_handle(clean_db, make_user(clean_db), "bystander")
    acme = await customer(client, member, "Acme Ltd")
    text = (
        f"@dana.levi and @{eli.email.upper()} please look; @nobody.here, @gone, "
        "@moshe (me) and @Dana.Levi again."
    )

    # when
    payload = await add_note(client, author, acme, text)

    # then
    assert payload["__typename"] == "NoteSuccess", payload
    note = payload["note"]
    assert re.fullmatch(r"not_[0-9a-f]{24}", note["id"])
    assert note["text"] == text
    assert note["recordId"] == acme
    assert note["author"] == {"id": author.id, "name": "Moshe Member"}
    mentions = {edge["node"]["id"] for edge in note["mentions"]["edges"]}
    assert mentions == {dana.id, eli.id, author.id}
    assert notified(clean_db) == sorted([dana.id, eli.id])
    # (the deactivated user may not sign in: the graph shows no notice reached them)
    assert gone.id not in notified(clean_db)
    for person in (bystander, author):
        assert await notifications_of(client, person) == []
    [told] = await notifications_of(client, dana)
    assert re.fullmatch(r"ntf_[0-9a-f]{24}", told["id"])
    assert told["kind"] == "MENTION"
    assert told["summary"] == "Moshe Member mentioned you on Acme Ltd"
    assert told["readAt"] is None
    assert told["note"] == {"id": note["id"], "text": text, "author": {"id": author.id}}


async def test_a_card_lists_its_notes_newest_first(
    client: httpx.AsyncClient, member: Person
) -> None:
    # given
    acme = await customer(client, member, "Acme Ltd")
    await add_note(client, member, acme, "first")
    await add_note(client, member, acme, "second")

    # when
    answer = await gql(client, CARD_NOTES, {"id": acme}, member)

    # then
    edges = answer["data"]["customer"]["notes"]["edges"]
    assert [edge["node"]["text"] for edge in edges] == ["second", "first"]
    assert edges[0]["node"]["author"] == {"name": "Moshe Member"}


async def test_notifications_are_the_users_own_newest_first_in_one_statement(
    client: httpx.AsyncClient, member: Person, clean_db: Driver, cypher_calls: CypherCalls
) -> None:
    # given
    dana = with_handle(clean_db, make_user(clean_db, name="Dana Levi"), "dana")
    eli = with_handle(clean_db, make_user(clean_db, name="Eli Cohen"), "eli")
    acme = await customer(client, member, "Acme Ltd")
    for text in ("one @dana", "two @dana @eli", "three @dana"):
        await add_note(client, member, acme, text)

    # when
    cypher_calls.count = 0
    first_page = await gql(client, NOTIFICATIONS, {"first": 2}, dana)
    calls = cypher_calls.count

    # then
    assert calls == 1
    page = first_page["data"]["notifications"]
    assert [edge["node"]["note"]["text"] for edge in page["edges"]] == [
        "three @dana",
        "two @dana @eli",
    ]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await notifications_of(client, dana, after=page["pageInfo"]["endCursor"])
    assert [node["note"]["text"] for node in rest] == ["one @dana"]
    assert [node["note"]["text"] for node in await notifications_of(client, eli)] == [
        "two @dana @eli"
    ]


async def test_mark_read_marks_the_given_notifications_then_all(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    # given
    dana = with_handle(clean_db, make_user(clean_db, name="Dana Levi"), "dana")
    acme = await customer(client, member, "Acme Ltd")
    for text in ("one @dana", "two @dana", "three @dana"):
        await add_note(client, member, acme, text)
    newest, *older = await notifications_of(client, dana)

    # when
    one = await gql(client, MARK_READ, {"ids": [newest["id"]]}, dana)

    # then
    assert one["data"]["markNotificationsRead"] == {"__typename": "MarkReadSuccess", "marked": 1}
    unread = await notifications_of(client, dana, unreadOnly=True)
    assert [node["id"] for node in unread] == [node["id"] for node in older]
    [marked] = [node for node in await notifications_of(client, dana) if node["readAt"]]
    assert marked["id"] == newest["id"]

    # when
    rest = await gql(client, MARK_READ, {}, dana)

    # then
    assert rest["data"]["markNotificationsRead"]["marked"] == 2
    assert await notifications_of(client, dana, unreadOnly=True) == []
    assert len(await notifications_of(client, dana)) == 3


async def test_someone_elses_notification_is_not_found_and_nothing_changes(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    # given
    dana = with_handle(clean_db, make_user(clean_db, name="Dana Levi"), "dana")
    eli = with_handle(clean_db, make_user(clean_db, name="Eli Cohen"), "eli")
    acme = await customer(client, member, "Acme Ltd")
    await add_note(client, member, acme, "@dana @eli")
    [danas] = await notifications_of(client, dana)
    [elis] = await notifications_of(client, eli)
    before = snapshot(clean_db)

    # when
    answer = await gql(client, MARK_READ, {"ids": [elis["id"], danas["id"]]}, dana)

    # then
    assert answer["data"]["markNotificationsRead"] == {
        "__typename": "MutationError",
        "code": "NOT_FOUND",
        "field": "ids",
    }
    assert snapshot(clean_db) == before


@pytest.mark.parametrize(
    ("case", "code", "field"),
    [
        ("unknown record", "NOT_FOUND", "recordId"),
        ("empty text", "INVALID_INPUT", "text"),
        ("too long", "INVALID_INPUT", "text"),
        ("closed activity", "CLOSED", "recordId"),
    ],
)
async def test_a_refused_note_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    case: str,
    code: str,
    field: str,
) -> None:
    # given
    with_handle(clean_db, make_user(clean_db, Role.MEMBER, name="Dana Levi"), "dana")
    w = await world(client, admin, member)
    activity = (await create(client, member, meeting(w, member)))["activity"]["id"]
    await gql(client, CLOSE, {"id": activity}, member)
    record, text = {
        "unknown record": ("cus_000000000000000000000000", "@dana hello"),
        "empty text": (w["acme"], "  "),
        "too long": (w["acme"], "@dana " + "x" * 10_000),
        "closed activity": (activity, "@dana hello"),
    }[case]
    before = snapshot(clean_db)

    # when
    payload = await add_note(client, member, record, text)

    # then
    assert payload["__typename"] == "MutationError"
    assert (payload["code"], payload["field"]) == (code, field)
    assert snapshot(clean_db) == before
