"""Relationship types, links, cards, the relation map and paths through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql

pytestmark = pytest.mark.anyio

DEFINE_TYPE = """
mutation Define($input: DefineRelationshipTypeInput!) {
  defineRelationshipType(input: $input) {
    __typename
    ... on RelationshipTypeSuccess {
      relationshipType { key label reciprocalLabel symmetric colour sortOrder kinds
                         limitPerSource limitPerTarget }
    }
    ... on MutationError { code field message }
  }
}
"""

CREATE_CUSTOMER = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { ... on CustomerSuccess { customer { id } } }
}
"""

CREATE_CONTACT = """
mutation Create($input: CreateContactInput!) {
  createContact(input: $input) { ... on ContactSuccess { contact { id } } }
}
"""

ADD = """
mutation Add($input: AddRelationshipInput!) {
  addRelationship(input: $input) {
    __typename
    ... on RelationshipSuccess {
      relationship { id typeKey label colour outgoing current former startsOn endsOn note
                     other { id kind name } }
    }
    ... on MutationError { code field message }
  }
}
"""

CUSTOMER_CARD = """
query Card($id: ID!) {
  customer(id: $id) {
    name
    isLinkedToCustomers
    linkedCustomers { id name }
    relationships(first: 10) {
      totalCount
      edges { node { typeKey label colour current other { id kind name } type { key } } }
    }
  }
}
"""

MAP = """
query Map($roots: [ID!]!, $depth: Int, $limit: Int, $types: [String!], $structural: Boolean!) {
  relationMap(rootIds: $roots, depth: $depth, limit: $limit, typeKeys: $types,
              includeStructural: $structural) {
    nodes { id kind label depth }
    edges { id source target typeKey label reciprocalLabel colour structural }
    truncated
  }
}
"""

PATH = """
query Path($from: ID!, $to: ID!) {
  relationshipPath(fromId: $from, toId: $to) {
    nodes { id depth }
    edges { source target typeKey }
  }
}
"""


async def define(client: httpx.AsyncClient, admin: Person, **fields: Any) -> dict[str, Any]:
    answer = await gql(client, DEFINE_TYPE, {"input": fields}, admin)
    payload: dict[str, Any] = answer["data"]["defineRelationshipType"]
    return payload


async def customer(client: httpx.AsyncClient, person: Person, name: str) -> str:
    answer = await gql(client, CREATE_CUSTOMER, {"input": {"name": name}}, person)
    return str(answer["data"]["createCustomer"]["customer"]["id"])


async def link(
    client: httpx.AsyncClient, person: Person, from_id: str, key: str, to: dict[str, Any], **rest: Any
) -> dict[str, Any]:
    answer = await gql(
        client, ADD, {"input": {"fromId": from_id, "typeKey": key, "to": to, **rest}}, person
    )
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["addRelationship"]
    return payload


async def test_reciprocal_labels_read_from_both_sides(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    defined = await define(
        client,
        admin,
        key="PARENT_COMPANY_OF",
        label="חברת אם",
        reciprocalLabel="חברת בת",
        colour="#aa3300",
        kinds="CUSTOMER_CUSTOMER",
    )
    assert defined["relationshipType"]["colour"] == "#AA3300"
    parent = await customer(client, member, "Parent Ltd")
    child = await customer(client, member, "Child Ltd")

    # when
    added = await link(client, member, parent, "PARENT_COMPANY_OF", {"id": child})

    # then
    assert added["__typename"] == "RelationshipSuccess", added
    assert added["relationship"]["label"] == "חברת בת"
    assert added["relationship"]["other"] == {"id": child, "kind": "CUSTOMER", "name": "Child Ltd"}
    cypher_calls.count = 0
    parent_card = (await gql(client, CUSTOMER_CARD, {"id": parent}, member))["data"]["customer"]
    assert cypher_calls.count == 1
    child_card = (await gql(client, CUSTOMER_CARD, {"id": child}, member))["data"]["customer"]
    assert [e["node"]["label"] for e in parent_card["relationships"]["edges"]] == ["חברת בת"]
    assert [e["node"]["label"] for e in child_card["relationships"]["edges"]] == ["חברת אם"]
    assert child_card["relationships"]["edges"][0]["node"]["other"]["name"] == "Parent Ltd"
    assert parent_card["isLinkedToCustomers"] is True
    assert parent_card["linkedCustomers"] == [{"id": child, "name": "Child Ltd"}]


async def test_map_with_a_cycle_has_each_node_and_edge_once(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given a triangle a-b-c-a and a tail c-d
    await define(
        client, admin, key="PARTNER_OF", label="partner", symmetric=True, colour="#112233",
        kinds="CUSTOMER_CUSTOMER",
    )
    a, b, c, d = [await customer(client, member, name) for name in "ABCD"]
    for x, y in ((a, b), (b, c), (c, a), (c, d)):
        await link(client, member, x, "PARTNER_OF", {"id": y})

    # when
    cypher_calls.count = 0
    answer = await gql(
        client, MAP, {"roots": [a], "depth": 3, "structural": False}, member
    )

    # then
    assert cypher_calls.count == 1
    relation_map = answer["data"]["relationMap"]
    depths = {node["id"]: node["depth"] for node in relation_map["nodes"]}
    assert depths == {a: 0, b: 1, c: 1, d: 2}
    assert len(relation_map["nodes"]) == 4
    pairs = sorted(tuple(sorted((e["source"], e["target"]))) for e in relation_map["edges"])
    assert pairs == sorted(tuple(sorted(p)) for p in ((a, b), (b, c), (c, a), (c, d)))
    assert relation_map["truncated"] is False

    path = (await gql(client, PATH, {"from": b, "to": d}, member))["data"]["relationshipPath"]
    assert [n["id"] for n in path["nodes"]] == [b, c, d]
    assert [n["depth"] for n in path["nodes"]] == [0, 1, 2]


async def test_free_text_and_promotion(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    await define(
        client, admin, key="SUPPLIER_OF", label="supplier", reciprocalLabel="client",
        colour="#00FF00", kinds="CUSTOMER_CUSTOMER",
    )
    a = await customer(client, member, "Vendor")
    added = await link(client, member, a, "SUPPLIER_OF", {"freeText": "Mystery Buyer"})
    assert added["relationship"]["other"]["kind"] == "EXTERNAL"
    assert added["relationship"]["label"] == "client"
    party = added["relationship"]["other"]["id"]
    promoted = await gql(
        client,
        """mutation P($id: ID!) { promoteExternalParty(id: $id, kind: CUSTOMER) {
             __typename ... on PromoteSuccess { party { id kind name } }
             ... on MutationError { code field message } } }""",
        {"id": party},
        member,
    )
    assert promoted["data"]["promoteExternalParty"]["party"] == {
        "id": party, "kind": "CUSTOMER", "name": "Mystery Buyer"
    }
    card = (await gql(client, CUSTOMER_CARD, {"id": party}, member))["data"]["customer"]
    assert card["name"] == "Mystery Buyer"
    assert [e["node"]["label"] for e in card["relationships"]["edges"]] == ["supplier"]
