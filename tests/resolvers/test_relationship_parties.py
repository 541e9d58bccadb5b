"""Free-text parties, customers made with a link, and promotion, through the API."""

from __future__ import annotations

import httpx
import pytest
from neo4j import Driver

from tests.conftest import Person, gql
from tests.resolvers.relationships_support import (
    ADVISOR,
    ARCHIVE_CUSTOMER,
    CUSTOMERS,
    PARENT_COMPANY,
    PROMOTE,
    REMOVE_LINK,
    SUBCONTRACTOR,
    card,
    catalog,
    contact,
    count,
    customer,
    link,
    project,
    rows,
    snapshot,
)

pytestmark = pytest.mark.anyio


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
