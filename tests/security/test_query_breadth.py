"""Denial of service by breadth: a document selecting hundreds of nested fields, each with
a page of one, is cheap by the cost limit but makes a Cypher statement that Neo4j takes
minutes to plan. The breadth limit refuses it before anything runs."""

from __future__ import annotations

import httpx
import pytest
from graphql import get_introspection_query

from kesher.settings import Settings
from tests.conftest import CypherCalls, Person, gql

pytestmark = pytest.mark.anyio

# Breadth 3: `customers`, `edges`, `node`; the scalar fields count nothing.
CUSTOMERS = "{ customers(first: 1) { totalCount edges { node { id name } } } }"

# Breadth 6: each `customers` with the fragment's two object fields, counted at each spread.
SPREAD_TWICE = """
query Twice {
  a: customers(first: 1) { ...Rows }
  b: customers(first: 1) { ...Rows }
}
fragment Rows on CustomerConnection { edges { node { id } } }
"""

# Breadth 4: an inline fragment's fields count; `__typename` counts nothing.
INLINE = """
query Inline($id: ID!) {
  node(id: $id) { __typename ... on Customer { contacts(first: 1) { edges { node { id } } } } }
}
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_query_breadth": 4})


async def test_a_document_broader_than_the_limit_is_refused_before_any_cypher_runs(
    client: httpx.AsyncClient, member: Person, cypher_calls: CypherCalls
) -> None:
    # when
    answer = await gql(client, SPREAD_TWICE, person=member)

    # then
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "selects 6 objects and lists, over the limit of 4" in error["message"]
    assert answer.get("data") is None
    assert cypher_calls.count == 0


async def test_a_document_at_the_limit_runs(
    client: httpx.AsyncClient, member: Person, cypher_calls: CypherCalls
) -> None:
    # when
    narrow = await gql(client, CUSTOMERS, person=member)
    inline = await gql(client, INLINE, {"id": "missing"}, member)

    # then
    assert "errors" not in narrow, narrow
    assert narrow["data"]["customers"]["totalCount"] == 0
    assert "errors" not in inline, inline
    assert inline["data"] == {"node": None}
    # The customers page is one statement; an id that names no record needs none.
    assert cypher_calls.count == 1


async def test_introspection_counts_nothing_toward_the_breadth(
    client: httpx.AsyncClient, member: Person
) -> None:
    # when
    answer = await gql(client, get_introspection_query(descriptions=True), person=member)

    # then
    assert "errors" not in answer, answer
    assert answer["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_a_refusal_is_the_same_each_time_the_document_is_sent(
    client: httpx.AsyncClient, member: Person, cypher_calls: CypherCalls
) -> None:
    # when: sent twice, the second time it would be taken as a prepared query
    first = await gql(client, SPREAD_TWICE, person=member)
    second = await gql(client, SPREAD_TWICE, person=member)

    # then
    assert first["errors"] == second["errors"]
    assert cypher_calls.count == 0
