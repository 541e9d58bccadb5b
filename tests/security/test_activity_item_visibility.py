"""What is on an activity (notes, files, call logs, e-mails, audit lines), its chain, its
changes told live and the calendar feed follow the activity's own rule: those who may see
it see them, everyone else finds them missing; only its owner, the owner's managers and
ADMIN add to it. The activity's own paths are in test_activity_visibility.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.resolvers.broadcast import record_channel
from tests.conftest import Person, gql
from tests.live import Live
from tests.resolvers.relationships_support import customer, snapshot
from tests.resolvers.test_activities import create, meeting
from tests.resolvers.test_attachments import NOTE_WITH_FILES, PDF, UPLOAD
from tests.resolvers.test_calls import LOG_CALL, log_call
from tests.resolvers.test_emails import LOG, SEND
from tests.resolvers.test_emails import log as log_email
from tests.resolvers.test_notes import ADD_NOTE
from tests.resolvers.test_processes import RUN, template
from tests.resolvers.test_subscriptions import (
    RECORD_CHANGED,
    following,
    next_data,
    receive,
    signed_in,
    subscribe,
)
from tests.resolvers.test_tasks import ADD_TASK
from tests.security.test_activity_visibility import LINK, Scene, scene

pytestmark = pytest.mark.anyio

ITEM = """
query Item($id: ID!) {
  node(id: $id) {
    id
    ... on Note { text }
    ... on CallLog { summary }
    ... on Email { subject }
    ... on Attachment { name }
    ... on AuditLine { summary }
    ... on Chain { steps }
  }
}
"""

ITEMS = """
query Items($ids: [ID!]!) { nodes(ids: $ids) { id } }
"""

CARD_ITEMS = """
query Card($id: ID!) {
  activity(id: $id) {
    notes { totalCount }
    callLogs { totalCount }
    emails { totalCount }
    attachments { totalCount }
  }
}
"""

FEED = """
mutation { rotateCalendarFeed { ... on CalendarFeedSuccess { url } } }
"""


async def upload(client: httpx.AsyncClient, person: Person, record_id: str) -> dict[str, Any]:
    """A multipart upload of a small PDF; the payload of uploadAttachment."""
    operations = {"query": UPLOAD, "variables": {"recordId": record_id, "file": None}}
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": ("offer.pdf", PDF, "application/pdf")},
        headers=person.headers,
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["uploadAttachment"]
    return payload


async def add_note(client: httpx.AsyncClient, person: Person, record_id: str) -> dict[str, Any]:
    answer = await gql(client, ADD_NOTE, {"recordId": record_id, "text": "Secret plan"}, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["addNote"]
    return payload


def audit_line_of(db: Driver, record_id: str) -> str:
    records, _, _ = db.execute_query(
        "MATCH (l:AuditLine)-[:ON]->(:Activity {id: $id}) RETURN l.id AS id LIMIT 1",
        id=record_id,
        database_="neo4j",
    )
    return str(records[0]["id"])


async def items_on(client: httpx.AsyncClient, db: Driver, s: Scene) -> dict[str, str]:
    """The owner's notes (one holding a file), call log, e-mail, file and an audit line on
    the activity, by kind."""
    note = (await add_note(client, s.owner, s.activity))["note"]["id"]
    call = (await log_call(client, s.owner, s.activity))["callLog"]["id"]
    email = (await log_email(client, s.owner, s.activity))["email"]["id"]
    file = (await upload(client, s.owner, s.activity))["attachment"]["id"]
    on_note = (await upload(client, s.owner, s.activity))["attachment"]["id"]
    variables = {"recordId": s.activity, "text": "The offer", "attachmentIds": [on_note]}
    answer = await gql(client, NOTE_WITH_FILES, variables, s.owner)
    assert answer["data"]["addNote"]["__typename"] == "NoteSuccess", answer
    return {
        "note": note,
        "call": call,
        "email": email,
        "file": file,
        "file on a note": on_note,
        "audit line": audit_line_of(db, s.activity),
    }


async def test_what_is_on_an_activity_is_seen_only_by_who_may_see_the_activity(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    s = await scene(client, clean_db, admin)
    items = await items_on(client, clean_db, s)
    ids = list(items.values())

    for who, person in s.seeing().items():
        # when / then: by id, several at once, on the card and as a download
        for kind, item in items.items():
            found = (await gql(client, ITEM, {"id": item}, person))["data"]["node"]
            assert (found or {}).get("id") == item, (who, kind)
        found_all = (await gql(client, ITEMS, {"ids": ids}, person))["data"]["nodes"]
        assert [node["id"] for node in found_all] == ids, who
        card = (await gql(client, CARD_ITEMS, {"id": s.activity}, person))["data"]["activity"]
        assert [part["totalCount"] for part in card.values()] == [2, 1, 1, 1], who
        downloaded = await client.get(f"/attachments/{items['file']}", headers=person.headers)
        assert (downloaded.status_code, downloaded.content) == (200, PDF), who

    # and the outsider finds each one missing
    for kind, item in items.items():
        answer = await gql(client, ITEM, {"id": item}, s.outsider)
        assert answer["data"]["node"] is None, kind
    answer = await gql(client, ITEMS, {"ids": ids}, s.outsider)
    assert answer["data"]["nodes"] == [None] * len(ids)
    for file in (items["file"], items["file on a note"]):
        downloaded = await client.get(f"/attachments/{file}", headers=s.outsider.headers)
        assert downloaded.status_code == 404


async def test_a_chain_is_missing_to_one_who_may_see_none_of_its_steps(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given the owner's meeting and a follow-up of theirs, chained
    s = await scene(client, clean_db, admin)
    later = meeting(s.w, s.owner, subject="Follow-up", startsAt="2026-03-02T09:00:00Z")
    follow_up = (await create(client, s.owner, {**later, "endsAt": None}))["activity"]["id"]
    link = """
    mutation Link($a: ID!, $p: ID!) {
      linkActivities(activityId: $a, previousId: $p) { ... on ActivitySuccess {
        activity { chain { id } } } }
    }
    """
    linked = await gql(client, link, {"a": follow_up, "p": s.activity}, s.owner)
    chain = linked["data"]["linkActivities"]["activity"]["chain"]["id"]

    # when
    seen = (await gql(client, ITEM, {"id": chain}, s.participant))["data"]["node"]
    missing = (await gql(client, ITEM, {"id": chain}, s.outsider))["data"]["node"]

    # then the participant sees the one step they may see; the outsider no chain at all
    assert seen == {"id": chain, "steps": 1}
    assert missing is None


async def test_only_the_owner_their_managers_and_admin_add_to_an_activity(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    s = await scene(client, clean_db, admin)
    before = snapshot(clean_db)
    refusals = [(s.outsider, "NOT_FOUND")] + [
        (person, "FORBIDDEN") for person in (s.participant, s.participants_manager, s.shared)
    ]

    for person, code in refusals:
        # when
        answers = {
            "note": await gql(
                client, ADD_NOTE, {"recordId": s.activity, "text": "Mine now"}, person
            ),
            "call": await gql(
                client,
                LOG_CALL,
                {
                    "recordId": s.activity,
                    "callType": "OUTGOING",
                    "outcome": "CONNECTED",
                    "summary": "Mine now",
                },
                person,
            ),
            "email": await gql(
                client,
                LOG,
                {
                    "recordId": s.activity,
                    "direction": "INBOUND",
                    "from": "avi@acme.example",
                    "to": ["sales@ours.example"],
                    "subject": "Mine now",
                    "text": "Mine now",
                },
                person,
            ),
        }
        answers["sent e-mail"] = await gql(
            client,
            SEND,
            {
                "recordId": s.activity,
                "to": ["avi@acme.example"],
                "subject": "Mine now",
                "text": "Mine now",
            },
            person,
        )
        uploaded = await upload(client, person, s.activity)

        # then each is refused naming recordId, and nothing changes
        for kind, answer in answers.items():
            (payload,) = answer["data"].values()
            assert (payload["code"], payload["field"]) == (code, "recordId"), (kind, payload)
        assert (uploaded["code"], uploaded["field"]) == (code, "recordId"), uploaded
    assert snapshot(clean_db) == before

    # while the owner, their manager and an ADMIN may
    for person in (s.owner, s.manager, s.admin):
        added = await add_note(client, person, s.activity)
        assert added["__typename"] == "NoteSuccess", added
        logged = await log_call(client, person, s.activity)
        assert logged["__typename"] == "CallLogSuccess", logged


async def test_an_activitys_changes_are_told_only_to_who_may_see_it(
    live: Live, admin: Person, clean_db: Driver
) -> None:
    # given
    s = await scene(live.http, clean_db, admin)
    acme = await customer(live.http, admin, "Told Ltd")

    # when the outsider follows the activity
    async with signed_in(live, s.outsider) as ws:
        await subscribe(ws, "1", RECORD_CHANGED, {"recordId": s.activity})
        refused = await receive(ws)

    # then it is refused as unknown
    [error] = refused["payload"]["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "recordId"}

    # when the participant follows it, and a customer too
    async with signed_in(live, s.participant) as ws:
        await subscribe(ws, "1", RECORD_CHANGED, {"recordId": s.activity})
        await subscribe(ws, "2", RECORD_CHANGED, {"recordId": acme})
        await following(live, record_channel(s.activity))
        await following(live, record_channel(acme))
        await add_note(live.http, s.owner, s.activity)
        told = await next_data(ws, "1")
        # and is then taken off the activity, after which the owner writes on it again
        update = """
        mutation Off($id: ID!) { updateActivity(id: $id, input: {participantIds: []}) {
          __typename } }
        """
        off = await gql(live.http, update, {"id": s.activity}, s.owner)
        assert off["data"]["updateActivity"]["__typename"] == "ActivitySuccess", off
        await add_note(live.http, s.owner, s.activity)
        await add_note(live.http, admin, acme)
        after = await receive(ws)

    # then they were told of the first note, and next only of the customer's
    assert told["recordChanged"]["action"] == "NOTE_ADDED"
    assert after["id"] == "2", after
    assert after["payload"]["data"]["recordChanged"]["recordId"] == acme


async def test_a_calendar_feed_holds_only_its_users_own_lane(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given the owner's meeting with the participant tomorrow, inside the feed's window
    s = await scene(client, clean_db, admin)
    tomorrow = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    fields = meeting(
        s.w,
        s.owner,
        subject="Tomorrow secret",
        startsAt=tomorrow.isoformat(),
        endsAt=(tomorrow + timedelta(hours=1)).isoformat(),
        participantIds=[s.participant.id],
    )
    await create(client, s.owner, fields)

    for person, holds in ((s.participant, True), (s.shared, False), (s.outsider, False)):
        # when
        url = (await gql(client, FEED, person=person))["data"]["rotateCalendarFeed"]["url"]
        feed = await client.get(httpx.URL(url).raw_path.decode())

        # then: the participant's own feed holds the meeting; a feed never holds another's
        assert feed.status_code == 200
        assert ("Tomorrow secret" in feed.text) is holds, person.id


VIEWS = """
query Views($id: ID!) {
  process(activityId: $id) { root { id } nodes { activity { id } } }
  board(kind: ACTIVITY, field: STATUS) { columns { count activities { id } } }
  chainStats { chains medianSteps }
}
"""


async def test_process_board_and_chain_figures_hold_only_what_their_reader_may_see(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given the owner's meeting followed by another of theirs, one chain of two steps
    s = await scene(client, clean_db, admin)
    later = meeting(s.w, s.owner, subject="Follow-up", startsAt="2026-03-02T09:00:00Z")
    follow_up = (await create(client, s.owner, {**later, "endsAt": None}))["activity"]["id"]
    linked = await gql(client, LINK, {"a": follow_up, "p": s.activity}, s.owner)
    assert linked["data"]["linkActivities"]["__typename"] == "ActivitySuccess", linked

    # when
    seen = (await gql(client, VIEWS, {"id": s.activity}, s.participant))["data"]
    unseen = (await gql(client, VIEWS, {"id": s.activity}, s.outsider))["data"]

    # then the participant sees the meeting's process and its board card, and the chain
    # as the one step of it they may see
    assert seen["process"]["root"] == {"id": s.activity}
    assert [node["activity"]["id"] for node in seen["process"]["nodes"]] == [s.activity]
    assert sum(column["count"] for column in seen["board"]["columns"]) == 1
    assert seen["chainStats"] == {"chains": 1, "medianSteps": 1.0}
    owners = (await gql(client, VIEWS, {"id": s.activity}, s.owner))["data"]
    assert owners["chainStats"] == {"chains": 1, "medianSteps": 2.0}
    # and the outsider sees none of it
    assert unseen["process"] is None
    assert sum(column["count"] for column in unseen["board"]["columns"]) == 0
    assert unseen["chainStats"] == {"chains": 0, "medianSteps": None}


async def test_a_process_or_task_under_an_activity_follows_the_rule(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    s = await scene(client, clean_db, admin)
    before = snapshot(clean_db)
    task = {"recordId": s.activity, "subject": "Chase", "dueAt": "2026-03-05T09:00:00Z"}

    # when
    runs = {
        person.id: (
            await gql(client, RUN, {"parentId": s.activity, "template": template(s.w)}, person)
        )["data"]["runProcess"]
        for person in (s.outsider, s.participant)
    }
    added = (await gql(client, ADD_TASK, task, s.outsider))["data"]["addTask"]

    # then the outsider finds the activity missing, the participant may not change it
    assert (runs[s.outsider.id]["code"], runs[s.outsider.id]["field"]) == ("NOT_FOUND", "parentId")
    assert (runs[s.participant.id]["code"], runs[s.participant.id]["field"]) == (
        "FORBIDDEN",
        "parentId",
    )
    assert (added["code"], added["field"]) == ("NOT_FOUND", "recordId")
    assert snapshot(clean_db) == before
