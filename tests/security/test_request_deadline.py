"""A deadline for the whole of a request: past it the work is stopped, the transaction it
ran is rolled back and DEADLINE_EXCEEDED is answered, while other clients are served; a
statement past its own timeout is told apart from it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.app import create_app
from kesher.resolvers.broadcast import record_channel
from kesher.settings import Settings
from kesher.transport import GRAPHQL_RESPONSE
from tests.conftest import Person, gql
from tests.live import serving
from tests.resolvers.relationships_support import customer
from tests.resolvers.test_notes import add_note
from tests.resolvers.test_subscriptions import (
    following,
    next_data,
    receive,
    signed_in,
    subscribe,
)

pytestmark = pytest.mark.anyio

RENAME = """
mutation Rename($id: ID!) { updateCustomer(id: $id, input: {city: "Haifa"}) { __typename } }
"""
ME = "{ me { id } }"
CHANGED = "subscription Changed($id: ID!) { recordChanged(recordId: $id) { recordId action } }"
CITY = "MATCH (c:Customer {id: $id}) RETURN c.city AS city"


@asynccontextmanager
async def app_with(settings: Settings, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The real app over ASGI with some settings changed."""
    app = create_app(settings.model_copy(update=changes))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


@contextmanager
def locked(driver: Driver, customer_id: str) -> Iterator[None]:
    """Another session holds the customer's write lock, so a mutation of it waits; the
    other session's change is rolled back at the end."""
    with driver.session(database="neo4j") as session:
        held = session.begin_transaction()
        try:
            held.run("MATCH (c:Customer {id: $id}) SET c.city = 'Eilat'", id=customer_id).consume()
            yield
        finally:
            held.rollback()


async def transactions_ended(driver: Driver) -> None:
    """Waits until Neo4j runs no transaction but the one asking: a transaction stopped
    while it waited for a lock ends at its timeout, checked every couple of seconds."""
    for _ in range(50):
        records = driver.execute_query("SHOW TRANSACTIONS", database_="neo4j").records
        if len(records) == 1:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"transactions still running: {records}")


def city(driver: Driver, customer_id: str) -> object:
    [row] = driver.execute_query(CITY, id=customer_id, database_="neo4j").records
    return row["city"]


async def test_a_request_past_its_deadline_is_stopped_writes_nothing_and_others_are_served(
    settings: Settings, client: httpx.AsyncClient, clean_db: Driver, admin: Person
) -> None:
    # given: a deadline of 2 s, and the customer locked by another session
    acme = await customer(client, admin, "Acme")
    async with app_with(settings, request_deadline_seconds=2.0) as http:
        with locked(clean_db, acme):
            # when: the mutation waits on the lock while another client asks for itself
            started = time.monotonic()
            slow = asyncio.create_task(
                http.post(
                    "/graphql",
                    json={"query": RENAME, "variables": {"id": acme}},
                    headers={**admin.headers, "Accept": GRAPHQL_RESPONSE, "X-Request-ID": "r-9"},
                )
            )
            await asyncio.sleep(0.2)
            other = await gql(http, ME, person=admin)
            other_waited_for_slow = slow.done()
            response = await slow
            took = time.monotonic() - started

        # then: the other client was answered at once, the slow one at its deadline
        assert not other_waited_for_slow
        assert other["data"] == {"me": {"id": admin.id}}
        assert response.status_code == 504
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "DEADLINE_EXCEEDED", "requestId": "r-9"}
        assert "deadline of 2 s" in error["message"]
        assert 2.0 <= took < 6.0  # well before the statement timeout of 10 s
        # and Neo4j ended its transaction without a write
        await transactions_ended(clean_db)
        assert city(clean_db, acme) is None
        # and the same mutation is made in time once the lock is free
        again = await gql(http, RENAME, {"id": acme}, admin)
    assert again["data"] == {"updateCustomer": {"__typename": "CustomerSuccess"}}
    assert city(clean_db, acme) == "Haifa"


async def test_a_statement_past_its_own_timeout_is_told_apart_from_the_deadline(
    settings: Settings, client: httpx.AsyncClient, clean_db: Driver, admin: Person
) -> None:
    # given: statements may take 1 s each, the request 30 s
    acme = await customer(client, admin, "Acme")
    async with app_with(
        settings, cypher_timeout_seconds=1.0, request_deadline_seconds=30.0
    ) as http:
        with locked(clean_db, acme):
            # when
            started = time.monotonic()
            answer = await gql(http, RENAME, {"id": acme}, admin)
            took = time.monotonic() - started

    # then: Neo4j stopped the statement, and the answer says so with its own code
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "STATEMENT_TIMEOUT", answer
    assert "limit of 1 s" in error["message"]
    assert took < 10.0
    assert city(clean_db, acme) is None


async def test_an_operation_over_the_websocket_has_the_deadline_and_a_subscription_not(
    settings: Settings, client: httpx.AsyncClient, clean_db: Driver, admin: Person
) -> None:
    # given: a deadline of 3 s, a subscription to the customer, and the customer locked
    acme = await customer(client, admin, "Acme")
    # (a first note, so that Neo4j has planned the statements of the one made later)
    await add_note(client, admin, acme, "Wrote to them.")
    quick = settings.model_copy(update={"request_deadline_seconds": 3.0})
    async with serving(quick) as live, signed_in(live, admin) as ws:
        await subscribe(ws, "watch", CHANGED, {"id": acme})
        await following(live, record_channel(acme))
        with locked(clean_db, acme):
            # when: a mutation over the same socket waits on the lock
            await subscribe(ws, "rename", RENAME, {"id": acme})
            stopped = await receive(ws)
            completed = await receive(ws)

        # then: the mutation is answered DEADLINE_EXCEEDED and completes
        assert stopped["id"] == "rename", stopped
        [error] = stopped["payload"]["errors"]
        assert error["extensions"]["code"] == "DEADLINE_EXCEEDED"
        assert completed == {"id": "rename", "type": "complete"}

        # and the subscription, open longer than the deadline, still delivers
        await transactions_ended(clean_db)
        assert city(clean_db, acme) is None
        await add_note(live.http, admin, acme, "Called them about the renewal.")
        assert (await next_data(ws, "watch"))["recordChanged"] == {
            "recordId": acme,
            "action": "NOTE_ADDED",
        }
