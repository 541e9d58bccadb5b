"""Changing and removing links, through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import Person, gql
from tests.resolvers.relationships_support import (
    PARENT_COMPANY,
    REMOVE_LINK,
    TODAY,
    UPDATE_LINK,
    YESTERDAY,
    card,
    catalog,
    customer,
    link,
    rows,
    seen,
    snapshot,
)

pytestmark = pytest.mark.anyio


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
    relationship = seen(ended["data"]["updateRelationship"])
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
    relationship = seen(later["data"]["updateRelationship"])
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
