"""Adding, changing, removing and promoting links between records, through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import (
    ADD,
    ADVISOR,
    ARCHIVE_CUSTOMER,
    CUSTOMERS,
    FATHER,
    PARENT_COMPANY,
    PARTNER,
    PROJECT_MANAGER,
    PROMOTE,
    REMOVE_LINK,
    SUBCONTRACTOR,
    TODAY,
    UPDATE_LINK,
    YESTERDAY,
    add,
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
