"""Likely duplicates: pairs with the same normalised name, e-mail or phone, paged."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import ARCHIVE_CUSTOMER

pytestmark = pytest.mark.anyio

CANDIDATES = """
query Candidates($kind: MergeableKind!, $first: Int, $after: String) {
  duplicateCandidates(kind: $kind, first: $first, after: $after) {
    edges { cursor node { first { id name } second { id name } reasons } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CREATE = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    ... on CustomerSuccess { customer { id } }
    ... on MutationError { code field message }
  }
}
"""


async def customers(client: httpx.AsyncClient, person: Person, *fields: dict[str, Any]) -> None:
    for input in fields:
        answer = await gql(client, CREATE, {"input": input}, person)
        assert "customer" in answer["data"]["createCustomer"], answer


def pairs(answer: dict[str, Any]) -> list[tuple[set[str], list[str]]]:
    found = answer["data"]["duplicateCandidates"]["edges"]
    return [
        ({e["node"]["first"]["name"], e["node"]["second"]["name"]}, e["node"]["reasons"])
        for e in found
    ]


async def test_pairs_share_a_normalised_name_an_email_or_a_phone(
    client: httpx.AsyncClient, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await customers(
        client,
        member,
        {"name": "Acme Ltd."},
        {"name": "ACME", "email": "office@acme.example.com"},
        {"name": "שָׁלוֹם בע״מ"},
        {"name": "שלום"},
        {"name": "Orly Levi", "email": "Office@Acme.example.com"},
        {"name": "Gil", "phone": "+972-52-123-4567"},
        {"name": "Gil Tours", "phone": "052 1234567"},
        {"name": "Beta"},
        {"name": "Bet"},
    )

    # when
    cypher_calls.count = 0
    answer = await gql(client, CANDIDATES, {"kind": "CUSTOMER"}, member)

    # then
    assert cypher_calls.count == 1
    found = sorted(pairs(answer), key=lambda pair: sorted(pair[0]))
    assert found == sorted(
        [
            ({"Acme Ltd.", "ACME"}, ["NAME"]),
            ({"ACME", "Orly Levi"}, ["EMAIL"]),
            ({"שָׁלוֹם בע״מ", "שלום"}, ["NAME"]),
            ({"Gil", "Gil Tours"}, ["PHONE"]),
        ],
        key=lambda pair: sorted(pair[0]),
    )


async def test_the_same_pair_comes_once_with_every_reason_and_archived_records_do_not(
    client: httpx.AsyncClient, member: Person, manager: Person
) -> None:
    # given
    await customers(
        client,
        member,
        {"name": "Dana Cohen", "email": "dana@example.com", "phone": "03-5551234"},
        {"name": "dana  cohen", "email": "DANA@example.com", "phone": "(03) 555 1234"},
    )
    archived = await gql(client, CREATE, {"input": {"name": "Dana-Cohen"}}, member)
    await gql(
        client,
        ARCHIVE_CUSTOMER,
        {"id": archived["data"]["createCustomer"]["customer"]["id"]},
        manager,
    )

    # when
    answer = await gql(client, CANDIDATES, {"kind": "CUSTOMER"}, member)

    # then
    assert pairs(answer) == [({"Dana Cohen", "dana  cohen"}, ["NAME", "EMAIL", "PHONE"])]
    none = await gql(client, CANDIDATES, {"kind": "CONTACT"}, member)
    assert none["data"]["duplicateCandidates"]["edges"] == []


async def test_pairs_page_by_cursor_without_gaps_or_repeats(
    client: httpx.AsyncClient, member: Person
) -> None:
    # given five records of one name: ten pairs
    await customers(client, member, *({"name": f"Twin{'.' * i}"} for i in range(5)))

    # when
    seen: list[tuple[str, str]] = []
    after = None
    pages = 0
    while True:
        variables = {"kind": "CUSTOMER", "first": 3, "after": after}
        answer = await gql(client, CANDIDATES, variables, member)
        found = answer["data"]["duplicateCandidates"]
        seen += [(e["node"]["first"]["id"], e["node"]["second"]["id"]) for e in found["edges"]]
        pages += 1
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]

    # then
    assert pages == 4
    assert len(seen) == len(set(seen)) == 10
    assert seen == sorted(seen)


async def test_a_bad_page_size_or_cursor_is_refused(
    client: httpx.AsyncClient, member: Person
) -> None:
    big = await gql(client, CANDIDATES, {"kind": "CUSTOMER", "first": 1000}, member)
    assert big["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "first"}
    bad = await gql(client, CANDIDATES, {"kind": "CUSTOMER", "after": "nonsense"}, member)
    assert bad["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "after"}
