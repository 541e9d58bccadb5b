"""Relationship types, links between records and the cards that show them, through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
      relationship { id typeKey label colour outgoing current former startsOn endsOn note
                     other { id kind name } }
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
      relationship { id label current former startsOn endsOn note other { id } }
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
          id typeKey label colour outgoing current former startsOn endsOn note
          other { id kind name }
          type { key }
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
    relationship: dict[str, Any] = payload["relationship"]
    return relationship


async def card(
    client: httpx.AsyncClient, person: Person, kind: str, record_id: str, **variables: Any
) -> dict[str, Any]:
    answer = await gql(client, CARD % kind, {"id": record_id, **variables}, person)
    assert "errors" not in answer, answer
    found: dict[str, Any] = answer["data"][kind]
    return found


def rows(found: dict[str, Any]) -> list[dict[str, Any]]:
    """A card's relationships, in the order it lists them."""
    return [edge["node"] for edge in found["relationships"]["edges"]]


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


# The catalog.


async def test_define_keeps_hebrew_labels_and_puts_the_type_last(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, ADVISOR)

    # when
    defined = await define(client, admin, **PARENT_COMPANY, limitPerTarget=1)
    symmetric = await define(client, admin, **PARTNER, limitPerSource=3)

    # then
    assert defined["relationshipType"] == {
        "key": "PARENT_COMPANY_OF",
        "label": "חברת אם",
        "reciprocalLabel": "חברת בת",
        "symmetric": False,
        "colour": "#AA3300",
        "sortOrder": 2,
        "kinds": "CUSTOMER_CUSTOMER",
        "limitPerSource": None,
        "limitPerTarget": 1,
    }
    assert symmetric["relationshipType"]["reciprocalLabel"] == "שותף"
    assert symmetric["relationshipType"]["limitPerTarget"] == 3
    listed = (await gql(client, RELATIONSHIP_TYPES, None, member))["data"]["relationshipTypes"]
    assert listed == [
        {"key": "ADVISED_BY", "sortOrder": 1, "kinds": "CUSTOMER_CONTACT"},
        {"key": "PARENT_COMPANY_OF", "sortOrder": 2, "kinds": "CUSTOMER_CUSTOMER"},
        {"key": "PARTNER_OF", "sortOrder": 3, "kinds": "CUSTOMER_CUSTOMER"},
    ]


async def test_a_key_is_defined_once(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY)
    before = snapshot(clean_db)

    # when
    again = await define(client, admin, **{**PARENT_COMPANY, "label": "other"})

    # then
    assert (again["code"], again["field"]) == ("CONFLICT", "key")
    assert snapshot(clean_db) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": "father_of"}, "key"),
        ({"key": "Father_Of"}, "key"),
        ({"key": "FATHER__OF"}, "key"),
        ({"key": "_FATHER"}, "key"),
        ({"key": "2FATHER"}, "key"),
        ({"key": "FATHER-OF"}, "key"),
        ({"key": "WORKS_AT"}, "key"),
        ({"key": "FOR"}, "key"),
        ({"key": "OWNED_BY"}, "key"),
        ({"key": "K" * 61}, "key"),
        ({"colour": "red"}, "colour"),
        ({"colour": "#12345"}, "colour"),
        ({"colour": "#1234567"}, "colour"),
        ({"colour": "#GG0000"}, "colour"),
        ({"colour": "112233"}, "colour"),
        ({"label": ""}, "label"),
        ({"reciprocalLabel": None}, "reciprocalLabel"),
        ({"limitPerSource": 0}, "limitPerSource"),
        ({"symmetric": True, "kinds": "CUSTOMER_CONTACT"}, "symmetric"),
        ({"symmetric": True, "kinds": "PROJECT_CUSTOMER"}, "symmetric"),
        ({"symmetric": True, "reciprocalLabel": "other"}, "reciprocalLabel"),
        (
            {"symmetric": True, "reciprocalLabel": None, "limitPerSource": 1, "limitPerTarget": 2},
            "limitPerTarget",
        ),
    ],
)
async def test_bad_type_is_refused_and_writes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    clean_db: Driver,
    changes: dict[str, Any],
    field: str,
) -> None:
    # given
    before = snapshot(clean_db)

    # when
    refused = await define(client, admin, **{**PARENT_COMPANY, **changes})

    # then
    assert refused["__typename"] == "MutationError"
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", field)
    assert field in refused["message"]
    assert snapshot(clean_db) == before


async def test_a_key_of_sixty_characters_is_allowed(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    defined = await define(client, admin, **{**PARENT_COMPANY, "key": "K" * 60})

    assert defined["relationshipType"]["key"] == "K" * 60
    assert count(clean_db, "MATCH ()-[r]->() RETURN count(r)") == 0


async def test_catalog_mutations_are_for_admins(
    client: httpx.AsyncClient, admin: Person, member: Person, manager: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY, PARTNER)
    before = snapshot(clean_db)
    attempts: list[tuple[str, dict[str, Any]]] = [
        (DEFINE_TYPE, {"input": FATHER}),
        (UPDATE_TYPE, {"key": "PARTNER_OF", "input": {"label": "x"}}),
        (REORDER_TYPES, {"keys": ["PARTNER_OF", "PARENT_COMPANY_OF"]}),
        (REMOVE_TYPE, {"key": "PARTNER_OF"}),
    ]

    for person in (member, manager):
        for document, variables in attempts:
            # when
            answer = await gql(client, document, variables, person)

            # then
            assert answer["data"] is None
            assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            assert "ADMIN" in answer["errors"][0]["message"]
    assert snapshot(clean_db) == before


async def test_update_changes_labels_and_colour_but_not_the_key(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY)
    parent = await customer(client, member, "Parent")
    child = await customer(client, member, "Child")
    await link(client, member, parent, "PARENT_COMPANY_OF", {"id": child})

    # when
    answer = await gql(
        client,
        UPDATE_TYPE,
        {
            "key": "PARENT_COMPANY_OF",
            "input": {"label": "owner", "reciprocalLabel": "owned", "colour": "#abcdef"},
        },
        admin,
    )

    # then
    assert answer["data"]["updateRelationshipType"]["relationshipType"] == {
        "key": "PARENT_COMPANY_OF",
        "label": "owner",
        "reciprocalLabel": "owned",
        "symmetric": False,
        "colour": "#ABCDEF",
        "limitPerSource": None,
        "limitPerTarget": None,
    }
    parent_card = await card(client, member, "customer", parent)
    child_card = await card(client, member, "customer", child)
    assert [(r["label"], r["colour"]) for r in rows(parent_card)] == [("owned", "#ABCDEF")]
    assert [(r["label"], r["colour"]) for r in rows(child_card)] == [("owner", "#ABCDEF")]


@pytest.mark.parametrize(
    ("key", "changes", "code", "field"),
    [
        ("PARENT_COMPANY_OF", {"colour": "blue"}, "INVALID_INPUT", "colour"),
        ("PARENT_COMPANY_OF", {"label": None}, "INVALID_INPUT", "label"),
        ("ADVISED_BY", {"symmetric": True}, "INVALID_INPUT", "symmetric"),
        ("PARTNER_OF", {"reciprocalLabel": "other"}, "INVALID_INPUT", "reciprocalLabel"),
        ("NO_SUCH_TYPE", {"label": "x"}, "NOT_FOUND", "key"),
    ],
)
async def test_bad_update_is_refused_and_writes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    clean_db: Driver,
    key: str,
    changes: dict[str, Any],
    code: str,
    field: str,
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY, PARTNER, ADVISOR)
    before = snapshot(clean_db)

    # when
    answer = await gql(client, UPDATE_TYPE, {"key": key, "input": changes}, admin)

    # then
    refused = answer["data"]["updateRelationshipType"]
    assert (refused["code"], refused["field"]) == (code, field)
    assert snapshot(clean_db) == before


async def test_a_limit_lower_than_a_record_already_has_is_refused(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given: a parent company with three subsidiaries, one of them former
    await catalog(client, admin, PARENT_COMPANY)
    parent = await customer(client, member, "Parent")
    for name, ends_on in (("A", None), ("B", None), ("C", YESTERDAY.isoformat())):
        child = await customer(client, member, name)
        await link(client, member, parent, "PARENT_COMPANY_OF", {"id": child}, endsOn=ends_on)
    before = snapshot(clean_db)

    # when
    too_low = await gql(
        client, UPDATE_TYPE, {"key": "PARENT_COMPANY_OF", "input": {"limitPerSource": 1}}, admin
    )
    unchanged = snapshot(clean_db)
    just_enough = await gql(
        client, UPDATE_TYPE, {"key": "PARENT_COMPANY_OF", "input": {"limitPerSource": 2}}, admin
    )
    other_side = await gql(
        client, UPDATE_TYPE, {"key": "PARENT_COMPANY_OF", "input": {"limitPerTarget": 1}}, admin
    )

    # then
    refused = too_low["data"]["updateRelationshipType"]
    assert (refused["code"], refused["field"]) == ("LIMIT_REACHED", "limitPerSource")
    assert unchanged == before
    assert just_enough["data"]["updateRelationshipType"]["relationshipType"]["limitPerSource"] == 2
    assert other_side["data"]["updateRelationshipType"]["relationshipType"] == {
        "key": "PARENT_COMPANY_OF",
        "label": "חברת אם",
        "reciprocalLabel": "חברת בת",
        "symmetric": False,
        "colour": "#AA3300",
        "limitPerSource": 2,
        "limitPerTarget": 1,
    }


async def test_a_symmetric_limit_counts_links_both_ways(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: b is the target of one partnership and the source of another
    await catalog(client, admin, PARTNER)
    a, b, c = [await customer(client, member, name) for name in "ABC"]
    await link(client, member, a, "PARTNER_OF", {"id": b})
    await link(client, member, b, "PARTNER_OF", {"id": c})

    # when
    refused = await gql(
        client, UPDATE_TYPE, {"key": "PARTNER_OF", "input": {"limitPerSource": 1}}, admin
    )
    allowed = await gql(
        client, UPDATE_TYPE, {"key": "PARTNER_OF", "input": {"limitPerSource": 2}}, admin
    )

    # then
    assert refused["data"]["updateRelationshipType"]["code"] == "LIMIT_REACHED"
    assert allowed["data"]["updateRelationshipType"]["relationshipType"]["limitPerTarget"] == 2
    over = await add(client, member, b, "PARTNER_OF", {"freeText": "Third"})
    assert (over["code"], over["field"]) == ("LIMIT_REACHED", "typeKey")


async def test_a_type_linking_a_pair_both_ways_cannot_become_symmetric(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given: a and b each the other's parent company (not yet a repeat)
    await catalog(client, admin, PARENT_COMPANY)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    await link(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    back = await link(client, member, b, "PARENT_COMPANY_OF", {"id": a})
    before = snapshot(clean_db)

    # when
    refused = await gql(
        client, UPDATE_TYPE, {"key": "PARENT_COMPANY_OF", "input": {"symmetric": True}}, admin
    )
    unchanged = snapshot(clean_db)
    await gql(client, REMOVE_LINK, {"id": back["id"]}, member)
    allowed = await gql(
        client, UPDATE_TYPE, {"key": "PARENT_COMPANY_OF", "input": {"symmetric": True}}, admin
    )

    # then
    payload = refused["data"]["updateRelationshipType"]
    assert (payload["code"], payload["field"]) == ("CONFLICT", "symmetric")
    assert unchanged == before
    made = allowed["data"]["updateRelationshipType"]["relationshipType"]
    assert (made["symmetric"], made["reciprocalLabel"]) == (True, "חברת אם")
    assert [r["label"] for r in rows(await card(client, member, "customer", b))] == ["חברת אם"]


async def test_reorder_changes_the_catalog_and_card_order(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY, PARTNER, ADVISOR)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    dana = await contact(client, member, a, "Dana")
    await link(client, member, a, "ADVISED_BY", {"id": dana})
    await link(client, member, a, "PARTNER_OF", {"id": b})
    await link(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    listed = [r["typeKey"] for r in rows(await card(client, member, "customer", a))]
    assert listed == ["PARENT_COMPANY_OF", "PARTNER_OF", "ADVISED_BY"]

    # when
    answer = await gql(
        client, REORDER_TYPES, {"keys": ["ADVISED_BY", "PARENT_COMPANY_OF", "PARTNER_OF"]}, admin
    )

    # then
    assert answer["data"]["reorderRelationshipTypes"]["relationshipTypes"] == [
        {"key": "ADVISED_BY", "sortOrder": 1},
        {"key": "PARENT_COMPANY_OF", "sortOrder": 2},
        {"key": "PARTNER_OF", "sortOrder": 3},
    ]
    types = (await gql(client, RELATIONSHIP_TYPES, None, member))["data"]["relationshipTypes"]
    assert [t["key"] for t in types] == ["ADVISED_BY", "PARENT_COMPANY_OF", "PARTNER_OF"]
    listed = [r["typeKey"] for r in rows(await card(client, member, "customer", a))]
    assert listed == ["ADVISED_BY", "PARENT_COMPANY_OF", "PARTNER_OF"]


@pytest.mark.parametrize(
    ("keys", "code"),
    [
        (["PARTNER_OF", "PARENT_COMPANY_OF"], "INVALID_INPUT"),
        (["PARTNER_OF", "PARENT_COMPANY_OF", "ADVISED_BY", "PARTNER_OF"], "INVALID_INPUT"),
        (["PARTNER_OF", "PARENT_COMPANY_OF", "ADVISED_BY", "NO_SUCH_TYPE"], "NOT_FOUND"),
        ([], "INVALID_INPUT"),
    ],
)
async def test_reorder_must_name_every_key_once(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver, keys: list[str], code: str
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY, PARTNER, ADVISOR)
    before = snapshot(clean_db)

    # when
    answer = await gql(client, REORDER_TYPES, {"keys": keys}, admin)

    # then
    refused = answer["data"]["reorderRelationshipTypes"]
    assert (refused["code"], refused["field"]) == (code, "keys")
    assert snapshot(clean_db) == before


async def test_a_type_in_use_is_removed_only_after_its_last_link(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    linked = await link(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    before = snapshot(clean_db)

    # when
    in_use = await gql(client, REMOVE_TYPE, {"key": "PARENT_COMPANY_OF"}, admin)
    unchanged = snapshot(clean_db)
    await gql(client, REMOVE_LINK, {"id": linked["id"]}, member)
    removed = await gql(client, REMOVE_TYPE, {"key": "PARENT_COMPANY_OF"}, admin)
    unknown = await gql(client, REMOVE_TYPE, {"key": "PARENT_COMPANY_OF"}, admin)

    # then
    refused = in_use["data"]["removeRelationshipType"]
    assert (refused["code"], refused["field"]) == ("IN_USE", "key")
    assert unchanged == before
    assert removed["data"]["removeRelationshipType"]["relationshipType"] == {
        "key": "PARENT_COMPANY_OF"
    }
    assert unknown["data"]["removeRelationshipType"]["code"] == "NOT_FOUND"
    types = (await gql(client, RELATIONSHIP_TYPES, None, member))["data"]["relationshipTypes"]
    assert [t["key"] for t in types] == ["PARTNER_OF"]
    gone = await add(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    assert (gone["code"], gone["field"]) == ("NOT_FOUND", "typeKey")
    assert rows(await card(client, member, "customer", a)) == []


# Links.


async def test_reciprocal_labels_read_from_both_sides(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY)
    parent = await customer(client, member, "Parent Ltd")
    child = await customer(client, member, "Child Ltd")

    # when
    added = await link(
        client,
        member,
        parent,
        "PARENT_COMPANY_OF",
        {"id": child},
        startsOn="2020-01-01",
        note="since the merger",
    )

    # then
    assert added["label"] == "חברת בת"
    assert added["outgoing"] is True
    assert added["colour"] == "#AA3300"
    assert (added["startsOn"], added["endsOn"], added["note"]) == (
        "2020-01-01",
        None,
        "since the merger",
    )
    assert (added["current"], added["former"]) == (True, False)
    assert added["other"] == {"id": child, "kind": "CUSTOMER", "name": "Child Ltd"}
    cypher_calls.count = 0
    parent_card = await card(client, member, "customer", parent)
    assert cypher_calls.count == 1
    child_card = await card(client, member, "customer", child)
    assert [(r["label"], r["outgoing"]) for r in rows(parent_card)] == [("חברת בת", True)]
    assert [(r["label"], r["outgoing"]) for r in rows(child_card)] == [("חברת אם", False)]
    assert rows(child_card)[0]["other"] == {"id": parent, "kind": "CUSTOMER", "name": "Parent Ltd"}
    assert rows(child_card)[0]["id"] == rows(parent_card)[0]["id"] == added["id"]
    assert parent_card["isLinkedToCustomers"] is True
    assert parent_card["linkedCustomers"] == [{"id": child, "name": "Child Ltd"}]
    assert child_card["linkedCustomers"] == [{"id": parent, "name": "Parent Ltd"}]


@pytest.mark.parametrize(
    ("kind_type", "from_kind", "to_kind"),
    [
        (PARENT_COMPANY, "customer", "customer"),
        (ADVISOR, "customer", "contact"),
        (FATHER, "contact", "contact"),
        (SUBCONTRACTOR, "project", "customer"),
        (PROJECT_MANAGER, "project", "contact"),
    ],
)
async def test_every_kind_pair_links_from_either_side(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    kind_type: dict[str, Any],
    from_kind: str,
    to_kind: str,
) -> None:
    # given
    await catalog(client, admin, kind_type)
    home = await customer(client, member, "Home")

    async def record(kind: str, name: str) -> str:
        if kind == "customer":
            return await customer(client, member, name)
        if kind == "contact":
            return await contact(client, member, home, name)
        return await project(client, member, home, name)

    source = await record(from_kind, "Source")
    target = await record(to_kind, "Target")
    key = kind_type["key"]

    # when: added on the source's card, then on the target's card with a free-text party
    # (between two records of one kind, the card a link is added on is its start)
    forward = await link(client, member, source, key, {"id": target})
    backward = await link(client, member, target, key, {"freeText": "Someone"})

    # then
    assert (forward["label"], forward["outgoing"]) == (kind_type["reciprocalLabel"], True)
    assert forward["other"]["kind"] == to_kind.upper()
    starts_here = from_kind == to_kind
    role = kind_type["reciprocalLabel"] if starts_here else kind_type["label"]
    assert (backward["label"], backward["outgoing"]) == (role, starts_here)
    assert backward["other"]["kind"] == "EXTERNAL"
    source_rows = rows(await card(client, member, from_kind, source))
    target_rows = rows(await card(client, member, to_kind, target))
    assert [(r["label"], r["other"]["id"]) for r in source_rows] == [
        (kind_type["reciprocalLabel"], target)
    ]
    assert sorted((r["label"], r["other"]["name"]) for r in target_rows) == sorted(
        [(kind_type["label"], "Source"), (role, "Someone")]
    )


async def test_the_son_adds_his_father_with_reverse(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, FATHER, ADVISOR)
    home = await customer(client, member, "Home")
    son = await contact(client, member, home, "Son")
    father = await contact(client, member, home, "Father")

    # when
    added = await link(client, member, son, FATHER["key"], {"id": father}, reverse=True)

    # then
    assert (added["label"], added["outgoing"]) == (FATHER["label"], False)
    assert [r["label"] for r in rows(await card(client, member, "contact", son))] == [
        FATHER["label"]
    ]
    assert [r["label"] for r in rows(await card(client, member, "contact", father))] == [
        FATHER["reciprocalLabel"]
    ]

    # and a type between two kinds has its direction from the kinds
    before = snapshot(clean_db)
    refused = await add(client, member, home, ADVISOR["key"], {"id": son}, reverse=True)
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "reverse")
    assert snapshot(clean_db) == before


async def world(client: httpx.AsyncClient, admin: Person, member: Person) -> dict[str, str]:
    """Customers a, b, c, archived x, contact d at a; a is b's parent company and partner
    of b and c (the partnership's limit of two is reached); d advises a (limit one)."""
    await catalog(
        client,
        admin,
        {**PARENT_COMPANY, "limitPerTarget": 1},
        {**PARTNER, "limitPerSource": 2},
        {**ADVISOR, "limitPerSource": 1},
        FATHER,
    )
    ids = {name: await customer(client, member, name) for name in ("a", "b", "c", "x")}
    ids["d"] = await contact(client, member, ids["a"], "Dana")
    ids["e"] = await contact(client, member, ids["a"], "Eli")
    await link(client, member, ids["a"], "PARENT_COMPANY_OF", {"id": ids["b"]})
    await link(client, member, ids["a"], "PARTNER_OF", {"id": ids["b"]})
    await link(client, member, ids["c"], "PARTNER_OF", {"id": ids["a"]})
    await link(client, member, ids["a"], "ADVISED_BY", {"id": ids["d"]})
    return ids


@pytest.mark.parametrize(
    ("from_id", "key", "to", "extra", "code", "field"),
    [
        ("a", "FATHER_OF", {"id": "d"}, {}, "KIND_MISMATCH", "typeKey"),
        ("a", "PARENT_COMPANY_OF", {"id": "d"}, {}, "KIND_MISMATCH", "to.id"),
        ("d", "ADVISED_BY", {"id": "e"}, {}, "KIND_MISMATCH", "to.id"),
        ("c", "PARENT_COMPANY_OF", {"id": "c"}, {}, "INVALID_INPUT", "to.id"),
        ("d", "FATHER_OF", {"id": "d"}, {}, "INVALID_INPUT", "to.id"),
        ("a", "PARENT_COMPANY_OF", {"id": "b"}, {}, "CONFLICT", "to"),
        ("b", "PARTNER_OF", {"id": "a"}, {}, "CONFLICT", "to"),
        ("c", "PARENT_COMPANY_OF", {"id": "b"}, {}, "LIMIT_REACHED", "typeKey"),
        ("a", "PARTNER_OF", {"freeText": "Third"}, {}, "LIMIT_REACHED", "typeKey"),
        ("a", "PARTNER_OF", {"newCustomer": {"name": "New"}}, {}, "LIMIT_REACHED", "typeKey"),
        ("a", "ADVISED_BY", {"freeText": "Someone"}, {}, "LIMIT_REACHED", "typeKey"),
        ("a", "ADVISED_BY", {"newCustomer": {"name": "N"}}, {}, "KIND_MISMATCH", "to.newCustomer"),
        ("x", "PARTNER_OF", {"id": "b"}, {}, "ARCHIVED", "fromId"),
        ("b", "PARTNER_OF", {"id": "x"}, {}, "ARCHIVED", "to.id"),
        ("missing", "PARTNER_OF", {"id": "b"}, {}, "NOT_FOUND", "fromId"),
        ("b", "PARTNER_OF", {"id": "missing"}, {}, "NOT_FOUND", "to.id"),
        ("b", "NO_SUCH_TYPE", {"id": "c"}, {}, "NOT_FOUND", "typeKey"),
        ("b", "partner_of", {"id": "c"}, {}, "INVALID_INPUT", "typeKey"),
        ("b", "WORKS_AT", {"id": "c"}, {}, "INVALID_INPUT", "typeKey"),
        (
            "b",
            "PARTNER_OF",
            {"id": "c"},
            {"startsOn": "2024-05-02", "endsOn": "2024-05-01"},
            "INVALID_INPUT",
            "endsOn",
        ),
        (
            "b",
            "PARTNER_OF",
            {"newCustomer": {"name": ""}},
            {},
            "INVALID_INPUT",
            "to.newCustomer.name",
        ),
        (
            "b",
            "PARTNER_OF",
            {"newCustomer": {"name": "New", "ownerId": "usr_missing"}},
            {},
            "NOT_FOUND",
            "to.newCustomer.ownerId",
        ),
        ("b", "PARTNER_OF", {"freeText": " "}, {}, "INVALID_INPUT", "to.freeText"),
    ],
)
async def test_refused_link_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    manager: Person,
    clean_db: Driver,
    from_id: str,
    key: str,
    to: dict[str, Any],
    extra: dict[str, Any],
    code: str,
    field: str,
) -> None:
    # given
    ids = await world(client, admin, member)
    archived = await gql(client, ARCHIVE_CUSTOMER, {"id": ids["x"]}, manager)
    assert archived["data"]["archiveCustomer"]["__typename"] == "CustomerSuccess"
    before = snapshot(clean_db)
    other = {name: ids.get(value, value) if name == "id" else value for name, value in to.items()}

    # when
    refused = await add(client, member, ids.get(from_id, from_id), key, other, **extra)

    # then
    assert refused["__typename"] == "MutationError", refused
    assert (refused["code"], refused["field"]) == (code, field), refused["message"]
    assert refused["message"]
    assert snapshot(clean_db) == before


async def test_one_party_at_a_time(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")

    # when
    both = await gql(
        client,
        ADD,
        {"input": {"fromId": a, "typeKey": "PARTNER_OF", "to": {"id": b, "freeText": "B"}}},
        member,
    )
    none = await gql(
        client, ADD, {"input": {"fromId": a, "typeKey": "PARTNER_OF", "to": {}}}, member
    )

    # then
    assert both["errors"]
    assert none["errors"]
    assert rows(await card(client, member, "customer", a)) == []


async def test_limits_count_each_side_and_not_former_links(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given: a father may have two children in effect, a child one father
    await catalog(client, admin, {**FATHER, "limitPerSource": 2, "limitPerTarget": 1})
    home = await customer(client, member, "Home")
    father, other, son, daughter, third, grandfather = [
        await contact(client, member, home, name)
        for name in ("Father", "Other", "Son", "Daughter", "Third", "Grandfather")
    ]
    first = await link(client, member, father, "FATHER_OF", {"id": son})
    await link(client, member, father, "FATHER_OF", {"id": daughter})

    # when: the father's source side is full, his target side is not
    over_source = await add(client, member, father, "FATHER_OF", {"id": third})
    over_target = await add(client, member, other, "FATHER_OF", {"id": son})
    his_father = await add(client, member, grandfather, "FATHER_OF", {"id": father})

    # then
    assert (over_source["code"], over_source["field"]) == ("LIMIT_REACHED", "typeKey")
    assert (over_target["code"], over_target["field"]) == ("LIMIT_REACHED", "typeKey")
    assert his_father["__typename"] == "RelationshipSuccess"

    # when: a link that ended frees its place on both sides
    ended = await gql(
        client, UPDATE_LINK, {"id": first["id"], "input": {"endsOn": YESTERDAY.isoformat()}}, member
    )
    third_child = await add(client, member, father, "FATHER_OF", {"id": third})
    new_father = await add(client, member, other, "FATHER_OF", {"id": son})

    # then
    assert ended["data"]["updateRelationship"]["relationship"]["former"] is True
    assert third_child["__typename"] == "RelationshipSuccess", third_child
    assert new_father["__typename"] == "RelationshipSuccess", new_father
    assert count(clean_db, "MATCH ()-[r:FATHER_OF]->() RETURN count(r)") == 5


async def test_a_former_link_added_as_such_does_not_count(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: a subsidiary whose former parent company is recorded
    await catalog(client, admin, {**PARENT_COMPANY, "limitPerTarget": 1})
    old, new, child = [await customer(client, member, name) for name in ("Old", "New", "Child")]
    former = await link(
        client, member, old, "PARENT_COMPANY_OF", {"id": child}, endsOn="2019-12-31"
    )

    # when
    current = await add(client, member, new, "PARENT_COMPANY_OF", {"id": child})

    # then
    assert (former["current"], former["former"]) == (False, True)
    assert current["__typename"] == "RelationshipSuccess", current
    assert [
        (r["other"]["name"], r["former"])
        for r in rows(await card(client, member, "customer", child))
    ] == [
        ("New", False),
        ("Old", True),
    ]


async def test_duplicates_are_refused_while_in_effect(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    first = await link(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    await link(client, member, a, "PARTNER_OF", {"id": b})

    # when
    same = await add(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    from_other_card = await add(client, member, b, "PARENT_COMPANY_OF", {"id": a}, endsOn=None)
    symmetric_reverse = await add(client, member, b, "PARTNER_OF", {"id": a})
    overlapping = await add(
        client, member, a, "PARENT_COMPANY_OF", {"id": b}, startsOn="2030-01-01"
    )

    # then
    assert (same["code"], same["field"]) == ("CONFLICT", "to")
    assert from_other_card["__typename"] == "RelationshipSuccess"  # b over a is another link
    assert (symmetric_reverse["code"], symmetric_reverse["field"]) == ("CONFLICT", "to")
    assert overlapping["code"] == "CONFLICT"
    assert count(clean_db, "MATCH ()-[r]->() WHERE type(r) <> 'OWNED_BY' RETURN count(r)") == 3

    # when the first link has ended, the same pair may be linked again
    await gql(
        client, UPDATE_LINK, {"id": first["id"], "input": {"endsOn": YESTERDAY.isoformat()}}, member
    )
    again = await add(client, member, a, "PARENT_COMPANY_OF", {"id": b})

    # then
    assert again["__typename"] == "RelationshipSuccess", again
    listed = rows(await card(client, member, "customer", a, types=["PARENT_COMPANY_OF"]))
    assert sorted((r["outgoing"], r["former"]) for r in listed) == [
        (False, False),
        (True, False),
        (True, True),
    ]


async def test_free_text_party_goes_with_its_last_link(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given: two customers supplied by the same free-text party
    await catalog(
        client,
        admin,
        {
            "key": "SUPPLIER_OF",
            "label": "ספק",
            "reciprocalLabel": "לקוח",
            "colour": "#00FF00",
            "kinds": "CUSTOMER_CUSTOMER",
        },
    )
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    first = await link(client, member, a, "SUPPLIER_OF", {"freeText": "  ספק חיצוני  "})
    party = first["other"]["id"]
    second = await link(client, member, b, "SUPPLIER_OF", {"id": party})
    assert first["other"] == {"id": party, "kind": "EXTERNAL", "name": "ספק חיצוני"}
    assert (first["label"], second["label"]) == ("לקוח", "לקוח")
    assert count(clean_db, "MATCH (p:ExternalParty) RETURN count(p)") == 1

    # when
    removed = await gql(client, REMOVE_LINK, {"id": first["id"]}, member)

    # then
    assert removed["data"]["removeRelationship"] == {
        "__typename": "RemoveRelationshipSuccess",
        "id": first["id"],
    }
    assert count(clean_db, "MATCH (p:ExternalParty) RETURN count(p)") == 1

    # when
    await gql(client, REMOVE_LINK, {"id": second["id"]}, member)
    again = await gql(client, REMOVE_LINK, {"id": second["id"]}, member)

    # then
    assert count(clean_db, "MATCH (p:ExternalParty) RETURN count(p)") == 0
    assert count(clean_db, "MATCH (c:Customer) RETURN count(c)") == 2
    assert (again["data"]["removeRelationship"]["code"]) == "NOT_FOUND"
    assert again["data"]["removeRelationship"]["field"] == "id"


async def test_new_customer_is_created_with_the_link(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, SUBCONTRACTOR)
    home = await customer(client, member, "Home")
    rollout = await project(client, member, home, "Rollout")

    # when
    added = await link(
        client,
        member,
        rollout,
        "SUBCONTRACTED_TO",
        {"newCustomer": {"name": "קבלן משנה", "city": "חיפה", "status": "ACTIVE"}},
    )

    # then
    assert added["label"] == "subcontractor"
    assert added["other"]["kind"] == "CUSTOMER"
    created = added["other"]["id"]
    answer = await gql(
        client,
        "query($id: ID!) { customer(id: $id) { name city status } }",
        {"id": created},
        member,
    )
    assert answer["data"]["customer"] == {"name": "קבלן משנה", "city": "חיפה", "status": "ACTIVE"}
    subcontractor_card = await card(client, member, "customer", created)
    assert [(r["label"], r["other"]["kind"]) for r in rows(subcontractor_card)] == [
        ("project", "PROJECT")
    ]
    assert count(clean_db, "MATCH (c:Customer) RETURN count(c)") == 2


async def test_promoted_party_keeps_its_links(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY)
    vendor = await customer(client, member, "Vendor")
    added = await link(client, member, vendor, "PARENT_COMPANY_OF", {"freeText": "Mystery Ltd"})
    party = added["other"]["id"]

    # when
    promoted = await gql(client, PROMOTE, {"id": party, "kind": "CUSTOMER"}, member)

    # then
    assert promoted["data"]["promoteExternalParty"]["party"] == {
        "id": party,
        "kind": "CUSTOMER",
        "name": "Mystery Ltd",
    }
    promoted_card = await card(client, member, "customer", party)
    assert promoted_card["name"] == "Mystery Ltd"
    assert [(r["label"], r["other"]["id"]) for r in rows(promoted_card)] == [("חברת אם", vendor)]
    vendor_rows = rows(await card(client, member, "customer", vendor))
    assert [(r["other"]["kind"], r["id"]) for r in vendor_rows] == [("CUSTOMER", added["id"])]
    listed = await gql(client, CUSTOMERS, {"filter": {"isLinkedToCustomers": True}}, member)
    assert listed["data"]["customers"]["totalCount"] == 2
    again = await gql(client, PROMOTE, {"id": party, "kind": "CUSTOMER"}, member)
    assert again["data"]["promoteExternalParty"]["code"] == "NOT_FOUND"


async def test_party_promoted_to_a_contact_works_at_a_customer(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given: a customer's advisor known only by name
    await catalog(client, admin, ADVISOR)
    client_id = await customer(client, member, "Client")
    firm = await customer(client, member, "Advisory Firm")
    added = await link(client, member, client_id, "ADVISED_BY", {"freeText": "Dana Levi"})
    party = added["other"]["id"]
    before = snapshot(clean_db)

    # when
    without_customer = await gql(client, PROMOTE, {"id": party, "kind": "CONTACT"}, member)
    unchanged = snapshot(clean_db)
    promoted = await gql(
        client, PROMOTE, {"id": party, "kind": "CONTACT", "customerId": firm}, member
    )

    # then
    refused = without_customer["data"]["promoteExternalParty"]
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "customerId")
    assert unchanged == before
    assert promoted["data"]["promoteExternalParty"]["party"] == {
        "id": party,
        "kind": "CONTACT",
        "name": "Dana Levi",
    }
    answer = await gql(
        client,
        "query($id: ID!) { contact(id: $id) { firstName lastName customer { id } } }",
        {"id": party},
        member,
    )
    assert answer["data"]["contact"] == {
        "firstName": "Dana",
        "lastName": "Levi",
        "customer": {"id": firm},
    }
    contact_card = await card(client, member, "contact", party)
    assert [(r["label"], r["other"]["id"]) for r in rows(contact_card)] == [("client", client_id)]
    assert contact_card["linkedCustomers"] == [{"id": client_id, "name": "Client"}]


@pytest.mark.parametrize(
    ("kind", "customer_id", "code", "field"),
    [
        ("CUSTOMER", None, "KIND_MISMATCH", "kind"),
        ("PROJECT", "home", "KIND_MISMATCH", "kind"),
        ("CONTACT", "missing", "NOT_FOUND", "customerId"),
        ("CONTACT", "archived", "ARCHIVED", "customerId"),
        ("CONTACT", "dana", "KIND_MISMATCH", "customerId"),
    ],
)
async def test_refused_promotion_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    manager: Person,
    clean_db: Driver,
    kind: str,
    customer_id: str | None,
    code: str,
    field: str,
) -> None:
    # given: a free-text advisor, who can only become a contact
    await catalog(client, admin, ADVISOR)
    ids = {
        "home": await customer(client, member, "Home"),
        "archived": await customer(client, member, "Gone"),
    }
    ids["dana"] = await contact(client, member, ids["home"], "Dana")
    await gql(client, ARCHIVE_CUSTOMER, {"id": ids["archived"]}, manager)
    added = await link(client, member, ids["home"], "ADVISED_BY", {"freeText": "Somebody"})
    before = snapshot(clean_db)
    variables = {"id": added["other"]["id"], "kind": kind}
    if customer_id is not None:
        variables["customerId"] = ids.get(customer_id, customer_id)

    # when
    answer = await gql(client, PROMOTE, variables, member)

    # then
    refused = answer["data"]["promoteExternalParty"]
    assert (refused["code"], refused["field"]) == (code, field), refused["message"]
    assert snapshot(clean_db) == before


async def test_a_record_cannot_be_promoted(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    home = await customer(client, member, "Home")
    before = snapshot(clean_db)

    answer = await gql(client, PROMOTE, {"id": home, "kind": "CUSTOMER"}, member)

    assert (answer["data"]["promoteExternalParty"]["code"]) == "NOT_FOUND"
    assert snapshot(clean_db) == before


async def test_update_relationship_ends_it(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY)
    parent, child = (
        await customer(client, member, "Parent"),
        await customer(client, member, "Child"),
    )
    added = await link(
        client, member, parent, "PARENT_COMPANY_OF", {"id": child}, startsOn="2020-01-01"
    )
    assert (added["current"], added["former"]) == (True, False)

    # when
    ended = await gql(
        client,
        UPDATE_LINK,
        {
            "id": added["id"],
            "input": {"endsOn": YESTERDAY.isoformat(), "note": "sold"},
            "seenFrom": child,
        },
        member,
    )

    # then
    relationship = ended["data"]["updateRelationship"]["relationship"]
    assert relationship == {
        "id": added["id"],
        "label": "חברת אם",
        "current": False,
        "former": True,
        "startsOn": "2020-01-01",
        "endsOn": YESTERDAY.isoformat(),
        "note": "sold",
        "other": {"id": parent},
    }
    parent_card = await card(client, member, "customer", parent)
    assert [(r["current"], r["former"], r["note"]) for r in rows(parent_card)] == [
        (False, True, "sold")
    ]
    assert parent_card["isLinkedToCustomers"] is False
    assert parent_card["linkedCustomers"] == []

    # when: ending it in the future makes it current again; clearing the start keeps the rest
    later = await gql(
        client,
        UPDATE_LINK,
        {
            "id": added["id"],
            "input": {"endsOn": (TODAY + timedelta(days=30)).isoformat(), "startsOn": None},
        },
        member,
    )

    # then
    relationship = later["data"]["updateRelationship"]["relationship"]
    assert (relationship["current"], relationship["former"], relationship["startsOn"]) == (
        True,
        False,
        None,
    )
    assert relationship["note"] == "sold"
    assert relationship["label"] == "חברת בת"  # seen from the parent, where the link starts


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"endsOn": "2019-12-31"}, "INVALID_INPUT", "endsOn"),
        ({"startsOn": "2031-01-01"}, "INVALID_INPUT", "endsOn"),
        ({"note": "x" * 2001}, "INVALID_INPUT", "note"),
    ],
)
async def test_bad_relationship_update_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    changes: dict[str, Any],
    code: str,
    field: str,
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY)
    parent, child = (
        await customer(client, member, "Parent"),
        await customer(client, member, "Child"),
    )
    added = await link(
        client,
        member,
        parent,
        "PARENT_COMPANY_OF",
        {"id": child},
        startsOn="2020-01-01",
        endsOn="2030-12-31",
    )
    before = snapshot(clean_db)

    # when
    answer = await gql(client, UPDATE_LINK, {"id": added["id"], "input": changes}, member)

    # then
    refused = answer["data"]["updateRelationship"]
    assert (refused["code"], refused["field"]) == (code, field)
    assert snapshot(clean_db) == before


async def test_dates_that_would_repeat_a_link_are_refused(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given: the same pair, once in 2019 and once from 2021 on
    await catalog(client, admin, PARENT_COMPANY)
    parent, child = (
        await customer(client, member, "Parent"),
        await customer(client, member, "Child"),
    )
    early = await link(
        client,
        member,
        parent,
        "PARENT_COMPANY_OF",
        {"id": child},
        startsOn="2019-01-01",
        endsOn="2019-12-31",
    )
    await link(client, member, parent, "PARENT_COMPANY_OF", {"id": child}, startsOn="2021-01-01")
    before = snapshot(clean_db)

    # when
    answer = await gql(client, UPDATE_LINK, {"id": early["id"], "input": {"endsOn": None}}, member)

    # then
    assert answer["data"]["updateRelationship"]["code"] == "CONFLICT"
    assert snapshot(clean_db) == before


async def test_unknown_relationship_is_not_found(client: httpx.AsyncClient, member: Person) -> None:
    for document, variables in (
        (UPDATE_LINK, {"id": "cus_x:abc", "input": {"note": "x"}}),
        (UPDATE_LINK, {"id": "nothing", "input": {"note": "x"}}),
        (REMOVE_LINK, {"id": "cus_x:abc"}),
    ):
        answer = await gql(client, document, variables, member)
        payload = next(iter(answer["data"].values()))
        assert (payload["code"], payload["field"]) == ("NOT_FOUND", "id")


# Cards and lists.


async def test_card_lists_relationships_in_catalog_order_with_colours_and_dates(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await catalog(client, admin, PARTNER, ADVISOR, PARENT_COMPANY)
    a = await customer(client, member, "A")
    b, c = await customer(client, member, "Bet"), await customer(client, member, "Alef")
    dana = await contact(client, member, a, "Dana", "Levi")
    await link(client, member, a, "PARENT_COMPANY_OF", {"id": b}, endsOn="2020-06-30")
    await link(client, member, c, "PARTNER_OF", {"id": a}, startsOn="2021-01-01")
    await link(client, member, b, "PARTNER_OF", {"id": a})
    await link(client, member, a, "ADVISED_BY", {"id": dana}, note="tax")
    cypher_calls.count = 0

    # when
    found = await card(client, member, "customer", a)

    # then
    assert cypher_calls.count == 1
    assert [
        (r["typeKey"], r["label"], r["colour"], r["other"]["name"], r["current"], r["former"])
        for r in rows(found)
    ] == [
        ("PARTNER_OF", "שותף", "#112233", "Alef", True, False),
        ("PARTNER_OF", "שותף", "#112233", "Bet", True, False),
        ("ADVISED_BY", "advisor", "#00AA00", "Dana Levi", True, False),
        ("PARENT_COMPANY_OF", "חברת בת", "#AA3300", "Bet", False, True),
    ]
    assert rows(found)[0]["startsOn"] == "2021-01-01"
    assert rows(found)[2]["note"] == "tax"
    assert rows(found)[3]["endsOn"] == "2020-06-30"
    assert found["relationships"]["totalCount"] == 4
    assert found["isLinkedToCustomers"] is True
    assert found["linkedCustomers"] == [{"id": c, "name": "Alef"}, {"id": b, "name": "Bet"}]
    dana_card = await card(client, member, "contact", dana)
    assert [(r["label"], r["other"]["kind"]) for r in rows(dana_card)] == [("client", "CUSTOMER")]
    assert dana_card["isLinkedToCustomers"] is True


async def test_relationships_in_effect_on_a_day(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a = await customer(client, member, "A")
    for name, period in (
        ("Old", {"startsOn": "2018-01-01", "endsOn": "2019-12-31"}),
        ("Open", {}),
        ("Recent", {"startsOn": "2021-01-01"}),
        ("Future", {"startsOn": (TODAY + timedelta(days=10)).isoformat()}),
    ):
        await link(client, member, a, "PARTNER_OF", {"freeText": name}, **period)

    # when
    in_2019 = await card(client, member, "customer", a, on="2019-06-01")
    in_2022 = await card(client, member, "customer", a, on="2022-06-01")
    today = await card(client, member, "customer", a, on=TODAY.isoformat())
    everything = await card(client, member, "customer", a)

    # then
    assert [r["other"]["name"] for r in rows(in_2019)] == ["Old", "Open"]
    assert in_2019["relationships"]["totalCount"] == 2
    assert [r["other"]["name"] for r in rows(in_2022)] == ["Open", "Recent"]
    assert [r["other"]["name"] for r in rows(today)] == ["Open", "Recent"]
    assert [(r["other"]["name"], r["current"]) for r in rows(everything)] == [
        ("Future", False),
        ("Old", False),
        ("Open", True),
        ("Recent", True),
    ]


async def test_relationships_page_through_every_link_once_in_catalog_order(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given: 7 links over two types, two of them to parties with the same name
    await catalog(client, admin, PARENT_COMPANY, PARTNER)
    a = await customer(client, member, "A")
    for name in ("Dalet", "Bet", "Gimel", "Bet"):
        await link(client, member, a, "PARTNER_OF", {"freeText": name})
    for name in ("Zayin", "Heh", "Vav"):
        await link(client, member, a, "PARENT_COMPANY_OF", {"freeText": name})
    seen: list[tuple[str, str]] = []
    ids: list[str] = []
    after = None
    cypher_calls.count = 0
    pages = 0

    # when
    while True:
        found = await card(client, member, "customer", a, first=3, after=after)
        pages += 1
        seen += [(r["typeKey"], r["other"]["name"]) for r in rows(found)]
        ids += [r["id"] for r in rows(found)]
        if not found["relationships"]["pageInfo"]["hasNextPage"]:
            break
        after = found["relationships"]["pageInfo"]["endCursor"]

    # then
    assert pages == 3
    assert cypher_calls.count == 3
    assert len(ids) == len(set(ids)) == 7
    assert seen == [
        ("PARENT_COMPANY_OF", "Heh"),
        ("PARENT_COMPANY_OF", "Vav"),
        ("PARENT_COMPANY_OF", "Zayin"),
        ("PARTNER_OF", "Bet"),
        ("PARTNER_OF", "Bet"),
        ("PARTNER_OF", "Dalet"),
        ("PARTNER_OF", "Gimel"),
    ]
    assert found["relationships"]["totalCount"] == 7


async def test_relationships_of_some_types(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    await link(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    await link(client, member, a, "PARTNER_OF", {"id": b})

    # when
    partners = await card(client, member, "customer", a, types=["PARTNER_OF"])

    # then
    assert [r["typeKey"] for r in rows(partners)] == ["PARTNER_OF"]
    assert partners["relationships"]["totalCount"] == 1
    assert partners["linkedCustomers"] == [{"id": b, "name": "B"}]


async def test_project_card_shows_its_links(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await catalog(client, admin, SUBCONTRACTOR, PROJECT_MANAGER)
    home, builder = (
        await customer(client, member, "Home"),
        await customer(client, member, "Builder"),
    )
    dana = await contact(client, member, home, "Dana")
    rollout = await project(client, member, home, "Rollout")
    await link(client, member, rollout, "SUBCONTRACTED_TO", {"id": builder})
    await link(client, member, dana, "MANAGED_BY", {"id": rollout})
    cypher_calls.count = 0

    # when
    found = await card(client, member, "project", rollout)

    # then
    assert cypher_calls.count == 1
    assert [(r["label"], r["other"]["name"]) for r in rows(found)] == [
        ("subcontractor", "Builder"),
        ("project manager", "Dana"),
    ]
    assert found["isLinkedToCustomers"] is True
    assert found["linkedCustomers"] == [{"id": builder, "name": "Builder"}]
    assert rows(await card(client, member, "contact", dana))[0]["label"] == "project"


async def test_customers_filtered_by_their_links(
    client: httpx.AsyncClient, admin: Person, member: Person, manager: Person
) -> None:
    # given: a-b linked, c linked to d only by a former link, e to an archived f,
    # g to a contact, h linked to nothing
    await catalog(client, admin, PARTNER, ADVISOR)
    ids = {name: await customer(client, member, name) for name in "abcdefgh"}
    await link(client, member, ids["a"], "PARTNER_OF", {"id": ids["b"]})
    await link(client, member, ids["c"], "PARTNER_OF", {"id": ids["d"]}, endsOn="2020-01-01")
    await link(client, member, ids["e"], "PARTNER_OF", {"id": ids["f"]})
    await gql(client, ARCHIVE_CUSTOMER, {"id": ids["f"]}, manager)
    dana = await contact(client, member, ids["g"], "Dana")
    await link(client, member, ids["g"], "ADVISED_BY", {"id": dana})
    await link(client, member, ids["h"], "PARTNER_OF", {"freeText": "Someone"})

    async def names(**where: Any) -> list[str]:
        answer = await gql(client, CUSTOMERS, {"filter": where}, member)
        return [e["node"]["name"] for e in answer["data"]["customers"]["edges"]]

    # when / then
    assert await names(isLinkedToCustomers=True) == ["a", "b"]
    assert await names(isLinkedToCustomers=False) == ["c", "d", "e", "g", "h"]
    assert await names(linkedToCustomerIds=[ids["a"]]) == ["b"]
    assert await names(linkedToCustomerIds=[ids["a"], ids["b"]]) == ["a", "b"]
    assert await names(linkedToCustomerIds=[ids["c"]]) == []
    assert await names(linkedToCustomerIds=[ids["a"]], isLinkedToCustomers=False) == []
    contacts = await gql(
        client,
        "{ contacts(filter: {isLinkedToCustomers: true}) { edges { node { name } } } }",
        None,
        member,
    )
    assert contacts["data"]["contacts"]["edges"] == [{"node": {"name": "Dana"}}]


async def test_a_type_defined_by_another_process_shows_on_the_next_read(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given: the app knows one type; another API process adds a second and a link of it
    await catalog(client, admin, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    assert rows(await card(client, member, "customer", a)) == []
    clean_db.execute_query(
        "CREATE (:RelationshipType {id: 'rty_elsewhere', key: 'MENTOR_OF', label: 'mentor', "
        "reciprocalLabel: 'mentee', symmetric: false, colour: '#123456', sortOrder: 0, "
        "fromKind: 'Customer', toKind: 'Customer', createdAt: datetime(), "
        "updatedAt: datetime()}) "
        "WITH 1 AS one MATCH (a:Customer {id: $a}), (b:Customer {id: $b}) "
        "CREATE (a)-[:MENTOR_OF {id: $a + ':elsewhere', createdAt: datetime()}]->(b)",
        a=a,
        b=b,
        database_="neo4j",
    )
    cypher_calls.count = 0

    # when
    found = await card(client, member, "customer", a)
    listed = await gql(client, CUSTOMERS, {"filter": {"isLinkedToCustomers": True}}, member)

    # then
    assert [(r["typeKey"], r["label"], r["other"]["id"]) for r in rows(found)] == [
        ("MENTOR_OF", "mentee", b)
    ]
    assert found["isLinkedToCustomers"] is True
    assert cypher_calls.count == 3  # the stale first try, its rerun, and the list
    assert [e["node"]["name"] for e in listed["data"]["customers"]["edges"]] == ["A", "B"]
    cypher_calls.count = 0
    assert rows(await card(client, member, "customer", b))[0]["label"] == "mentor"
    assert cypher_calls.count == 1


async def test_card_refuses_a_malformed_type_key(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a = await customer(client, member, "A")

    # when
    answer = await gql(client, CARD % "customer", {"id": a, "types": ["partner_of"]}, member)
    unknown = await card(client, member, "customer", a, types=["NO_SUCH_TYPE"])

    # then
    assert answer["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "typeKeys"}
    assert rows(unknown) == []


async def test_update_seen_from_a_stranger_is_refused(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a, b, c = [await customer(client, member, name) for name in "ABC"]
    added = await link(client, member, a, "PARTNER_OF", {"id": b})
    before = snapshot(clean_db)

    # when
    answer = await gql(
        client, UPDATE_LINK, {"id": added["id"], "input": {"note": "x"}, "seenFrom": c}, member
    )

    # then
    refused = answer["data"]["updateRelationship"]
    assert (refused["code"], refused["field"]) == ("NOT_FOUND", "seenFrom")
    assert snapshot(clean_db) == before
