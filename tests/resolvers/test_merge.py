"""Merging duplicate customers and contacts: everything moves, nothing repeats, a refusal
changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import Person, gql
from tests.resolvers.relationships_support import (
    ADVISOR,
    FATHER,
    PARENT_COMPANY,
    PARTNER,
    catalog,
    contact,
    customer,
    link,
    project,
    snapshot,
)
from tests.resolvers.test_activities import create, meeting, world
from tests.resolvers.test_notes import ADD_NOTE

pytestmark = pytest.mark.anyio

MERGE_CUSTOMERS = """
mutation Merge($keepId: ID!, $mergeIds: [ID!]!) {
  mergeCustomers(keepId: $keepId, mergeIds: $mergeIds) {
    __typename
    ... on CustomerSuccess {
      customer {
        id name
        contacts(first: 10) { edges { node { name } } }
        projects(first: 10) { edges { node { name } } }
        notes(first: 10) { edges { node { text } } }
        relationships(first: 20) {
          edges { node { label other { id } relationship { id typeKey } } }
        }
        stream(kinds: [AUDIT]) { edges { node { auditLine { action before after } } } }
      }
    }
    ... on MutationError { code field message }
  }
}
"""

MERGE_CONTACTS = """
mutation Merge($keepId: ID!, $mergeIds: [ID!]!) {
  mergeContacts(keepId: $keepId, mergeIds: $mergeIds) {
    __typename
    ... on ContactSuccess {
      contact {
        id customer { id }
        relationships(first: 20) { edges { node { label other { id } } } }
      }
    }
    ... on MutationError { code field message }
  }
}
"""

ACTIVITY = """
query Activity($id: ID!) {
  activity(id: $id) {
    customer { id } contact { id }
    customers { edges { node { id } } }
  }
}
"""

CUSTOMER = "query Card($id: ID!) { customer(id: $id) { id } }"


def edges_between(driver: Driver, a: str, b: str) -> list[str]:
    rows, _, _ = driver.execute_query(
        "MATCH (x {id: $a})-[r]-(y {id: $b}) RETURN type(r) AS type ORDER BY type",
        a=a,
        b=b,
        database_="neo4j",
    )
    return [row["type"] for row in rows]


async def duplicate_acme(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> dict[str, Any]:
    """Acme and its duplicate "ACME Ltd", each with its own links, contact, project,
    note and activities; some links repeat each other once the two are one."""
    w = await world(client, admin, member)
    await catalog(client, admin, PARENT_COMPANY, PARTNER, ADVISOR)
    twin = await customer(client, member, "ACME Ltd")
    eli = await contact(client, member, twin, "Eli")
    await project(client, member, twin, "Roof")
    answer = await gql(client, ADD_NOTE, {"recordId": twin, "text": "Same as Acme"}, member)
    assert answer["data"]["addNote"]["__typename"] == "NoteSuccess", answer
    both = await create(
        client, member, meeting(w, member, customerId=twin, otherCustomerIds=[w["acme"]])
    )
    alone = await create(client, member, meeting(w, member, customerId=twin, contactId=eli))
    moved = await link(client, member, twin, "PARENT_COMPANY_OF", {"id": w["beta"]})
    await link(client, member, w["acme"], "PARENT_COMPANY_OF", {"id": w["gamma"]})
    await link(client, member, twin, "PARENT_COMPANY_OF", {"id": w["gamma"]})
    await link(client, member, twin, "PARTNER_OF", {"id": w["acme"]})
    await link(client, member, twin, "ADVISED_BY", {"id": w["dana"]})
    return {
        **w,
        "twin": twin,
        "eli": eli,
        "both": both["activity"]["id"],
        "alone": alone["activity"]["id"],
        "moved": moved,
    }


async def test_merging_customers_moves_everything_and_repeats_no_link(
    client: httpx.AsyncClient, admin: Person, member: Person, manager: Person, clean_db: Driver
) -> None:
    # given
    w = await duplicate_acme(client, admin, member)

    # when
    answer = await gql(
        client, MERGE_CUSTOMERS, {"keepId": w["acme"], "mergeIds": [w["twin"]]}, manager
    )

    # then
    payload = answer["data"]["mergeCustomers"]
    assert payload["__typename"] == "CustomerSuccess", payload
    kept = payload["customer"]
    assert sorted(e["node"]["name"] for e in kept["contacts"]["edges"]) == ["Dana", "Eli"]
    assert [e["node"]["name"] for e in kept["projects"]["edges"]] == ["Roof"]
    assert [e["node"]["text"] for e in kept["notes"]["edges"]] == ["Same as Acme"]
    links = sorted(
        (e["node"]["relationship"]["typeKey"], e["node"]["other"]["id"])
        for e in kept["relationships"]["edges"]
    )
    assert links == sorted(
        [
            ("PARENT_COMPANY_OF", w["beta"]),
            ("PARENT_COMPANY_OF", w["gamma"]),
            ("ADVISED_BY", w["dana"]),
        ]
    )
    # A moved link is found by its new start, like any other of the kept record.
    ids = [e["node"]["relationship"]["id"] for e in kept["relationships"]["edges"]]
    assert all(i.startswith(w["acme"] + ":") for i in ids)
    audit = [e["node"]["auditLine"] for e in kept["stream"]["edges"]]
    assert {"action": "MERGED", "before": w["twin"], "after": w["acme"]} in audit
    assert (await gql(client, CUSTOMER, {"id": w["twin"]}, member))["data"]["customer"] is None
    assert edges_between(clean_db, w["acme"], w["gamma"]) == ["PARENT_COMPANY_OF"]
    for activity in ("both", "alone"):
        card = (await gql(client, ACTIVITY, {"id": w[activity]}, member))["data"]["activity"]
        assert card["customer"] == {"id": w["acme"]}
        assert [e["node"]["id"] for e in card["customers"]["edges"]] == [w["acme"]]
    assert edges_between(clean_db, w["both"], w["acme"]) == ["ABOUT"]


async def test_merging_contacts_keeps_the_kept_ones_customer(
    client: httpx.AsyncClient, admin: Person, member: Person, manager: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    await catalog(client, admin, FATHER)
    twin = await contact(client, member, w["beta"], "Dana")
    son = await contact(client, member, w["beta"], "Yoni")
    await link(client, member, twin, "FATHER_OF", {"id": son})
    await link(client, member, w["dana"], "FATHER_OF", {"id": son})
    await link(client, member, twin, "FATHER_OF", {"id": w["dana"]})
    met = await create(client, member, meeting(w, member, customerId=w["beta"], contactId=twin))

    # when
    answer = await gql(client, MERGE_CONTACTS, {"keepId": w["dana"], "mergeIds": [twin]}, manager)

    # then
    payload = answer["data"]["mergeContacts"]
    assert payload["__typename"] == "ContactSuccess", payload
    assert payload["contact"]["customer"] == {"id": w["acme"]}
    assert [e["node"]["other"]["id"] for e in payload["contact"]["relationships"]["edges"]] == [son]
    card = (await gql(client, ACTIVITY, {"id": met["activity"]["id"]}, member))["data"]
    assert card["activity"]["contact"] == {"id": w["dana"]}
    assert edges_between(clean_db, w["dana"], w["beta"]) == []


@pytest.mark.parametrize(
    ("ids", "code", "field"),
    [
        (lambda w: (w["acme"], [w["twin"], "cus_nobody"]), "NOT_FOUND", "mergeIds"),
        (lambda w: ("cus_nobody", [w["twin"]]), "NOT_FOUND", "keepId"),
        (lambda w: (w["acme"], [w["twin"], w["dana"]]), "KIND_MISMATCH", "mergeIds"),
        (lambda w: (w["acme"], [w["twin"], w["acme"]]), "INVALID_INPUT", "mergeIds"),
        (lambda w: (w["acme"], []), "INVALID_INPUT", "mergeIds"),
    ],
)
async def test_a_refused_merge_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    manager: Person,
    clean_db: Driver,
    ids: Any,
    code: str,
    field: str,
) -> None:
    # given
    w = await duplicate_acme(client, admin, member)
    keep, merged = ids(w)
    before = snapshot(clean_db)

    # when
    answer = await gql(client, MERGE_CUSTOMERS, {"keepId": keep, "mergeIds": merged}, manager)

    # then
    payload = answer["data"]["mergeCustomers"]
    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "MutationError",
        code,
        field,
    ), payload
    assert field in payload["message"]
    assert snapshot(clean_db) == before


async def test_a_member_may_not_merge_and_nothing_changes(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await duplicate_acme(client, admin, member)
    before = snapshot(clean_db)

    # when
    answer = await gql(
        client, MERGE_CUSTOMERS, {"keepId": w["acme"], "mergeIds": [w["twin"]]}, member
    )

    # then
    payload = answer["data"]["mergeCustomers"]
    assert (payload["__typename"], payload["code"]) == ("MutationError", "FORBIDDEN"), payload
    assert snapshot(clean_db) == before
