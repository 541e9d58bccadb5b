"""A mutation refused for any reason answers the same way: its payload is a
MutationError with a code, a message that reads as a sentence and the field at fault."""

from __future__ import annotations

import httpx
import pytest
from neo4j import Driver

from tests.conftest import Person, gql

pytestmark = pytest.mark.anyio

CREATE_CUSTOMER = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    __typename
    ... on MutationError { code field message }
  }
}
"""
CREATE_USER = """
mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) {
    __typename
    ... on MutationError { code field message }
  }
}
"""


def _customers(driver: Driver) -> int:
    records = driver.execute_query("MATCH (c:Customer) RETURN count(c) AS n").records
    return int(records[0]["n"])


async def test_a_caller_not_signed_in_is_refused_in_the_payload(
    client: httpx.AsyncClient, clean_db: Driver
) -> None:
    # when
    answer = await gql(client, CREATE_CUSTOMER, {"input": {"name": "Acme"}})
    # then
    assert "errors" not in answer, answer
    refused = answer["data"]["createCustomer"]
    assert refused["__typename"] == "MutationError"
    assert (refused["code"], refused["field"]) == ("UNAUTHENTICATED", None)
    assert refused["message"].startswith("Sign in")
    assert _customers(clean_db) == 0


async def test_a_caller_of_the_wrong_role_is_refused_in_the_payload(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    # when
    answer = await gql(
        client,
        CREATE_USER,
        {"input": {"email": "x@example.com", "name": "X", "password": "long enough!"}},
        member,
    )
    # then
    assert "errors" not in answer, answer
    refused = answer["data"]["createUser"]
    assert refused["code"] == "FORBIDDEN"
    assert refused["message"] == "Only ADMIN users may do this."
    users = clean_db.execute_query("MATCH (u:User) RETURN count(u) AS n").records
    assert users[0]["n"] == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"website": "ftp://example.com"},
            "website",
            "website: must be an http:// or https:// address without spaces.",
        ),
        ({"name": "   "}, "name", "name: must not be empty."),
        (
            {"email": "not an address"},
            "email",
            "email: must be an e-mail address such as name@example.com.",
        ),
        ({"name": "x" * 201}, "name", "name: must be at most 200 characters long."),
    ],
)
async def test_input_refusals_read_as_sentences(
    client: httpx.AsyncClient,
    member: Person,
    clean_db: Driver,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    # when
    answer = await gql(client, CREATE_CUSTOMER, {"input": {"name": "Acme"} | fields}, member)
    # then
    refused = answer["data"]["createCustomer"]
    assert (refused["code"], refused["field"], refused["message"]) == (
        "INVALID_INPUT",
        field,
        message,
    )
    assert _customers(clean_db) == 0
