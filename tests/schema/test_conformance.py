"""GraphQL as the spec has it, through the real app on demo data: the full introspection
query, fragments (named, nested, on unions), aliases, directives, `__typename`, several
operations in one document and variables' defaults. Each query root field is still one
Cypher statement."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from graphql import (
    GraphQLSchema,
    IntrospectionQuery,
    build_client_schema,
    build_schema,
    get_introspection_query,
    lexicographic_sort_schema,
    print_schema,
)
from neo4j import AsyncDriver

from kesher.seeds.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
from tests.conftest import CypherCalls, gql

pytestmark = pytest.mark.anyio

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { ... on LoginSuccess { token } }
}
"""

CARD_WITH_FRAGMENTS = """
query Card($id: ID!) {
  customer(id: $id) { ...CardFields }
}
fragment CardFields on Customer {
  id
  name
  ...Ownership
  relationships(first: 5) { edges { node { ...Link } } }
}
fragment Ownership on Customer { owner { ...Person } }
fragment Person on User { id name }
fragment Link on CardRelationship { label other { id name kind } relationship { ...Node } }
fragment Node on Node { __typename id }
"""
CARD_INLINE = """
query Card($id: ID!) {
  customer(id: $id) {
    id
    name
    owner { id name }
    relationships(first: 5) {
      edges { node { label other { id name kind } relationship { __typename id } } }
    }
  }
}
"""

ALIASES = """
query Aliases($id: ID!) {
  firstTwo: customers(first: 2, orderBy: NAME_ASC) { edges { node { id name } } }
  lastThree: customers(first: 3, orderBy: NAME_DESC) { edges { node { id name } } }
  card: customer(id: $id) {
    one: relationships(first: 1) { edges { node { relationship { id } } } }
    many: relationships(first: 50) { totalCount edges { node { relationship { id } } } }
  }
}
"""

DIRECTIVES = """
query Card($id: ID!, $withOwner: Boolean!, $hideName: Boolean!) {
  customer(id: $id) {
    id
    name @skip(if: $hideName)
    owner @include(if: $withOwner) { name }
    ...Status @include(if: $withOwner)
    ... on Customer @skip(if: $hideName) { city }
  }
}
fragment Status on Customer { status }
"""

TYPENAMES = """
query Typenames($id: ID!) {
  __typename
  customer(id: $id) {
    __typename
    owner { __typename }
    linkedCounts { __typename }
    relationships(first: 2) {
      __typename
      pageInfo { __typename }
      edges { __typename node { __typename other { __typename } } }
    }
  }
  customers(first: 1) { __typename edges { __typename node { __typename } } }
}
"""

SEVERAL_OPERATIONS = """
query Names { customers(first: 3, orderBy: NAME_ASC) { edges { node { name } } } }
query Me { me { email } }
mutation Rename($id: ID!) { updateCustomer(id: $id, input: {city: "Haifa"}) { __typename } }
"""

DEFAULTS = """
query Page($first: Int = 2, $order: RecordOrder = NAME_DESC) {
  customers(first: $first, orderBy: $order) { edges { node { name } } }
}
"""

CREATE_CUSTOMER = """
mutation Create($name: String!) {
  createCustomer(input: {name: $name}) { ...Outcome }
}
fragment Outcome on CustomerPayload {
  __typename
  ... on CustomerSuccess { customer { name } }
  ...Refusal
}
fragment Refusal on MutationError { code field }
"""


@pytest.fixture
async def token(client: httpx.AsyncClient, driver: AsyncDriver, database: str) -> str:
    """The demo admin's token, on the demo data (30 customers with their links)."""
    assert await seed_demo(driver, database, customers=30)
    answer = await gql(client, LOGIN, {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    signed_in: str = answer["data"]["login"]["token"]
    return signed_in


async def _ask(
    client: httpx.AsyncClient,
    token: str,
    document: str,
    variables: dict[str, Any] | None = None,
    operation: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"query": document, "variables": variables or {}}
    if operation is not None:
        body["operationName"] = operation
    response = await client.post(
        "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[no-any-return]


def _printed(schema: GraphQLSchema) -> str:
    return print_schema(lexicographic_sort_schema(schema))


async def _linked_customer(client: httpx.AsyncClient, token: str) -> str:
    """A demo customer with at least two relationships."""
    data = await _ask(
        client,
        token,
        "{ customers(first: 30) { edges { node { id relationships { totalCount } } } } }",
    )
    for edge in data["customers"]["edges"]:
        if edge["node"]["relationships"]["totalCount"] >= 2:
            found: str = edge["node"]["id"]
            return found
    raise AssertionError("no demo customer has two relationships")


async def test_the_full_introspection_query_gives_back_the_committed_schema(
    client: httpx.AsyncClient, token: str, cypher_calls: CypherCalls
) -> None:
    # given
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
        experimental_directive_deprecation=True,
        one_of=True,  # graphql-js's `inputObjectOneOf`
    )
    cypher_calls.count = 0

    # when
    data = await _ask(client, token, query)

    # then: the same schema, type for type, as printed in the same order
    built = build_client_schema(cast("IntrospectionQuery", data))
    committed = build_schema(SCHEMA_FILE.read_text())
    assert _printed(built) == _printed(committed)
    assert cypher_calls.count == 0


async def test_named_and_nested_fragments_answer_as_the_same_selection_inline(
    client: httpx.AsyncClient, token: str, cypher_calls: CypherCalls
) -> None:
    # given
    card = await _linked_customer(client, token)
    cypher_calls.count = 0

    # when
    with_fragments = await _ask(client, token, CARD_WITH_FRAGMENTS, {"id": card})
    calls = cypher_calls.count
    inline = await _ask(client, token, CARD_INLINE, {"id": card})

    # then
    assert with_fragments == inline
    assert len(with_fragments["customer"]["relationships"]["edges"]) >= 2
    assert calls == 1


async def test_fragments_on_a_union_pick_the_member_that_came(
    client: httpx.AsyncClient, token: str
) -> None:
    # when
    made = await _ask(client, token, CREATE_CUSTOMER, {"name": "Conformance Ltd"})
    refused = await _ask(client, token, CREATE_CUSTOMER, {"name": ""})

    # then
    assert made["createCustomer"] == {
        "__typename": "CustomerSuccess",
        "customer": {"name": "Conformance Ltd"},
    }
    assert refused["createCustomer"]["__typename"] == "MutationError"
    assert refused["createCustomer"]["field"] == "name"
    assert set(refused["createCustomer"]) == {"__typename", "code", "field"}


async def test_aliases_of_one_field_with_different_arguments(
    client: httpx.AsyncClient, token: str, cypher_calls: CypherCalls
) -> None:
    # given
    card = await _linked_customer(client, token)
    cypher_calls.count = 0

    # when
    data = await _ask(client, token, ALIASES, {"id": card})

    # then: three root fields, three statements
    assert cypher_calls.count == 3
    ascending = [edge["node"]["name"] for edge in data["firstTwo"]["edges"]]
    descending = [edge["node"]["name"] for edge in data["lastThree"]["edges"]]
    assert len(ascending) == 2
    assert len(descending) == 3
    assert ascending == sorted(ascending)
    assert descending == sorted(descending, reverse=True)
    assert ascending[0] < descending[0]
    assert len(data["card"]["one"]["edges"]) == 1
    many = data["card"]["many"]
    assert len(many["edges"]) == many["totalCount"] >= 2
    assert data["card"]["one"]["edges"][0] == many["edges"][0]


async def test_skip_and_include_follow_their_variables(
    client: httpx.AsyncClient, token: str, cypher_calls: CypherCalls
) -> None:
    # given
    card = await _linked_customer(client, token)

    for with_owner, hide_name in [(True, False), (False, True), (True, True), (False, False)]:
        # when
        cypher_calls.count = 0
        data = await _ask(
            client,
            token,
            DIRECTIVES,
            {"id": card, "withOwner": with_owner, "hideName": hide_name},
        )

        # then
        assert cypher_calls.count == 1
        expected = {"id"}
        if with_owner:
            expected |= {"owner", "status"}
        if not hide_name:
            expected |= {"name", "city"}
        assert set(data["customer"]) == expected


async def test_typename_is_answered_at_every_level(
    client: httpx.AsyncClient, token: str, cypher_calls: CypherCalls
) -> None:
    # given
    card = await _linked_customer(client, token)
    cypher_calls.count = 0

    # when
    data = await _ask(client, token, TYPENAMES, {"id": card})

    # then
    assert cypher_calls.count == 2
    assert data["__typename"] == "Query"
    customer = data["customer"]
    assert customer["__typename"] == "Customer"
    assert customer["linkedCounts"]["__typename"] == "CustomerCounts"
    assert customer["owner"] in (None, {"__typename": "User"})
    links = customer["relationships"]
    assert links["__typename"] == "CardRelationshipConnection"
    assert links["pageInfo"] == {"__typename": "PageInfo"}
    assert links["edges"]
    for edge in links["edges"]:
        assert edge["__typename"] == "CardRelationshipEdge"
        assert edge["node"]["__typename"] == "CardRelationship"
        assert edge["node"]["other"] == {"__typename": "RelatedParty"}
    assert data["customers"]["__typename"] == "CustomerConnection"
    assert data["customers"]["edges"] == [
        {"__typename": "CustomerEdge", "node": {"__typename": "Customer"}}
    ]


async def test_operation_name_picks_one_of_several_operations(
    client: httpx.AsyncClient, token: str, cypher_calls: CypherCalls
) -> None:
    # given
    cypher_calls.count = 0

    # when
    names = await _ask(client, token, SEVERAL_OPERATIONS, operation="Names")
    calls = cypher_calls.count
    me = await _ask(client, token, SEVERAL_OPERATIONS, operation="Me")

    # then: only the named operation ran; the mutation did not
    assert calls == 1
    assert len(names["customers"]["edges"]) == 3
    assert me == {"me": {"email": DEMO_EMAIL}}
    cities = await _ask(client, token, "{ customers(first: 30) { edges { node { city } } } }")
    assert "Haifa" not in {edge["node"]["city"] for edge in cities["customers"]["edges"]}


async def test_variables_take_their_defaults_unless_given(
    client: httpx.AsyncClient, token: str, cypher_calls: CypherCalls
) -> None:
    # when
    cypher_calls.count = 0
    defaulted = await _ask(client, token, DEFAULTS)
    calls = cypher_calls.count
    given = await _ask(client, token, DEFAULTS, {"first": 4, "order": "NAME_ASC"})

    # then
    assert calls == 1
    down = [edge["node"]["name"] for edge in defaulted["customers"]["edges"]]
    up = [edge["node"]["name"] for edge in given["customers"]["edges"]]
    assert len(down) == 2
    assert down == sorted(down, reverse=True)
    assert len(up) == 4
    assert up == sorted(up)


ON_AN_INTERFACE = """
query Objects($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ...Identified
    ... on Customer { name owner { ...Identified } }
    ... on User { email }
  }
}
fragment Identified on Node { id }
"""


async def test_fragments_on_an_interface_pick_the_type_that_came(
    client: httpx.AsyncClient, token: str, cypher_calls: CypherCalls
) -> None:
    # given: a customer and its owner, by their global ids
    card = await _linked_customer(client, token)
    owner = (
        await _ask(
            client, token, "query($id: ID!) { customer(id: $id) { owner { id } } }", {"id": card}
        )
    )["customer"]["owner"]["id"]
    cypher_calls.count = 0

    # when
    data = await _ask(client, token, ON_AN_INTERFACE, {"ids": [card, owner, "cus_nothing"]})

    # then: one statement; each object in the shape of its own type, the unknown id null
    assert cypher_calls.count == 1
    customer, user, missing = data["nodes"]
    assert customer["__typename"] == "Customer"
    assert customer["id"] == card
    assert customer["owner"] == {"id": owner}
    assert set(customer) == {"__typename", "id", "name", "owner"}
    assert user["__typename"] == "User"
    assert user["id"] == owner
    assert set(user) == {"__typename", "id", "email"}
    assert missing is None
