"""A record's stream: notes, tasks, activities, calls, e-mails, files and audit lines in one
list, newest first, filtered by kind, in one statement."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.test_activities import create, meeting, world
from tests.resolvers.test_attachments import PDF, upload
from tests.resolvers.test_board import move
from tests.resolvers.test_calls import LOG_CALL
from tests.resolvers.test_emails import LOG as LOG_EMAIL
from tests.resolvers.test_notes import ADD_NOTE

pytestmark = pytest.mark.anyio

MEMBER = "Moshe Member"

ENTRY = """
  id kind at summary
  by { name }
  note { text author { name } }
  activity { ref kind subject owner { name } }
  callLog { callType outcome durationSeconds by { name } }
  email { direction subject toAddresses }
  attachment { name size }
  auditLine { action before after actor { name } }
"""

CUSTOMER_STREAM = """
query Stream($id: ID!, $kinds: [StreamKind!], $first: Int, $after: String) {
  customer(id: $id) {
    name
    stream(kinds: $kinds, first: $first, after: $after) {
      totalCount
      edges { cursor node { ENTRY } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
""".replace("ENTRY", ENTRY)

CONTACT_STREAM = """
query Stream($id: ID!) {
  contact(id: $id) { stream { edges { node { kind summary } } } }
}
"""

ACTIVITY_STREAM = """
query Stream($id: ID!) {
  activity(id: $id) { stream { edges { node { kind summary } } } }
}
"""


def nodes(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in found["stream"]["edges"]]


async def note(client: httpx.AsyncClient, person: Person, record_id: str, text: str) -> None:
    answer = await gql(client, ADD_NOTE, {"recordId": record_id, "text": text}, person)
    assert answer["data"]["addNote"]["__typename"] == "NoteSuccess", answer


async def history(
    client: httpx.AsyncClient, clean_db: Driver, admin: Person, member: Person
) -> dict[str, str]:
    """A customer with one of everything: a meeting in March, a call in June, an e-mail in
    July, then today a note, a move on the board (an audit line) and a file, and a task
    due next month."""
    w = await world(client, admin, member)
    event = await create(client, member, meeting(w, member, subject="Kick-off"))
    task = await create(
        client,
        member,
        meeting(
            w,
            member,
            kind="TASK",
            subject="Send the offer",
            startsAt=None,
            endsAt=None,
            dueAt="2099-12-01T09:00:00Z",
        ),
    )
    call = {
        "recordId": w["acme"],
        "callType": "OUTGOING",
        "outcome": "CONNECTED",
        "summary": "Talked prices",
        "at": "2026-06-01T10:00:00Z",
        "durationSeconds": 300,
    }
    logged = await gql(client, LOG_CALL, call, member)
    assert logged["data"]["logCall"]["__typename"] == "CallLogSuccess", logged
    for record in (w["acme"], w["dana"]):
        mail = {
            "recordId": record,
            "direction": "INBOUND",
            "from": "dana@acme.example.com",
            "to": ["sales@kesher.example.com"],
            "subject": "Re: prices",
            "text": "Agreed.",
            "at": "2026-07-01T08:00:00Z",
        }
        logged = await gql(client, LOG_EMAIL, mail, member)
        assert logged["data"]["logEmail"]["__typename"] == "EmailSuccess", logged
    await note(client, member, w["acme"], "They want a discount")
    await move(client, member, w["acme"], "STATUS", "ACTIVE")
    await upload(client, member, w["acme"], PDF, name="offer.pdf")
    return {
        **w,
        "event": event["activity"]["id"],
        "task": task["activity"]["id"],
    }


async def test_the_stream_mixes_every_kind_newest_first(
    client: httpx.AsyncClient, clean_db: Driver, admin: Person, member: Person
) -> None:
    # given
    w = await history(client, clean_db, admin, member)

    # when
    answer = await gql(client, CUSTOMER_STREAM, {"id": w["acme"]}, member)

    # then
    assert "errors" not in answer, answer
    entries = nodes(answer["data"]["customer"])
    assert [e["kind"] for e in entries] == [
        "TASK",
        "ATTACHMENT",
        "AUDIT",
        "NOTE",
        "EMAIL",
        "CALL",
        "ACTIVITY",
    ]
    assert [e["summary"] for e in entries if e["kind"] != "AUDIT"] == [
        "Send the offer",
        "offer.pdf",
        "They want a discount",
        "Re: prices",
        "Talked prices",
        "Kick-off",
    ]
    assert answer["data"]["customer"]["stream"]["totalCount"] == 7
    by_kind = {e["kind"]: e for e in entries}
    assert by_kind["AUDIT"]["auditLine"]["action"] == "MOVED_ON_BOARD"
    assert by_kind["AUDIT"]["auditLine"]["after"] == "ACTIVE"
    assert by_kind["AUDIT"]["auditLine"]["actor"]["name"] == MEMBER
    assert by_kind["NOTE"]["note"]["author"]["name"] == MEMBER
    assert by_kind["TASK"]["activity"]["ref"].startswith("TS-")
    assert by_kind["ACTIVITY"]["activity"]["ref"].startswith("EV-")
    assert by_kind["CALL"]["callLog"] == {
        "callType": "OUTGOING",
        "outcome": "CONNECTED",
        "durationSeconds": 300,
        "by": {"name": MEMBER},
    }
    assert by_kind["EMAIL"]["email"]["direction"] == "INBOUND"
    assert by_kind["ATTACHMENT"]["attachment"] == {"name": "offer.pdf", "size": len(PDF)}
    # Each entry holds itself in its own field only, and each was made by the member.
    facets = ("note", "activity", "callLog", "email", "attachment", "auditLine")
    for entry in entries:
        assert [f for f in facets if entry[f] is not None] == [
            {
                "NOTE": "note",
                "TASK": "activity",
                "ACTIVITY": "activity",
                "CALL": "callLog",
                "EMAIL": "email",
                "ATTACHMENT": "attachment",
                "AUDIT": "auditLine",
            }[entry["kind"]]
        ]
        assert entry["by"] == {"name": MEMBER}
    times = [e["at"] for e in entries]
    assert entries[-1]["at"].startswith("2026-03-01T07:00:00")
    assert len(set(times)) == len(times)


async def test_kinds_filter_the_stream_and_its_count(
    client: httpx.AsyncClient, clean_db: Driver, admin: Person, member: Person
) -> None:
    # given
    w = await history(client, clean_db, admin, member)

    # when
    answer = await gql(
        client, CUSTOMER_STREAM, {"id": w["acme"], "kinds": ["NOTE", "CALL", "TASK"]}, member
    )
    none = await gql(client, CUSTOMER_STREAM, {"id": w["acme"], "kinds": []}, member)

    # then
    stream = answer["data"]["customer"]["stream"]
    assert [e["node"]["kind"] for e in stream["edges"]] == ["TASK", "NOTE", "CALL"]
    assert stream["totalCount"] == 3
    assert none["data"]["customer"]["stream"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_the_stream_pages_by_cursor_without_gaps_or_repeats(
    client: httpx.AsyncClient, clean_db: Driver, admin: Person, member: Person
) -> None:
    # given
    w = await history(client, clean_db, admin, member)
    whole = await gql(client, CUSTOMER_STREAM, {"id": w["acme"]}, member)
    expected = [e["id"] for e in nodes(whole["data"]["customer"])]

    # when
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        answer = await gql(
            client, CUSTOMER_STREAM, {"id": w["acme"], "first": 3, "after": after}, member
        )
        stream = answer["data"]["customer"]["stream"]
        seen += [edge["node"]["id"] for edge in stream["edges"]]
        pages += 1
        if not stream["pageInfo"]["hasNextPage"]:
            break
        after = stream["pageInfo"]["endCursor"]

    # then
    assert seen == expected
    assert pages == 3


async def test_a_contact_and_an_activity_have_streams_of_their_own(
    client: httpx.AsyncClient, clean_db: Driver, admin: Person, member: Person
) -> None:
    # given
    w = await history(client, clean_db, admin, member)
    with_dana = await create(
        client, member, meeting(w, member, subject="Demo for Dana", contactId=w["dana"])
    )
    await note(client, member, w["event"], "Bring the slides")
    follow_up = await create(client, member, meeting(w, member, subject="Follow-up"))
    clean_db.execute_query(
        "MATCH (c:Activity {id: $child}), (p:Activity {id: $parent}) CREATE (c)-[:CHILD_OF]->(p)",
        child=follow_up["activity"]["id"],
        parent=w["event"],
    )

    # when
    contact = await gql(client, CONTACT_STREAM, {"id": w["dana"]}, member)
    activity = await gql(client, ACTIVITY_STREAM, {"id": w["event"]}, member)

    # then
    assert [(e["kind"], e["summary"]) for e in nodes(contact["data"]["contact"])] == [
        ("EMAIL", "Re: prices"),
        ("ACTIVITY", "Demo for Dana"),
    ]
    kinds = [(e["kind"], e["summary"]) for e in nodes(activity["data"]["activity"])]
    assert ("NOTE", "Bring the slides") in kinds
    assert ("ACTIVITY", "Follow-up") in kinds
    assert any(kind == "AUDIT" for kind, _ in kinds)
    assert ("ACTIVITY", "Demo for Dana") not in kinds
    assert with_dana["activity"]["contact"] == {"id": w["dana"]}


async def test_a_card_with_its_whole_stream_is_one_statement(
    client: httpx.AsyncClient,
    clean_db: Driver,
    admin: Person,
    member: Person,
    cypher_calls: CypherCalls,
) -> None:
    # given
    w = await history(client, clean_db, admin, member)
    cypher_calls.count = 0

    # when
    answer = await gql(client, CUSTOMER_STREAM, {"id": w["acme"], "first": 50}, member)

    # then
    assert len(nodes(answer["data"]["customer"])) == 7
    assert cypher_calls.count == 1
