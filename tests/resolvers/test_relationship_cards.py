"""Relationships on record cards and in lists, through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.cache_support import conflicts
from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import (
    ADVISOR,
    ARCHIVE_CUSTOMER,
    CARD,
    CUSTOMERS,
    PARENT_COMPANY,
    PARTNER,
    PROJECT_MANAGER,
    SUBCONTRACTOR,
    TODAY,
    UPDATE_LINK,
    card,
    catalog,
    contact,
    customer,
    link,
    project,
    rows,
    snapshot,
)

pytestmark = pytest.mark.anyio


# Cards and lists.


async def test_card_lists_relationships_in_catalog_order_with_colours_and_dates(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await catalog(client, admin, PARTNER, ADVISOR, PARENT_COMPANY)
    a = await customer(client, member, "A")
    b, c = await customer(client, member, "Bet"), await customer(client, member, "Alef")
    dana = await contact(client, member, a, "Dana", "Levi")
    await link(client, member, a, "PARENT_COMPANY_OF", {"id": b}, endsOn="2020-06-30")
    await link(client, member, c, "PARTNER_OF", {"id": a}, startsOn="2021-01-01")
    await link(client, member, b, "PARTNER_OF", {"id": a})
    await link(client, member, a, "ADVISED_BY", {"id": dana}, note="tax")
    cypher_calls.count = 0

    # when
    found = await card(client, member, "customer", a)

    # then
    assert cypher_calls.count == 1
    assert [
        (r["typeKey"], r["label"], r["colour"], r["other"]["name"], r["current"], r["former"])
        for r in rows(found)
    ] == [
        ("PARTNER_OF", "שותף", "#112233", "Alef", True, False),
        ("PARTNER_OF", "שותף", "#112233", "Bet", True, False),
        ("ADVISED_BY", "advisor", "#00AA00", "Dana Levi", True, False),
        ("PARENT_COMPANY_OF", "חברת בת", "#AA3300", "Bet", False, True),
    ]
    assert rows(found)[0]["startsOn"] == "2021-01-01"
    assert rows(found)[2]["note"] == "tax"
    assert rows(found)[3]["endsOn"] == "2020-06-30"
    assert found["relationships"]["totalCount"] == 4
    assert found["isLinkedToCustomers"] is True
    assert found["linkedCustomers"] == [{"id": c, "name": "Alef"}, {"id": b, "name": "Bet"}]
    dana_card = await card(client, member, "contact", dana)
    assert [(r["label"], r["other"]["kind"]) for r in rows(dana_card)] == [("client", "CUSTOMER")]
    assert dana_card["isLinkedToCustomers"] is True


async def test_relationships_in_effect_on_a_day(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a = await customer(client, member, "A")
    for name, period in (
        ("Old", {"startsOn": "2018-01-01", "endsOn": "2019-12-31"}),
        ("Open", {}),
        ("Recent", {"startsOn": "2021-01-01"}),
        ("Future", {"startsOn": (TODAY + timedelta(days=10)).isoformat()}),
    ):
        await link(client, member, a, "PARTNER_OF", {"freeText": name}, **period)

    # when
    in_2019 = await card(client, member, "customer", a, on="2019-06-01")
    in_2022 = await card(client, member, "customer", a, on="2022-06-01")
    today = await card(client, member, "customer", a, on=TODAY.isoformat())
    everything = await card(client, member, "customer", a)

    # then
    assert [r["other"]["name"] for r in rows(in_2019)] == ["Old", "Open"]
    assert in_2019["relationships"]["totalCount"] == 2
    assert [r["other"]["name"] for r in rows(in_2022)] == ["Open", "Recent"]
    assert [r["other"]["name"] for r in rows(today)] == ["Open", "Recent"]
    assert [(r["other"]["name"], r["current"]) for r in rows(everything)] == [
        ("Future", False),
        ("Old", False),
        ("Open", True),
        ("Recent", True),
    ]


async def test_relationships_page_through_every_link_once_in_catalog_order(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given: 7 links over two types, two of them to parties with the same name
    await catalog(client, admin, PARENT_COMPANY, PARTNER)
    a = await customer(client, member, "A")
    for name in ("Dalet", "Bet", "Gimel", "Bet"):
        await link(client, member, a, "PARTNER_OF", {"freeText": name})
    for name in ("Zayin", "Heh", "Vav"):
        await link(client, member, a, "PARENT_COMPANY_OF", {"freeText": name})
    seen: list[tuple[str, str]] = []
    ids: list[str] = []
    after = None
    cypher_calls.count = 0
    pages = 0

    # when
    while True:
        found = await card(client, member, "customer", a, first=3, after=after)
        pages += 1
        seen += [(r["typeKey"], r["other"]["name"]) for r in rows(found)]
        ids += [r["id"] for r in rows(found)]
        if not found["relationships"]["pageInfo"]["hasNextPage"]:
            break
        after = found["relationships"]["pageInfo"]["endCursor"]

    # then
    assert pages == 3
    assert cypher_calls.count == 3
    assert len(ids) == len(set(ids)) == 7
    assert seen == [
        ("PARENT_COMPANY_OF", "Heh"),
        ("PARENT_COMPANY_OF", "Vav"),
        ("PARENT_COMPANY_OF", "Zayin"),
        ("PARTNER_OF", "Bet"),
        ("PARTNER_OF", "Bet"),
        ("PARTNER_OF", "Dalet"),
        ("PARTNER_OF", "Gimel"),
    ]
    assert found["relationships"]["totalCount"] == 7


async def test_relationships_of_some_types(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARENT_COMPANY, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    await link(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    await link(client, member, a, "PARTNER_OF", {"id": b})

    # when
    partners = await card(client, member, "customer", a, types=["PARTNER_OF"])

    # then
    assert [r["typeKey"] for r in rows(partners)] == ["PARTNER_OF"]
    assert partners["relationships"]["totalCount"] == 1
    assert partners["linkedCustomers"] == [{"id": b, "name": "B"}]


async def test_project_card_shows_its_links(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await catalog(client, admin, SUBCONTRACTOR, PROJECT_MANAGER)
    home, builder = (
        await customer(client, member, "Home"),
        await customer(client, member, "Builder"),
    )
    dana = await contact(client, member, home, "Dana")
    rollout = await project(client, member, home, "Rollout")
    await link(client, member, rollout, "SUBCONTRACTED_TO", {"id": builder})
    await link(client, member, dana, "MANAGED_BY", {"id": rollout})
    cypher_calls.count = 0

    # when
    found = await card(client, member, "project", rollout)

    # then
    assert cypher_calls.count == 1
    assert [(r["label"], r["other"]["name"]) for r in rows(found)] == [
        ("subcontractor", "Builder"),
        ("project manager", "Dana"),
    ]
    assert found["isLinkedToCustomers"] is True
    assert found["linkedCustomers"] == [{"id": builder, "name": "Builder"}]
    assert rows(await card(client, member, "contact", dana))[0]["label"] == "project"


async def test_customers_filtered_by_their_links(
    client: httpx.AsyncClient, admin: Person, member: Person, manager: Person
) -> None:
    # given: a-b linked, c linked to d only by a former link, e to an archived f,
    # g to a contact, h linked to nothing
    await catalog(client, admin, PARTNER, ADVISOR)
    ids = {name: await customer(client, member, name) for name in "abcdefgh"}
    await link(client, member, ids["a"], "PARTNER_OF", {"id": ids["b"]})
    await link(client, member, ids["c"], "PARTNER_OF", {"id": ids["d"]}, endsOn="2020-01-01")
    await link(client, member, ids["e"], "PARTNER_OF", {"id": ids["f"]})
    await gql(client, ARCHIVE_CUSTOMER, {"id": ids["f"]}, manager)
    dana = await contact(client, member, ids["g"], "Dana")
    await link(client, member, ids["g"], "ADVISED_BY", {"id": dana})
    await link(client, member, ids["h"], "PARTNER_OF", {"freeText": "Someone"})

    async def names(**where: Any) -> list[str]:
        answer = await gql(client, CUSTOMERS, {"filter": where}, member)
        return [e["node"]["name"] for e in answer["data"]["customers"]["edges"]]

    # when / then
    assert await names(isLinkedToCustomers=True) == ["a", "b"]
    assert await names(isLinkedToCustomers=False) == ["c", "d", "e", "g", "h"]
    assert await names(linkedToCustomerIds=[ids["a"]]) == ["b"]
    assert await names(linkedToCustomerIds=[ids["a"], ids["b"]]) == ["a", "b"]
    assert await names(linkedToCustomerIds=[ids["c"]]) == []
    assert await names(linkedToCustomerIds=[ids["a"]], isLinkedToCustomers=False) == []
    contacts = await gql(
        client,
        "{ contacts(filter: {isLinkedToCustomers: true}) { edges { node { name } } } }",
        None,
        member,
    )
    assert contacts["data"]["contacts"]["edges"] == [{"node": {"name": "Dana"}}]


async def test_a_type_defined_by_another_process_shows_on_the_next_read(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given: the app knows one type; another API process adds a second and a link of it
    await catalog(client, admin, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    assert rows(await card(client, member, "customer", a)) == []
    clean_db.execute_query(
        "CREATE (:RelationshipType {id: 'rty_elsewhere', key: 'MENTOR_OF', label: 'mentor', "
        "reciprocalLabel: 'mentee', symmetric: false, colour: '#123456', sortOrder: 0, "
        "fromKind: 'Customer', toKind: 'Customer', createdAt: datetime(), "
        "updatedAt: datetime()}) "
        "WITH 1 AS one MATCH (a:Customer {id: $a}), (b:Customer {id: $b}) "
        "CREATE (a)-[:MENTOR_OF {id: $a + ':elsewhere', createdAt: datetime()}]->(b)",
        a=a,
        b=b,
        database_="neo4j",
    )
    cypher_calls.count = 0

    # when
    found = await card(client, member, "customer", a)
    listed = await gql(client, CUSTOMERS, {"filter": {"isLinkedToCustomers": True}}, member)

    # then
    assert [(r["typeKey"], r["label"], r["other"]["id"]) for r in rows(found)] == [
        ("MENTOR_OF", "mentee", b)
    ]
    assert found["isLinkedToCustomers"] is True
    assert cypher_calls.count == 3  # the stale first try, its rerun, and the list
    assert [e["node"]["name"] for e in listed["data"]["customers"]["edges"]] == ["A", "B"]
    cypher_calls.count = 0
    assert rows(await card(client, member, "customer", b))[0]["label"] == "mentor"
    assert cypher_calls.count == 1


async def test_card_refuses_a_malformed_type_key(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a = await customer(client, member, "A")

    # when
    answer = await gql(client, CARD % "customer", {"id": a, "types": ["partner_of"]}, member)
    unknown = await card(client, member, "customer", a, types=["NO_SUCH_TYPE"])

    # then
    assert answer["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "typeKeys"}
    assert rows(unknown) == []


async def test_update_seen_from_a_stranger_is_refused(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a, b, c = [await customer(client, member, name) for name in "ABC"]
    added = await link(client, member, a, "PARTNER_OF", {"id": b})
    before = snapshot(clean_db)

    # when
    answer = await gql(
        client, UPDATE_LINK, {"id": added["id"], "input": {"note": "x"}, "seenFrom": c}, member
    )

    # then
    refused = answer["data"]["updateRelationship"]
    assert (refused["code"], refused["field"]) == ("NOT_FOUND", "seenFrom")
    assert snapshot(clean_db) == before


TWO_CARDS = """
query Cards($a: ID!, $b: ID!) {
  a: customer(id: $a) { ...links }
  b: customer(id: $b) { ...links }
}
fragment links on Customer {
  __typename id name
  relationships {
    edges {
      node {
        __typename label outgoing other { __typename id name }
        relationship {
          __typename id typeKey colour
          source { __typename id name } target { __typename id name }
        }
      }
    }
  }
}
"""


async def test_a_link_reads_the_same_from_both_cards(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: a parent company and its subsidiary
    await catalog(client, admin, PARENT_COMPANY)
    parent, child = (
        await customer(client, member, "Parent"),
        await customer(client, member, "Child"),
    )
    added = await link(client, member, parent, "PARENT_COMPANY_OF", {"id": child})

    # when
    answer = await gql(client, TWO_CARDS, {"a": parent, "b": child}, member)

    # then: each card says what the other is to it; the link, which has an id, reads alike
    assert "errors" not in answer, answer
    on_parent, on_child = (
        answer["data"][side]["relationships"]["edges"][0]["node"] for side in ("a", "b")
    )
    assert (on_parent["label"], on_parent["other"]["id"]) == ("חברת בת", child)
    assert (on_child["label"], on_child["other"]["id"]) == ("חברת אם", parent)
    assert "id" not in on_parent
    assert on_parent["relationship"] == on_child["relationship"]
    assert on_parent["relationship"]["id"] == added["id"]
    assert (
        on_parent["relationship"]["source"]["id"],
        on_parent["relationship"]["target"]["id"],
    ) == (
        parent,
        child,
    )
    assert conflicts(answer) == []
