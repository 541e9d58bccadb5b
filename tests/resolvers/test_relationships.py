"""Adding links between records and the refusals that change nothing, through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import (
    ADD,
    ADVISOR,
    ARCHIVE_CUSTOMER,
    FATHER,
    PARENT_COMPANY,
    PARTNER,
    PROJECT_MANAGER,
    SUBCONTRACTOR,
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
    links = "MATCH (x)-[r]->() WHERE type(r) <> 'OWNED_BY' AND NOT x:AuditLine RETURN count(r)"
    assert count(clean_db, links) == 3

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


async def test_adding_a_link_takes_five_statements_in_its_transaction(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")

    # when
    sent = {}
    for name, to in (("record", {"id": b}), ("free text", {"freeText": "Someone"})):
        cypher_calls.count = 0
        added = await add(client, member, a, "PARTNER_OF", to)
        assert added["__typename"] == "RelationshipSuccess", added
        sent[name] = cypher_calls.count

    # then: the actor, the type and both ends, the checks with the link, the audit lines
    # and the read-back; a free-text party is one more
    assert sent == {"record": 5, "free text": 6}
