"""The relationship-type catalog through the API: define and update (limits, symmetry,
reordering and removal against existing links are in test_relationship_type_links.py)."""

from __future__ import annotations

from typing import Any

import httpx
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
    REMOVE_TYPE,
    REORDER_TYPES,
    UPDATE_TYPE,
    card,
    catalog,
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
