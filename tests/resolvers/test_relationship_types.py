"""The relationship-type catalog through the API: define, update, reorder, remove."""

from __future__ import annotations

from typing import Any

import httpx
import neo4j
import pytest
from neo4j import Driver

from tests.conftest import Person, gql
from tests.resolvers.relationships_support import (
    ADVISOR,
    DEFINE_TYPE,
    FATHER,
    PARENT_COMPANY,
    PARTNER,
    RELATIONSHIP_TYPES,
    REMOVE_LINK,
    REMOVE_TYPE,
    REORDER_TYPES,
    UPDATE_TYPE,
    YESTERDAY,
    add,
    card,
    catalog,
    contact,
    count,
    customer,
    define,
    link,
    rows,
    snapshot,
)

pytestmark = pytest.mark.anyio


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


async def test_an_empty_catalog_is_an_empty_list(client: httpx.AsyncClient, member: Person) -> None:
    # when: no type is defined yet (a new installation)
    answer = await gql(client, RELATIONSHIP_TYPES, None, member)

    # then
    assert "errors" not in answer, answer
    assert answer["data"] == {"relationshipTypes": []}


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
            refused = next(iter(answer["data"].values()))
            assert refused["code"] == "FORBIDDEN"
            assert "ADMIN" in refused["message"]
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


async def test_a_reorder_is_read_back_inside_its_transaction(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a failure of any statement sent once the new order is written, in the write
    # transaction or after it
    await catalog(client, admin, PARENT_COMPANY, PARTNER)
    before = snapshot(clean_db)
    sent: list[str] = []
    for kind in (neo4j.AsyncManagedTransaction, neo4j.AsyncSession):

        async def failing(
            self: Any, query: Any, parameters: Any = None, *, _run: Any = kind.run, **kwargs: Any
        ) -> Any:
            if any("SET t.sortOrder" in text for text in sent):
                raise RuntimeError("the database went away after the write")
            sent.append(str(query))
            return await _run(self, query, parameters, **kwargs)

        monkeypatch.setattr(kind, "run", failing)

    # when
    answer = await gql(client, REORDER_TYPES, {"keys": ["PARTNER_OF", "PARENT_COMPANY_OF"]}, admin)

    # then: the answer failed, and so did the write
    assert any("SET t.sortOrder" in text for text in sent)
    assert answer["errors"][0]["extensions"]["code"] == "INTERNAL", answer
    monkeypatch.undo()
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
