"""The relationship-type catalog through the API, where it meets the links already made:
per-record limits, symmetry, reordering and removal."""

from __future__ import annotations

from typing import Any

import httpx
import neo4j
import pytest
from neo4j import Driver

from tests.conftest import Person, gql
from tests.resolvers.relationships_support import (
    ADVISOR,
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
    customer,
    link,
    rows,
    snapshot,
)

pytestmark = pytest.mark.anyio


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
