"""Customers, contacts and projects through the API: cards, lists, writes and refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql

pytestmark = pytest.mark.anyio

CREATE_CUSTOMER = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    __typename
    ... on CustomerSuccess { customer { id name status email city owner { id name } } }
    ... on MutationError { code field message }
  }
}
"""

UPDATE_CUSTOMER = """
mutation Update($id: ID!, $input: UpdateCustomerInput!) {
  updateCustomer(id: $id, input: $input) {
    __typename
    ... on CustomerSuccess { customer { id name status email city owner { id } } }
    ... on MutationError { code field message }
  }
}
"""

ARCHIVE_CUSTOMER = """
mutation Archive($id: ID!) {
  archiveCustomer(id: $id) {
    __typename
    ... on CustomerSuccess { customer { id archivedAt } }
    ... on MutationError { code field message }
  }
}
"""

CREATE_CONTACT = """
mutation Create($input: CreateContactInput!) {
  createContact(input: $input) {
    __typename
    ... on ContactSuccess { contact { id name firstName lastName customer { id name } } }
    ... on MutationError { code field message }
  }
}
"""

UPDATE_CONTACT = """
mutation Update($id: ID!, $input: UpdateContactInput!) {
  updateContact(id: $id, input: $input) {
    __typename
    ... on ContactSuccess { contact { id name customer { id } } }
    ... on MutationError { code field message }
  }
}
"""

CREATE_PROJECT = """
mutation Create($input: CreateProjectInput!) {
  createProject(input: $input) {
    __typename
    ... on ProjectSuccess { project { id name status customer { id } } }
    ... on MutationError { code field message }
  }
}
"""

CUSTOMER_CARD = """
query Card($id: ID!) {
  customer(id: $id) {
    id name status
    owner { name }
    contacts(first: 10) { totalCount edges { node { name customer { id } } } }
    projects(first: 10) { edges { node { name status } } }
    linkedCounts { contacts projects }
  }
}
"""

CUSTOMERS = """
query List($filter: CustomerFilter, $search: String, $orderBy: RecordOrder,
           $first: Int, $after: String) {
  customers(filter: $filter, search: $search, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { id name status } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def count(driver: Driver, cypher: str) -> int:
    records, _, _ = driver.execute_query(cypher, database_="neo4j")
    return int(records[0][0])


async def create_customer(client: httpx.AsyncClient, person: Person, **fields: Any) -> str:
    answer = await gql(client, CREATE_CUSTOMER, {"input": {"name": "Acme", **fields}}, person)
    payload = answer["data"]["createCustomer"]
    assert payload["__typename"] == "CustomerSuccess", payload
    return str(payload["customer"]["id"])


async def create_contact(client: httpx.AsyncClient, person: Person, **fields: Any) -> str:
    answer = await gql(client, CREATE_CONTACT, {"input": fields}, person)
    payload = answer["data"]["createContact"]
    assert payload["__typename"] == "ContactSuccess", payload
    return str(payload["contact"]["id"])


async def test_customer_card_shows_what_was_written(
    client: httpx.AsyncClient, member: Person, admin: Person, cypher_calls: CypherCalls
) -> None:
    # given
    customer_id = await create_customer(client, member, name='אבי כהן בע"מ', ownerId=admin.id)
    await create_contact(client, member, customerId=customer_id, firstName="Dana", lastName="Levi")
    await create_contact(client, member, customerId=customer_id, firstName="Avi")
    answer = await gql(
        client,
        CREATE_PROJECT,
        {"input": {"customerId": customer_id, "name": "Rollout", "status": "ACTIVE"}},
        member,
    )
    assert answer["data"]["createProject"]["__typename"] == "ProjectSuccess"
    cypher_calls.count = 0

    # when
    card = (await gql(client, CUSTOMER_CARD, {"id": customer_id}, member))["data"]["customer"]

    # then
    assert cypher_calls.count == 1
    assert card["name"] == 'אבי כהן בע"מ'
    assert card["owner"] == {"name": "Ada Admin"}
    assert [e["node"]["name"] for e in card["contacts"]["edges"]] == ["Avi", "Dana Levi"]
    assert card["contacts"]["totalCount"] == 2
    assert card["projects"]["edges"] == [{"node": {"name": "Rollout", "status": "ACTIVE"}}]
    assert card["linkedCounts"] == {"contacts": 2, "projects": 1}


async def test_unknown_customer_is_null(client: httpx.AsyncClient, member: Person) -> None:
    answer = await gql(client, CUSTOMER_CARD, {"id": "cus_nope"}, member)
    assert "errors" not in answer
    assert answer["data"] == {"customer": None}


async def test_update_changes_only_sent_fields_and_clears_nulls(
    client: httpx.AsyncClient, member: Person
) -> None:
    # given
    customer_id = await create_customer(client, member, email="a@example.com", city="Haifa")

    # when
    answer = await gql(
        client,
        UPDATE_CUSTOMER,
        {"id": customer_id, "input": {"status": "ACTIVE", "city": None}},
        member,
    )

    # then
    customer = answer["data"]["updateCustomer"]["customer"]
    assert customer["status"] == "ACTIVE"
    assert customer["city"] is None
    assert customer["email"] == "a@example.com"
    assert customer["name"] == "Acme"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"name": ""}, "name", "INVALID_INPUT"),
        ({"name": "x" * 201}, "name", "INVALID_INPUT"),
        ({"email": "not-an-address"}, "email", "INVALID_INPUT"),
        ({"website": "ftp://example.com"}, "website", "INVALID_INPUT"),
        ({"phone": "call me maybe"}, "phone", "INVALID_INPUT"),
        ({"ownerId": "usr_missing"}, "ownerId", "NOT_FOUND"),
    ],
)
async def test_bad_customer_input_is_refused_and_writes_nothing(
    client: httpx.AsyncClient,
    member: Person,
    clean_db: Driver,
    fields: dict[str, Any],
    field: str,
    code: str,
) -> None:
    # when
    answer = await gql(client, CREATE_CUSTOMER, {"input": {"name": "Acme", **fields}}, member)

    # then
    error = answer["data"]["createCustomer"]
    assert error["__typename"] == "MutationError"
    assert (error["field"], error["code"]) == (field, code)
    assert field in error["message"] or code == "NOT_FOUND"
    assert count(clean_db, "MATCH (c:Customer) RETURN count(c)") == 0


async def test_deactivated_owner_is_refused(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    from tests.conftest import make_user

    gone = make_user(clean_db, active=False)
    answer = await gql(
        client, CREATE_CUSTOMER, {"input": {"name": "A", "ownerId": gone.id}}, member
    )
    assert answer["data"]["createCustomer"]["field"] == "ownerId"
    assert answer["data"]["createCustomer"]["code"] == "FORBIDDEN"
    assert count(clean_db, "MATCH (c:Customer) RETURN count(c)") == 0


async def test_missing_and_wrong_typed_fields_are_graphql_errors(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    missing = await gql(client, CREATE_CUSTOMER, {"input": {"city": "Haifa"}}, member)
    wrong = await gql(client, CREATE_CUSTOMER, {"input": {"name": "A", "status": "HAPPY"}}, member)
    assert "name" in missing["errors"][0]["message"]
    assert "status" in wrong["errors"][0]["message"]
    assert count(clean_db, "MATCH (c:Customer) RETURN count(c)") == 0


async def test_required_field_cannot_be_cleared(client: httpx.AsyncClient, member: Person) -> None:
    customer_id = await create_customer(client, member)
    answer = await gql(
        client, UPDATE_CUSTOMER, {"id": customer_id, "input": {"name": None}}, member
    )
    assert answer["data"]["updateCustomer"]["field"] == "name"
    assert answer["data"]["updateCustomer"]["code"] == "INVALID_INPUT"


async def test_update_of_unknown_customer_is_not_found(
    client: httpx.AsyncClient, member: Person
) -> None:
    answer = await gql(client, UPDATE_CUSTOMER, {"id": "cus_x", "input": {"city": "A"}}, member)
    assert answer["data"]["updateCustomer"]["code"] == "NOT_FOUND"
    assert answer["data"]["updateCustomer"]["field"] == "id"


async def test_contact_needs_a_live_customer(
    client: httpx.AsyncClient, member: Person, manager: Person, clean_db: Driver
) -> None:
    # given
    customer_id = await create_customer(client, member)
    await gql(client, ARCHIVE_CUSTOMER, {"id": customer_id}, manager)

    # when
    unknown = await gql(
        client, CREATE_CONTACT, {"input": {"customerId": "cus_none", "firstName": "A"}}, member
    )
    archived = await gql(
        client, CREATE_CONTACT, {"input": {"customerId": customer_id, "firstName": "A"}}, member
    )

    # then
    assert unknown["data"]["createContact"]["code"] == "NOT_FOUND"
    assert unknown["data"]["createContact"]["field"] == "customerId"
    assert archived["data"]["createContact"]["code"] == "ARCHIVED"
    assert count(clean_db, "MATCH (c:Contact) RETURN count(c)") == 0


async def test_contact_moves_to_another_customer(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    first = await create_customer(client, member, name="First")
    second = await create_customer(client, member, name="Second")
    contact_id = await create_contact(client, member, customerId=first, firstName="Dana")

    answer = await gql(
        client,
        UPDATE_CONTACT,
        {"id": contact_id, "input": {"customerId": second, "lastName": "Levi"}},
        member,
    )

    contact = answer["data"]["updateContact"]["contact"]
    assert contact == {"id": contact_id, "name": "Dana Levi", "customer": {"id": second}}
    assert count(clean_db, "MATCH (:Contact)-[r:WORKS_AT]->() RETURN count(r)") == 1


async def test_archiving_needs_a_manager_and_hides_from_lists(
    client: httpx.AsyncClient, member: Person, manager: Person
) -> None:
    # given
    customer_id = await create_customer(client, member)

    # when
    refused = await gql(client, ARCHIVE_CUSTOMER, {"id": customer_id}, member)
    archived = await gql(client, ARCHIVE_CUSTOMER, {"id": customer_id}, manager)
    again = await gql(client, ARCHIVE_CUSTOMER, {"id": customer_id}, manager)

    # then
    assert refused["data"]["archiveCustomer"]["code"] == "FORBIDDEN"
    assert archived["data"]["archiveCustomer"]["customer"]["archivedAt"] is not None
    assert again["data"]["archiveCustomer"]["code"] == "ARCHIVED"
    live = await gql(client, CUSTOMERS, {}, member)
    everything = await gql(client, CUSTOMERS, {"filter": {"includeArchived": True}}, member)
    assert live["data"]["customers"]["totalCount"] == 0
    assert everything["data"]["customers"]["totalCount"] == 1
    card = await gql(client, CUSTOMER_CARD, {"id": customer_id}, member)
    assert card["data"]["customer"]["id"] == customer_id


async def test_list_pages_through_every_customer_once_in_order(
    client: httpx.AsyncClient, member: Person, clean_db: Driver, cypher_calls: CypherCalls
) -> None:
    # given: 25 customers, some sharing a name so the id breaks ties
    clean_db.execute_query(
        "UNWIND range(1, 25) AS i CREATE (:Customer {id: 'cus_' + toString(100 + i), "
        "name: 'Customer ' + toString(i % 7), status: 'LEAD', createdAt: datetime(), "
        "updatedAt: datetime()})",
        database_="neo4j",
    )
    cypher_calls.count = 0
    seen: list[tuple[str, str]] = []
    after = None

    # when
    while True:
        answer = await gql(client, CUSTOMERS, {"first": 10, "after": after}, member)
        page = answer["data"]["customers"]
        seen += [(e["node"]["name"], e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    # then
    assert cypher_calls.count == 3
    assert len(seen) == 25 == len(set(seen))
    assert seen == sorted(seen)
    assert page["totalCount"] == 25


async def test_descending_order_and_cursor_of_another_order(
    client: httpx.AsyncClient, member: Person
) -> None:
    for name in ("B", "A", "C"):
        await create_customer(client, member, name=name)

    answer = await gql(client, CUSTOMERS, {"orderBy": "NAME_DESC", "first": 2}, member)
    page = answer["data"]["customers"]
    assert [e["node"]["name"] for e in page["edges"]] == ["C", "B"]

    mixed = await gql(
        client, CUSTOMERS, {"orderBy": "NAME_ASC", "after": page["pageInfo"]["endCursor"]}, member
    )
    assert mixed["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "after"}

    newest = await gql(client, CUSTOMERS, {"orderBy": "CREATED_AT_DESC", "first": 1}, member)
    rest = await gql(
        client,
        CUSTOMERS,
        {
            "orderBy": "CREATED_AT_DESC",
            "after": newest["data"]["customers"]["pageInfo"]["endCursor"],
        },
        member,
    )
    assert newest["data"]["customers"]["edges"][0]["node"]["name"] == "C"
    assert [e["node"]["name"] for e in rest["data"]["customers"]["edges"]] == ["A", "B"]


async def test_page_size_is_capped(client: httpx.AsyncClient, member: Person) -> None:
    answer = await gql(client, CUSTOMERS, {"first": 101}, member)
    assert answer["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "first"}
    assert "100" in answer["errors"][0]["message"]


async def test_filters_by_status_and_owner(
    client: httpx.AsyncClient, member: Person, admin: Person
) -> None:
    await create_customer(client, member, name="Lead")
    await create_customer(client, member, name="Mine", status="ACTIVE", ownerId=admin.id)
    await create_customer(client, member, name="Other", status="ACTIVE")

    active = await gql(client, CUSTOMERS, {"filter": {"statuses": ["ACTIVE"]}}, member)
    owned = await gql(client, CUSTOMERS, {"filter": {"ownerIds": [admin.id]}}, member)

    assert [e["node"]["name"] for e in active["data"]["customers"]["edges"]] == ["Mine", "Other"]
    assert [e["node"]["name"] for e in owned["data"]["customers"]["edges"]] == ["Mine"]


async def test_search_finds_hebrew_and_english_names(
    client: httpx.AsyncClient, member: Person
) -> None:
    await create_customer(client, member, name="שמעון פרס הנדסה")
    await create_customer(client, member, name="Peres Engineering")
    await create_customer(client, member, name="Unrelated")

    hebrew = await gql(client, CUSTOMERS, {"search": "שמעו"}, member)
    english = await gql(client, CUSTOMERS, {"search": "peres eng"}, member)
    syntax = await gql(client, CUSTOMERS, {"search": 'AND "( title:'}, member)

    assert [e["node"]["name"] for e in hebrew["data"]["customers"]["edges"]] == ["שמעון פרס הנדסה"]
    assert [e["node"]["name"] for e in english["data"]["customers"]["edges"]] == [
        "Peres Engineering"
    ]
    assert syntax["data"]["customers"]["edges"] == []


async def test_contacts_and_projects_lists(client: httpx.AsyncClient, member: Person) -> None:
    first = await create_customer(client, member, name="First")
    second = await create_customer(client, member, name="Second")
    await create_contact(client, member, customerId=first, firstName="רות", lastName="כהן")
    await create_contact(client, member, customerId=second, firstName="Ruth", lastName="Cohen")

    answer = await gql(
        client,
        """query($ids: [ID!]) { contacts(filter: {customerIds: $ids}) {
             totalCount edges { node { name customer { name } } } } }""",
        {"ids": [second]},
        member,
    )
    found = await gql(
        client, '{ contacts(search: "רות") { edges { node { name } } } }', None, member
    )
    projects = await gql(client, "{ projects { totalCount } }", None, member)

    assert answer["data"]["contacts"] == {
        "totalCount": 1,
        "edges": [{"node": {"name": "Ruth Cohen", "customer": {"name": "Second"}}}],
    }
    assert found["data"]["contacts"]["edges"] == [{"node": {"name": "רות כהן"}}]
    assert projects["data"]["projects"]["totalCount"] == 0


CREATED_TIMES = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { ... on CustomerSuccess { customer { createdAt updatedAt } } }
}
"""


async def test_a_new_record_was_last_updated_when_it_was_created(
    client: httpx.AsyncClient, member: Person
) -> None:
    answer = await gql(client, CREATED_TIMES, {"input": {"name": "Fresh"}}, member)
    assert "errors" not in answer, answer
    customer = answer["data"]["createCustomer"]["customer"]
    assert customer["updatedAt"] is not None
    assert customer["updatedAt"] == customer["createdAt"]
