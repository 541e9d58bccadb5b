"""Denial of service: what one request may cost is known and bounded before it runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from neo4j import Driver

from kesher.app import create_app
from kesher.settings import Settings
from tests.conftest import CypherCalls, Person, gql, make_user
from tests.live import Live, serving
from tests.resolvers.test_subscriptions import receive, signed_in, subscribe

pytestmark = pytest.mark.anyio

# The request of the issue: five aliases of three nested lists of a hundred each, 4 KB.
NESTED = (
    "users(first: 100) { edges { node { id name ownedCustomers(first: 100) { edges { node {"
    " id name activities(first: 100) { edges { node { id subject startsAt endsAt } } } } } } } } }"
)
FIVE_ALIASES = "query Everything {\n" + "\n".join(f"  a{i}: {NESTED}" for i in range(5)) + "\n}"

USERS = """
query Users($n: Int) { users(first: $n) { totalCount edges { node { id name } } } }
"""

# Costs: `users` 1 + its 10 edges + their 10 nodes = 21 for `mine`; `theirs` takes the
# default page (20), 1 + 20 + 20 = 41, with its nodes' fields merged from the fragment and
# the inline fragment (one node each, not two); `skipped` costs nothing.
SHAPED = """
query Shaped($n: Int!, $skip: Boolean!) {
  mine: users(first: $n) { edges { node { ...Named } } }
  theirs: users { edges { node { ...Named ... on User { email } } } }
  skipped: users(first: 100) @skip(if: $skip) { edges { node { id } } }
  me { id }
}
fragment Named on User { id name }
"""

ME = "subscription { myNotifications { id note { id author { id } } } }"


@asynccontextmanager
async def app_with(settings: Settings, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The real app over ASGI with some settings changed."""
    app = create_app(settings.model_copy(update=changes))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


def cost_of(answer: dict[str, Any]) -> dict[str, int]:
    cost: dict[str, int] = answer["extensions"]["cost"]
    return cost


async def test_the_five_alias_request_is_refused_before_any_cypher_runs(
    client: httpx.AsyncClient, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    assert len(FIVE_ALIASES.encode()) < 4096

    # when
    answer = await gql(client, FIVE_ALIASES, person=member)

    # then
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY"}
    assert "10151505" in error["message"]
    assert "200000" in error["message"]
    assert answer.get("data") is None
    assert cost_of(answer) == {"requested": 10151505, "limit": 200000}
    assert cypher_calls.count == 0


async def test_an_ordinary_query_reports_its_cost(
    client: httpx.AsyncClient, member: Person, cypher_calls: CypherCalls
) -> None:
    # when
    answer = await gql(client, USERS, {"n": 10}, member)

    # then
    assert "errors" not in answer, answer
    assert answer["data"]["users"]["totalCount"] >= 1
    assert cost_of(answer) == {"requested": 21, "limit": 200000}
    assert cypher_calls.count == 1


async def test_aliases_fragments_and_skip_are_counted_as_the_executor_collects_them(
    client: httpx.AsyncClient, member: Person
) -> None:
    # when
    kept = await gql(client, SHAPED, {"n": 10, "skip": True}, member)
    not_skipped = await gql(client, SHAPED, {"n": 10, "skip": False}, member)

    # then
    assert "errors" not in kept, kept
    assert cost_of(kept)["requested"] == 21 + 41 + 1
    assert cost_of(not_skipped)["requested"] == 21 + 41 + 1 + 201


async def test_a_page_size_in_a_variable_is_counted_and_the_refusal_changes_nothing(
    settings: Settings, clean_db: Any, member: Person, cypher_calls: CypherCalls
) -> None:
    # given: a limit between a page of 10 and a page of 100
    async with app_with(settings, max_query_cost=100) as http:
        cypher_calls.count = 0
        # when
        small = await gql(http, USERS, {"n": 10}, member)
        large = await gql(http, USERS, {"n": 100}, member)

    # then
    assert "errors" not in small, small
    [error] = large["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["message"].startswith("The query may cost 201, over the limit of 100")
    assert cypher_calls.count == 1


async def test_the_canonical_introspection_query_passes(
    client: httpx.AsyncClient, member: Person
) -> None:
    # when
    answer = await gql(client, get_introspection_query(descriptions=True), person=member)

    # then
    assert "errors" not in answer
    assert answer["data"]["__schema"]["queryType"]["name"] == "Query"
    assert cost_of(answer)["requested"] < cost_of(answer)["limit"]


async def test_over_the_websocket_queries_and_subscriptions_are_costed_too(
    settings: Settings, clean_db: Any, member: Person
) -> None:
    # given: a limit below the subscription's three objects an event
    limited = settings.model_copy(update={"max_query_cost": 2})
    async with serving(limited) as live, signed_in(live, member) as ws:
        # when
        await subscribe(ws, "1", ME)
        refused = await receive(ws)
        assert await receive(ws) == {"id": "1", "type": "complete"}
        await subscribe(ws, "2", "{ me { id } }")
        allowed = await receive(ws)

    # then
    assert refused["type"] == "next", refused
    assert refused["payload"]["data"] is None
    [error] = refused["payload"]["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY"}
    assert allowed["type"] == "next", allowed
    assert allowed["payload"]["data"] == {"me": {"id": member.id}}
    assert allowed["payload"]["extensions"]["cost"] == {"requested": 1, "limit": 2}


async def test_the_five_alias_request_is_refused_over_the_websocket(
    live: Live, member: Person
) -> None:
    async with signed_in(live, member) as ws:
        await subscribe(ws, "1", FIVE_ALIASES)
        answer = await receive(ws)
    # then: refused before it ran, as the protocol tells an operation that never started
    assert answer["type"] == "error", answer
    [error] = answer["payload"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY"}


PEOPLE = "{ users(first: 50) { edges { node { id name email } } } }"


async def test_an_answer_over_the_size_cap_is_replaced_by_an_error(
    settings: Settings, clean_db: Driver, member: Person
) -> None:
    # given: thirty users, some 3 KB of answer
    for number in range(30):
        make_user(clean_db, name=f"Person number {number}")
    async with app_with(settings, max_response_bytes=2048) as http:
        # when
        small = await gql(http, "{ me { id } }", person=member)
        large = await http.post("/graphql", json={"query": PEOPLE}, headers=member.headers)

    # then
    assert small["data"] == {"me": {"id": member.id}}
    assert len(large.content) < 2048
    answer = large.json()
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "RESPONSE_TOO_LARGE"}
    assert "over the limit of 2048" in error["message"]
    assert answer["extensions"]["cost"]["requested"] == 101


async def test_a_websocket_answer_over_the_size_cap_is_replaced_by_an_error(
    settings: Settings, clean_db: Driver, member: Person
) -> None:
    # given
    for number in range(30):
        make_user(clean_db, name=f"Person number {number}")
    capped = settings.model_copy(update={"max_response_bytes": 2048})
    async with serving(capped) as live, signed_in(live, member) as ws:
        # when
        await subscribe(ws, "1", PEOPLE)
        answer = await receive(ws)

    # then
    assert answer["type"] == "next", answer
    assert answer["id"] == "1"
    [error] = answer["payload"]["errors"]
    assert error["extensions"] == {"code": "RESPONSE_TOO_LARGE"}
