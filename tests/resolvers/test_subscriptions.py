"""Subscriptions over a real WebSocket (`graphql-transport-ws`) to the app served by
uvicorn, fed by mutations made over HTTP; through Redis between two app instances."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from neo4j import Driver
from strawberry.extensions import ValidationCache
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from kesher.graph.events import RecordChanged
from kesher.graph.launcher import free_port
from kesher.resolvers.broadcast import (
    LocalBroadcaster,
    RedisBroadcaster,
    record_channel,
    user_channel,
)
from kesher.settings import Settings
from tests.conftest import Person, gql
from tests.live import WAIT, Live, serving
from tests.redis_support import redis_url  # noqa: F401  (a fixture)
from tests.resolvers.relationships_support import customer
from tests.resolvers.test_board import move
from tests.resolvers.test_notes import NOTIFICATIONS, add_note, with_handle

pytestmark = pytest.mark.anyio

RECORD_CHANGED = """
subscription Follow($recordId: ID!) {
  recordChanged(recordId: $recordId) { recordId action summary at actorId }
}
"""

MY_NOTIFICATIONS = """
subscription { myNotifications { id kind summary createdAt readAt } }
"""

MY_NOTIFICATIONS_WITH_NOTE = """
subscription { myNotifications { id kind summary note { id text author { id } } } }
"""


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
    return message


@contextlib.asynccontextmanager
async def socket(
    live: Live, payload: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientConnection]:
    """A WebSocket speaking graphql-transport-ws, `connection_init` sent with `payload`."""
    async with connect(
        live.ws_url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers=headers,
        open_timeout=WAIT,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
        yield ws


@contextlib.asynccontextmanager
async def signed_in(live: Live, person: Person) -> AsyncIterator[ClientConnection]:
    async with socket(live, {"Authorization": f"Bearer {person.token}"}) as ws:
        assert (await receive(ws))["type"] == "connection_ack"
        yield ws


async def subscribe(
    ws: ClientConnection, op_id: str, query: str, variables: dict[str, Any] | None = None
) -> None:
    message: dict[str, Any] = {"id": op_id, "type": "subscribe", "payload": {"query": query}}
    if variables:
        message["payload"]["variables"] = variables
    await ws.send(json.dumps(message))


async def following(live: Live, channel: str, count: int = 1) -> None:
    """Waits until `count` subscribers of this instance follow the channel: a subscribe
    message has no answer of its own."""

    async def joined() -> None:
        # Polled: joining a channel has no event of its own to wait on.
        while live.broadcaster.listeners(channel) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    await asyncio.wait_for(joined(), WAIT)


async def next_data(ws: ClientConnection, op_id: str) -> dict[str, Any]:
    message = await receive(ws)
    assert message["type"] == "next", message
    assert message["id"] == op_id
    assert "errors" not in message["payload"], message
    data: dict[str, Any] = message["payload"]["data"]
    return data


async def test_record_changed_tells_notes_and_audited_changes_made_over_http(
    live: Live, member: Person, admin: Person
) -> None:
    acme = await customer(live.http, admin, "Acme Ltd")
    async with signed_in(live, member) as ws:
        await subscribe(ws, "1", RECORD_CHANGED, {"recordId": acme})
        await following(live, record_channel(acme))
        written = await add_note(live.http, admin, acme, "Called them about the renewal.")
        moved = await move(live.http, admin, acme, "STATUS", "ACTIVE")

        assert (await next_data(ws, "1"))["recordChanged"] == {
            "recordId": acme,
            "action": "NOTE_ADDED",
            "summary": "Ada Admin added a note",
            "at": written["note"]["createdAt"],
            "actorId": admin.id,
        }
        line = moved["auditLine"]
        assert (await next_data(ws, "1"))["recordChanged"] == {
            "recordId": acme,
            "action": "MOVED_ON_BOARD",
            "summary": line["summary"],
            "at": line["createdAt"],
            "actorId": admin.id,
        }


async def test_changes_on_another_record_are_not_delivered(
    live: Live, member: Person, admin: Person
) -> None:
    acme = await customer(live.http, admin, "Acme Ltd")
    globex = await customer(live.http, admin, "Globex")
    async with signed_in(live, member) as ws:
        await subscribe(ws, "acme", RECORD_CHANGED, {"recordId": acme})
        await following(live, record_channel(acme))
        await add_note(live.http, admin, globex, "Not about Acme.")
        await add_note(live.http, member, acme, "About Acme.")
        # Events reach a subscriber in order: had Globex's been delivered, it came first.
        first = (await next_data(ws, "acme"))["recordChanged"]
        assert first["recordId"] == acme
        assert first["actorId"] == member.id


async def test_my_notifications_tells_the_mentioned_user_and_not_the_author(
    live: Live, clean_db: Driver, member: Person, admin: Person
) -> None:
    dana = with_handle(clean_db, member, "dana")
    ada = with_handle(clean_db, admin, "ada")
    acme = await customer(live.http, ada, "Acme Ltd")
    async with signed_in(live, dana) as dana_ws, signed_in(live, ada) as ada_ws:
        await subscribe(dana_ws, "n", MY_NOTIFICATIONS_WITH_NOTE)
        await subscribe(ada_ws, "n", MY_NOTIFICATIONS)
        await following(live, user_channel(dana.id))
        await following(live, user_channel(ada.id))

        written = await add_note(live.http, ada, acme, "@dana please call them; cc @ada")
        told = (await next_data(dana_ws, "n"))["myNotifications"]
        stored = await gql(live.http, NOTIFICATIONS, {}, dana)
        [edge] = stored["data"]["notifications"]["edges"]
        assert told["id"] == edge["node"]["id"]
        assert told["kind"] == "MENTION"
        assert told["summary"] == "Ada Admin mentioned you on Acme Ltd"
        assert told["note"] == {
            "id": written["note"]["id"],
            "text": "@dana please call them; cc @ada",
            "author": {"id": ada.id},
        }

        # Ada mentioned herself too, which notifies no one: her first notification is
        # the one Dana's reply makes.
        await add_note(live.http, dana, acme, "@ada done.")
        mine = (await next_data(ada_ws, "n"))["myNotifications"]
        assert mine["summary"] == "Moshe Member mentioned you on Acme Ltd"
        assert mine["kind"] == "MENTION"
        assert mine["readAt"] is None
        assert datetime.fromisoformat(mine["createdAt"]).tzinfo is not None


async def test_a_connection_without_a_valid_token_is_refused(live: Live) -> None:
    async with socket(live) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert closed.value.rcvd.reason.startswith("Sign in first")

    async with socket(live, {"authorization": "Bearer not-a-token"}) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert "not valid" in closed.value.rcvd.reason


async def test_the_token_may_come_in_the_upgrade_request_header(
    live: Live, member: Person, admin: Person
) -> None:
    acme = await customer(live.http, admin, "Acme Ltd")
    async with socket(live, headers=member.headers) as ws:
        assert (await receive(ws))["type"] == "connection_ack"
        await subscribe(ws, "1", RECORD_CHANGED, {"recordId": acme})
        await following(live, record_channel(acme))
        await add_note(live.http, admin, acme, "Hello.")
        assert (await next_data(ws, "1"))["recordChanged"]["action"] == "NOTE_ADDED"


async def test_following_an_unknown_record_is_refused_naming_record_id(
    live: Live, member: Person
) -> None:
    async with signed_in(live, member) as ws:
        await subscribe(ws, "1", RECORD_CHANGED, {"recordId": "cus_nothing"})
        refused = await receive(ws)
        assert refused["type"] == "next"
        assert refused["payload"]["data"] is None
        [error] = refused["payload"]["errors"]
        assert error["extensions"] == {"code": "NOT_FOUND", "field": "recordId"}
        assert "cus_nothing" in error["message"]
        assert await receive(ws) == {"id": "1", "type": "complete"}
    assert live.broadcaster.listeners(record_channel("cus_nothing")) == 0


async def test_a_failure_before_a_subscription_runs_is_masked_and_logged(
    live: Live, member: Person, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given: an extension's hook that fails before the operation runs
    def broken(self: ValidationCache) -> Iterator[None]:
        raise RuntimeError("internal detail the caller must not see")
        yield

    monkeypatch.setattr(ValidationCache, "on_validate", broken)

    # when
    with caplog.at_level(logging.ERROR, logger="kesher.errors"):
        async with signed_in(live, member) as ws:
            await subscribe(ws, "1", MY_NOTIFICATIONS)
            answer = await receive(ws)

    # then: only the request id to quote
    assert answer["type"] == "error", answer
    [error] = answer["payload"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert "internal detail" not in json.dumps(answer)
    assert error["message"].startswith("Unexpected error; it was logged with request id")
    [logged] = [r for r in caplog.records if r.name == "kesher.errors"]
    assert logged.exc_info is not None
    assert "internal detail" in str(logged.exc_info[1])


async def test_two_instances_share_events_through_redis(
    settings: Settings,
    clean_db: Driver,
    redis_url: str,  # noqa: F811
    member: Person,
    admin: Person,
) -> None:
    shared = settings.model_copy(update={"redis_url": redis_url})
    dana = with_handle(clean_db, member, "dana")
    async with serving(shared) as a, serving(shared) as b:
        assert isinstance(b.broadcaster, RedisBroadcaster)
        acme = await customer(a.http, admin, "Acme Ltd")
        async with signed_in(b, dana) as ws:
            await subscribe(ws, "record", RECORD_CHANGED, {"recordId": acme})
            await subscribe(ws, "mine", MY_NOTIFICATIONS)
            await following(b, record_channel(acme))
            await following(b, user_channel(dana.id))
            await add_note(a.http, admin, acme, "@dana over to you.")

            told: dict[str, Any] = {}
            for _ in range(2):
                message = await receive(ws)
                assert message["type"] == "next", message
                told[message["id"]] = message["payload"]["data"]
        assert told["record"]["recordChanged"]["action"] == "NOTE_ADDED"
        assert told["record"]["recordChanged"]["actorId"] == admin.id
        notification = told["mine"]["myNotifications"]
        assert notification["summary"] == "Ada Admin mentioned you on Acme Ltd"
        assert datetime.fromisoformat(notification["createdAt"]).tzinfo is not None


async def test_a_mutation_succeeds_and_is_logged_when_redis_is_down(
    settings: Settings, clean_db: Driver, admin: Person, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    broadcast_log = logging.getLogger("kesher.broadcast")
    broadcast_log.addHandler(caplog.handler)
    try:
        async with serving(nowhere) as down:
            acme = await customer(down.http, admin, "Acme Ltd")
            payload = await add_note(down.http, admin, acme, "Still saved.")
            assert payload["__typename"] == "NoteSuccess"
    finally:
        broadcast_log.removeHandler(caplog.handler)
    [[kept]] = clean_db.execute_query(
        "MATCH (n:Note)-[:ON]->(:Customer {id: $id}) RETURN n.text", id=acme
    ).records
    assert kept == "Still saved."
    assert any("Could not publish" in record.getMessage() for record in caplog.records)


async def test_a_slow_subscriber_loses_its_oldest_events_and_holds_up_no_one() -> None:
    broadcaster = LocalBroadcaster(queue_size=3)
    events = [
        RecordChanged("cus_1", "CHANGED", f"change {n}", "usr_1", datetime.now(UTC))
        for n in range(6)
    ]
    async with (
        broadcaster.subscribe(record_channel("cus_1")) as slow,
        broadcaster.subscribe(record_channel("cus_1")) as quick,
    ):
        seen = []
        for event in events:
            await broadcaster.publish([event])
            seen.append(await anext(quick))
        assert seen == events
        assert slow.dropped == 3
        assert [await anext(slow) for _ in range(3)] == events[3:]
        assert quick.dropped == 0
    assert broadcaster.listeners(record_channel("cus_1")) == 0
