"""GraphQL documents, catalog entries and helpers shared by the relationship tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from neo4j import Driver

from tests.conftest import Person, gql

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

UPDATE_TYPE = """
mutation Update($key: String!, $input: UpdateRelationshipTypeInput!) {
  updateRelationshipType(key: $key, input: $input) {
    __typename
    ... on RelationshipTypeSuccess {
      relationshipType { key label reciprocalLabel symmetric colour limitPerSource limitPerTarget }
    }
    ... on MutationError { code field message }
  }
}
"""

REORDER_TYPES = """
mutation Reorder($keys: [String!]!) {
  reorderRelationshipTypes(keys: $keys) {
    __typename
    ... on RelationshipTypesSuccess { relationshipTypes { key sortOrder } }
    ... on MutationError { code field message }
  }
}
"""

REMOVE_TYPE = """
mutation Remove($key: String!) {
  removeRelationshipType(key: $key) {
    __typename
    ... on RelationshipTypeSuccess { relationshipType { key } }
    ... on MutationError { code field message }
  }
}
"""

RELATIONSHIP_TYPES = "{ relationshipTypes { key sortOrder kinds } }"

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

CREATE_PROJECT = """
mutation Create($input: CreateProjectInput!) {
  createProject(input: $input) { ... on ProjectSuccess { project { id } } }
}
"""

ARCHIVE_CUSTOMER = """
mutation Archive($id: ID!) {
  archiveCustomer(id: $id) { __typename }
}
"""

ADD = """
mutation Add($input: AddRelationshipInput!) {
  addRelationship(input: $input) {
    __typename
    ... on RelationshipSuccess {
      relationship { id typeKey colour current former startsOn endsOn note
                     source { id } target { id } }
      onCard { label outgoing other { id kind name } relationship { id } }
    }
    ... on MutationError { code field message }
  }
}
"""

UPDATE_LINK = """
mutation Update($id: ID!, $input: UpdateRelationshipInput!, $seenFrom: ID) {
  updateRelationship(id: $id, input: $input, seenFrom: $seenFrom) {
    __typename
    ... on RelationshipSuccess {
      relationship { id current former startsOn endsOn note }
      onCard { label other { id } }
    }
    ... on MutationError { code field message }
  }
}
"""

REMOVE_LINK = """
mutation Remove($id: ID!) {
  removeRelationship(id: $id) {
    __typename
    ... on RemoveRelationshipSuccess { id }
    ... on MutationError { code field message }
  }
}
"""

PROMOTE = """
mutation Promote($id: ID!, $kind: RecordKind!, $customerId: ID) {
  promoteExternalParty(id: $id, kind: $kind, customerId: $customerId) {
    __typename
    ... on PromoteSuccess { party { id kind name } }
    ... on MutationError { code field message }
  }
}
"""

# `%s` is the card's root field: customer, contact or project.
CARD = """
query Card($id: ID!, $first: Int, $after: String, $on: Date, $types: [String!]) {
  %s(id: $id) {
    name
    isLinkedToCustomers
    linkedCustomers { id name }
    relationships(first: $first, after: $after, inEffectOn: $on, typeKeys: $types) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          label outgoing other { id kind name }
          relationship {
            id typeKey colour current former startsOn endsOn note type { key }
            source { id } target { id }
          }
        }
      }
    }
  }
}
"""

CUSTOMERS = """
query List($filter: CustomerFilter) {
  customers(filter: $filter) { totalCount edges { node { name } } }
}
"""

PARENT_COMPANY = {
    "key": "PARENT_COMPANY_OF",
    "label": "חברת אם",
    "reciprocalLabel": "חברת בת",
    "colour": "#aa3300",
    "kinds": "CUSTOMER_CUSTOMER",
}
PARTNER = {
    "key": "PARTNER_OF",
    "label": "שותף",
    "symmetric": True,
    "colour": "#112233",
    "kinds": "CUSTOMER_CUSTOMER",
}
ADVISOR = {
    "key": "ADVISED_BY",
    "label": "client",
    "reciprocalLabel": "advisor",
    "colour": "#00AA00",
    "kinds": "CUSTOMER_CONTACT",
}
FATHER = {
    "key": "FATHER_OF",
    "label": "אב",
    "reciprocalLabel": "בן",
    "colour": "#0000FF",
    "kinds": "CONTACT_CONTACT",
}
SUBCONTRACTOR = {
    "key": "SUBCONTRACTED_TO",
    "label": "project",
    "reciprocalLabel": "subcontractor",
    "colour": "#CC00CC",
    "kinds": "PROJECT_CUSTOMER",
}
PROJECT_MANAGER = {
    "key": "MANAGED_BY",
    "label": "project",
    "reciprocalLabel": "project manager",
    "colour": "#777777",
    "kinds": "PROJECT_CONTACT",
}

TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(days=1)


async def define(client: httpx.AsyncClient, admin: Person, **fields: Any) -> dict[str, Any]:
    answer = await gql(client, DEFINE_TYPE, {"input": fields}, admin)
    payload: dict[str, Any] = answer["data"]["defineRelationshipType"]
    return payload


async def catalog(client: httpx.AsyncClient, admin: Person, *types: dict[str, Any]) -> None:
    for fields in types:
        payload = await define(client, admin, **fields)
        assert payload["__typename"] == "RelationshipTypeSuccess", payload


async def customer(client: httpx.AsyncClient, person: Person, name: str) -> str:
    answer = await gql(client, CREATE_CUSTOMER, {"input": {"name": name}}, person)
    return str(answer["data"]["createCustomer"]["customer"]["id"])


async def contact(
    client: httpx.AsyncClient, person: Person, customer_id: str, first: str, last: str = ""
) -> str:
    fields = {"customerId": customer_id, "firstName": first, "lastName": last}
    answer = await gql(client, CREATE_CONTACT, {"input": fields}, person)
    return str(answer["data"]["createContact"]["contact"]["id"])


async def project(client: httpx.AsyncClient, person: Person, customer_id: str, name: str) -> str:
    fields = {"customerId": customer_id, "name": name}
    answer = await gql(client, CREATE_PROJECT, {"input": fields}, person)
    return str(answer["data"]["createProject"]["project"]["id"])


async def add(
    client: httpx.AsyncClient,
    person: Person,
    from_id: str,
    key: str,
    to: dict[str, Any],
    **rest: Any,
) -> dict[str, Any]:
    """The payload of addRelationship, success or refusal."""
    answer = await gql(
        client, ADD, {"input": {"fromId": from_id, "typeKey": key, "to": to, **rest}}, person
    )
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["addRelationship"]
    return payload


async def link(
    client: httpx.AsyncClient,
    person: Person,
    from_id: str,
    key: str,
    to: dict[str, Any],
    **rest: Any,
) -> dict[str, Any]:
    """A relationship that must be added, as the adding record's card shows it."""
    payload = await add(client, person, from_id, key, to, **rest)
    assert payload["__typename"] == "RelationshipSuccess", payload
    return seen(payload)


def seen(payload: dict[str, Any]) -> dict[str, Any]:
    """A relationship payload as one row: the link's own fields with the card's view."""
    on_card = {key: value for key, value in payload["onCard"].items() if key != "relationship"}
    return {**payload["relationship"], **on_card}


async def card(
    client: httpx.AsyncClient, person: Person, kind: str, record_id: str, **variables: Any
) -> dict[str, Any]:
    answer = await gql(client, CARD % kind, {"id": record_id, **variables}, person)
    assert "errors" not in answer, answer
    found: dict[str, Any] = answer["data"][kind]
    return found


def rows(found: dict[str, Any]) -> list[dict[str, Any]]:
    """A card's relationships, in the order it lists them."""
    return [
        {**edge["node"]["relationship"], **edge["node"]} for edge in found["relationships"]["edges"]
    ]


def count(driver: Driver, cypher: str) -> int:
    records, _, _ = driver.execute_query(cypher, database_="neo4j")
    return int(records[0][0])


def snapshot(driver: Driver) -> list[str]:
    """Every node and relationship with every property: a refused write leaves it equal."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS properties", database_="neo4j"
    )
    edges, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, "
        "properties(r) AS properties",
        database_="neo4j",
    )
    return sorted(
        [repr((sorted(n["labels"]), sorted(n["properties"].items()))) for n in nodes]
        + [repr((e["type"], e["a"], e["b"], sorted(e["properties"].items()))) for e in edges]
    )


# The relation map and paths.

MAP = """
query Map($roots: [ID!]!, $depth: Int, $limit: Int, $types: [String!], $kinds: [PartyKind!],
          $asOf: Date, $structural: Boolean! = false) {
  relationMap(rootIds: $roots, depth: $depth, limit: $limit, typeKeys: $types, kinds: $kinds,
              asOf: $asOf, includeStructural: $structural) {
    nodes { depth party { id kind name } }
    edges { id source target typeKey label reciprocalLabel colour structural startsOn endsOn }
    truncated
  }
}
"""

PATH = """
query Path($from: ID!, $to: ID!, $maxDepth: Int, $types: [String!], $kinds: [PartyKind!],
           $asOf: Date, $structural: Boolean! = false) {
  relationshipPath(fromId: $from, toId: $to, maxDepth: $maxDepth, typeKeys: $types,
                   kinds: $kinds, asOf: $asOf, includeStructural: $structural) {
    nodes { depth party { id kind name } }
    edges { source target typeKey label colour structural }
    truncated
  }
}
"""


async def relation_map(
    client: httpx.AsyncClient, person: Person, roots: list[str], **arguments: Any
) -> dict[str, Any]:
    answer = await gql(client, MAP, {"roots": roots, **arguments}, person)
    assert "errors" not in answer, answer
    return flat(answer["data"]["relationMap"])


async def path(
    client: httpx.AsyncClient, person: Person, from_id: str, to_id: str, **arguments: Any
) -> dict[str, Any] | None:
    answer = await gql(client, PATH, {"from": from_id, "to": to_id, **arguments}, person)
    assert "errors" not in answer, answer
    found: dict[str, Any] | None = answer["data"]["relationshipPath"]
    return None if found is None else flat(found)


def flat(found: dict[str, Any]) -> dict[str, Any]:
    """A map with each node's party and depth in one row: id, kind, label (its name), depth."""
    nodes = [
        {"id": n["party"]["id"], "kind": n["party"]["kind"], "label": n["party"]["name"]}
        | {"depth": n["depth"]}
        for n in found["nodes"]
    ]
    return {**found, "nodes": nodes}


def depths(found: dict[str, Any]) -> dict[str, int]:
    return {node["id"]: node["depth"] for node in found["nodes"]}


def pairs(found: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each edge as (type, source, target), sorted."""
    return sorted((e["typeKey"], e["source"], e["target"]) for e in found["edges"])
