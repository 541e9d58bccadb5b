"""An open subscription lasts only as long as its token holds: it ends with an
UNAUTHENTICATED error when the token expires or its user is deactivated, demoted or
changes password; and a user may have only so many open at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from neo4j import Driver
from websockets.asyncio.client import ClientConnection

from kesher.graph.events import RecordChanged, Revoked
from kesher.resolvers.broadcast import Feed, record_channel, user_channel
from kesher.resolvers.context import Role, Viewer
from kesher.resolvers.errors import ViewerRefused
from kesher.resolvers.subscription_access import EXPIRED, Authorized, SubscriptionSlots
from kesher.resolvers.tokens import issue
from kesher.settings import Settings
from tests.conftest import TEST_SECRET, Person, gql
from tests.live import WAIT, Live, serving
from tests.redis_support import redis_url  # noqa: F401  (a fixture)
from tests.resolvers.relationships_support import customer
from tests.resolvers.test_auth import DEACTIVATE_USER, UPDATE_USER
from tests.resolvers.test_notes import add_note
from tests.resolvers.test_subscriptions import (
    MY_NOTIFICATIONS,
    RECORD_CHANGED,
    following,
    next_data,
    receive,
    signed_in,
    subscribe,
)

pytestmark = pytest.mark.anyio

REVOKED = "The bearer token was revoked or its user deactivated; sign in again with login."


def slots(live: Live) -> SubscriptionSlots:
    found: SubscriptionSlots = live.app.state.subscription_slots
    return found


async def ended(ws: ClientConnection, op_id: str) -> dict[str, Any]:
    """The operation's last result, which must be one error and no data, and its
    `complete`; returns the error."""
    last = await receive(ws)
    assert last["type"] == "next", last
    assert last["id"] == op_id
    assert last["payload"]["data"] is None
    [error] = last["payload"]["errors"]
    assert await receive(ws) == {"id": op_id, "type": "complete"}
    return dict(error)


async def follow_acme(live: Live, ws: ClientConnection, admin: Person, who: Person) -> str:
    """Subscribes `who` (on `ws`) to a new customer's changes, as operation "1", and
    waits until the subscription also follows its user's channel."""
    acme = await customer(live.http, admin, "Acme Ltd")
    await subscribe(ws, "1", RECORD_CHANGED, {"recordId": acme})
    await following(live, record_channel(acme))
    await following(live, user_channel(who.id))
    return acme


@pytest.mark.parametrize(
    ("change", "variables"),
    [
        pytest.param(DEACTIVATE_USER, {}, id="deactivated"),
        pytest.param(UPDATE_USER, {"input": {"role": "MANAGER"}}, id="role changed"),
        pytest.param(UPDATE_USER, {"input": {"password": "a new password"}}, id="new password"),
    ],
)
async def test_an_open_subscription_ends_when_its_users_tokens_are_revoked(
    live: Live, admin: Person, member: Person, change: str, variables: dict[str, Any]
) -> None:
    async with signed_in(live, member) as ws:
        # given a member following a customer
        acme = await follow_acme(live, ws, admin, member)

        # when an ADMIN changes the member so that their token no longer holds
        answer = await gql(live.http, change, {"id": member.id, **variables}, admin)
        assert answer["data"][next(iter(answer["data"]))]["__typename"] == "UserSuccess"

        # then the subscription ends with UNAUTHENTICATED and lets go of what it held
        error = await ended(ws, "1")
        assert error["message"] == REVOKED
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert slots(live).open(member.id) == 0
        assert live.broadcaster.listeners(record_channel(acme)) == 0


async def test_a_notification_subscription_ends_when_its_user_is_deactivated(
    live: Live, admin: Person, member: Person
) -> None:
    async with signed_in(live, member) as ws:
        await subscribe(ws, "n", MY_NOTIFICATIONS)
        await following(live, user_channel(member.id))

        await gql(live.http, DEACTIVATE_USER, {"id": member.id}, admin)

        error = await ended(ws, "n")
        assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_unrelated_change_to_the_user_keeps_the_subscription(
    live: Live, admin: Person, member: Person
) -> None:
    async with signed_in(live, member) as ws:
        acme = await follow_acme(live, ws, admin, member)

        await gql(live.http, UPDATE_USER, {"id": member.id, "input": {"name": "New Name"}}, admin)
        await add_note(live.http, admin, acme, "Still told.")

        assert (await next_data(ws, "1"))["recordChanged"]["action"] == "NOTE_ADDED"


async def test_another_users_revocation_does_not_end_a_subscription(
    live: Live, admin: Person, member: Person, manager: Person
) -> None:
    async with signed_in(live, member) as ws:
        acme = await follow_acme(live, ws, admin, member)

        await gql(live.http, DEACTIVATE_USER, {"id": manager.id}, admin)
        await add_note(live.http, admin, acme, "Still told.")

        assert (await next_data(ws, "1"))["recordChanged"]["action"] == "NOTE_ADDED"


async def test_a_subscription_ends_when_its_token_expires(live: Live, member: Person) -> None:
    # given a connection signed in with a token that expires within two seconds
    token, expires = issue(Viewer(member.id, Role.MEMBER), TEST_SECRET, 2)
    short = Person(member.id, member.email, member.role, token)
    async with signed_in(live, short) as ws:
        await subscribe(ws, "n", MY_NOTIFICATIONS)
        await following(live, user_channel(member.id))

        # when no event comes, then the subscription still ends, at the expiry (the
        # token's `exp` is in whole seconds), with the reason
        error = await ended(ws, "n")
        assert time.time() >= int(expires.timestamp())
        assert error["message"] == EXPIRED
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert slots(live).open(member.id) == 0

        # and a new subscription on the same connection is refused the same way
        await subscribe(ws, "again", MY_NOTIFICATIONS)
        assert (await ended(ws, "again"))["message"] == EXPIRED


async def test_a_revoked_token_cannot_start_a_subscription_on_its_open_connection(
    live: Live, admin: Person, member: Person
) -> None:
    async with signed_in(live, member) as ws:
        # given a connection signed in before the member was deactivated
        await gql(live.http, DEACTIVATE_USER, {"id": member.id}, admin)

        # when it starts a subscription that reads nothing of the graph
        await subscribe(ws, "n", MY_NOTIFICATIONS)

        # then it is refused
        error = await ended(ws, "n")
        assert error["message"] == REVOKED
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert live.broadcaster.listeners(user_channel(member.id)) == 0


@pytest.fixture
async def capped(settings: Settings, clean_db: Driver) -> AsyncIterator[Live]:
    """The app with at most two subscriptions per user."""
    async with serving(settings.model_copy(update={"max_subscriptions_per_user": 2})) as app:
        yield app


async def test_a_subscription_over_the_users_cap_is_refused_and_the_others_keep_working(
    capped: Live, admin: Person, member: Person
) -> None:
    acme = await customer(capped.http, admin, "Acme Ltd")
    async with signed_in(capped, member) as ws, signed_in(capped, admin) as admins:
        # given two open subscriptions, on two operations of one connection
        await subscribe(ws, "1", RECORD_CHANGED, {"recordId": acme})
        await subscribe(ws, "2", MY_NOTIFICATIONS)
        await following(capped, record_channel(acme))
        await following(capped, user_channel(member.id), 2)

        # when a third is started, on another connection of the same user
        async with signed_in(capped, member) as other:
            await subscribe(other, "3", RECORD_CHANGED, {"recordId": acme})

            # then that one is refused
            error = await ended(other, "3")
            assert error["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
            assert "2 subscriptions" in error["message"]

        # and another user is not held to this user's count
        await subscribe(admins, "a", RECORD_CHANGED, {"recordId": acme})
        await following(capped, record_channel(acme), 2)

        # and the first two keep receiving
        await add_note(capped.http, admin, acme, "Told to both.")
        assert (await next_data(ws, "1"))["recordChanged"]["action"] == "NOTE_ADDED"
        assert (await next_data(admins, "a"))["recordChanged"]["action"] == "NOTE_ADDED"

        # and completing one frees its slot for a new one
        await ws.send('{"id": "2", "type": "complete"}')
        await _until(lambda: slots(capped).open(member.id) == 1)
        await subscribe(ws, "4", MY_NOTIFICATIONS)
        await _until(lambda: slots(capped).open(member.id) == 2)
        await add_note(capped.http, admin, acme, "Told again.")
        assert (await next_data(ws, "1"))["recordChanged"]["summary"] == "Ada Admin added a note"


async def _until(condition: Any) -> None:
    async def met() -> None:
        # Polled: a slot's release has no message of its own to wait on.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    await asyncio.wait_for(met(), 30)


async def test_a_revocation_on_one_process_ends_a_subscription_on_another_through_redis(
    settings: Settings,
    clean_db: Driver,
    redis_url: str,  # noqa: F811
    member: Person,
    admin: Person,
) -> None:
    shared = settings.model_copy(update={"redis_url": redis_url})
    async with serving(shared) as a, serving(shared) as b, signed_in(b, member) as ws:
        # given a member following a customer on process b
        await follow_acme(b, ws, admin, member)

        # when an ADMIN deactivates the member on process a
        await gql(a.http, DEACTIVATE_USER, {"id": member.id}, admin)

        # then b's subscription ends
        error = await ended(ws, "1")
        assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_reader_far_behind_still_ends_on_a_revocation_its_queue_dropped() -> None:
    # given a revocation followed by more events than the reader's queue holds
    changed = RecordChanged("cus_1", "CHANGED", "changed", None, datetime.now(UTC))
    feed = Feed(user_channel("usr_1"), 4)
    feed.put(Revoked("usr_1", 1))
    for _ in range(10):
        feed.put(changed)
    assert feed.dropped == 7

    # then a token of the revoked version reads nothing more, and one issued after it does
    with pytest.raises(ViewerRefused):
        await anext(Authorized(feed, Viewer("usr_1", Role.MEMBER, 0, time.time() + 60)))
    assert await anext(Authorized(feed, Viewer("usr_1", Role.MEMBER, 1, time.time() + 60))) == (
        changed
    )


async def test_a_gql_client_sees_the_end_as_an_unauthenticated_error(
    live: Live, admin: Person, member: Person
) -> None:
    # given a gql client (graphql-transport-ws) following a customer as the member
    acme = await customer(live.http, admin, "Acme Ltd")
    transport = WebsocketsTransport(
        url=live.ws_url,
        init_payload={"Authorization": f"Bearer {member.token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        connect_timeout=WAIT,
        ack_timeout=WAIT,
    )
    async with Client(transport=transport) as socket:
        events = socket.subscribe(
            GraphQLRequest(RECORD_CHANGED, variable_values={"recordId": acme})
        )
        first = asyncio.ensure_future(anext(events))
        await following(live, user_channel(member.id))

        # when the member is deactivated
        await gql(live.http, DEACTIVATE_USER, {"id": member.id}, admin)

        # then the client's subscription raises the server's error
        with pytest.raises(TransportQueryError) as raised:
            await asyncio.wait_for(first, WAIT)
        await events.aclose()
    assert raised.value.errors is not None
    assert raised.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
