"""The relation map around records, through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.cache_support import conflicts
from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import (
    ADVISOR,
    ARCHIVE_CUSTOMER,
    FATHER,
    MAP,
    PARENT_COMPANY,
    PARTNER,
    TODAY,
    catalog,
    contact,
    customer,
    depths,
    link,
    pairs,
    project,
    relation_map,
)

pytestmark = pytest.mark.anyio


async def test_map_with_cycles_has_each_node_and_edge_once(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given: two cycles, a-b-c-a and b-c-d-e-b, and a second link between a and b
    await catalog(client, admin, PARTNER, PARENT_COMPANY)
    a, b, c, d, e = [await customer(client, member, name) for name in "ABCDE"]
    links = [(a, b), (b, c), (c, a), (c, d), (d, e), (e, b)]
    for x, y in links:
        await link(client, member, x, "PARTNER_OF", {"id": y})
    await link(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    expected = sorted([("PARTNER_OF", x, y) for x, y in links] + [("PARENT_COMPANY_OF", a, b)])
    cypher_calls.count = 0

    # when
    found = await relation_map(client, member, [a], depth=3)

    # then
    assert cypher_calls.count == 1
    assert depths(found) == {a: 0, b: 1, c: 1, d: 2, e: 2}
    assert len(found["nodes"]) == 5
    assert found["nodes"][0] == {"id": a, "kind": "CUSTOMER", "label": "A", "depth": 0}
    assert pairs(found) == expected
    assert len({edge["id"] for edge in found["edges"]}) == 7
    assert found["truncated"] is False
    partner = next(edge for edge in found["edges"] if edge["typeKey"] == "PARTNER_OF")
    assert (partner["label"], partner["reciprocalLabel"], partner["colour"]) == (
        "שותף",
        "שותף",
        "#112233",
    )
    assert partner["structural"] is False
    parent = next(edge for edge in found["edges"] if edge["typeKey"] == "PARENT_COMPANY_OF")
    assert (parent["source"], parent["label"], parent["reciprocalLabel"]) == (
        a,
        "חברת אם",
        "חברת בת",
    )


async def test_map_depth_counts_from_the_nearest_root(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: a chain a-b-c-d-e
    await catalog(client, admin, PARTNER)
    a, b, c, d, e = [await customer(client, member, name) for name in "ABCDE"]
    for x, y in ((a, b), (b, c), (c, d), (d, e)):
        await link(client, member, x, "PARTNER_OF", {"id": y})

    # when
    from_both_ends = await relation_map(client, member, [a, e], depth=1)
    one_link = await relation_map(client, member, [c], depth=1)
    default_depth = await relation_map(client, member, [a])

    # then
    assert depths(from_both_ends) == {a: 0, e: 0, b: 1, d: 1}
    assert pairs(from_both_ends) == sorted([("PARTNER_OF", a, b), ("PARTNER_OF", d, e)])
    assert depths(one_link) == {c: 0, b: 1, d: 1}
    assert depths(default_depth) == {a: 0, b: 1, c: 2}


async def test_map_links_among_the_deepest_nodes_show(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: a triangle
    await catalog(client, admin, PARTNER)
    a, b, c = [await customer(client, member, name) for name in "ABC"]
    for x, y in ((a, b), (b, c), (c, a)):
        await link(client, member, x, "PARTNER_OF", {"id": y})

    # when
    found = await relation_map(client, member, [a], depth=1)

    # then
    assert depths(found) == {a: 0, b: 1, c: 1}
    assert pairs(found) == sorted(
        [("PARTNER_OF", a, b), ("PARTNER_OF", b, c), ("PARTNER_OF", c, a)]
    )


async def test_map_as_of_a_day_leaves_ended_links_among_the_deepest_nodes_out(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: a triangle whose b-c side ended in 2019
    await catalog(client, admin, PARTNER)
    a, b, c = [await customer(client, member, name) for name in "ABC"]
    await link(client, member, a, "PARTNER_OF", {"id": b})
    await link(client, member, a, "PARTNER_OF", {"id": c})
    await link(client, member, b, "PARTNER_OF", {"id": c}, endsOn="2019-12-31")

    # when
    today = await relation_map(client, member, [a], depth=1, asOf=TODAY.isoformat())
    whenever = await relation_map(client, member, [a], depth=1)

    # then
    assert pairs(today) == sorted([("PARTNER_OF", a, b), ("PARTNER_OF", a, c)])
    assert len(whenever["edges"]) == 3


async def test_map_follows_only_the_given_types(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARTNER, PARENT_COMPANY)
    a, b, c, d = [await customer(client, member, name) for name in "ABCD"]
    await link(client, member, a, "PARTNER_OF", {"id": b})
    await link(client, member, a, "PARENT_COMPANY_OF", {"id": b})
    await link(client, member, a, "PARENT_COMPANY_OF", {"id": c})
    await link(client, member, c, "PARTNER_OF", {"id": d})

    # when
    partners = await relation_map(client, member, [a], depth=3, types=["PARTNER_OF"])
    both = await relation_map(
        client, member, [a], depth=3, types=["PARTNER_OF", "PARENT_COMPANY_OF"]
    )

    # then
    assert depths(partners) == {a: 0, b: 1}
    assert pairs(partners) == [("PARTNER_OF", a, b)]
    assert depths(both) == {a: 0, b: 1, c: 1, d: 2}
    assert len(both["edges"]) == 4


async def test_map_reaches_only_the_given_kinds(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: customer a with a partner b, an advisor dana whose son is eli, and a
    # free-text partner
    await catalog(client, admin, PARTNER, ADVISOR, FATHER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    dana, eli = await contact(client, member, b, "Dana"), await contact(client, member, b, "Eli")
    await link(client, member, a, "PARTNER_OF", {"id": b})
    await link(client, member, a, "ADVISED_BY", {"id": dana})
    await link(client, member, dana, "FATHER_OF", {"id": eli})
    someone = (await link(client, member, a, "PARTNER_OF", {"freeText": "Someone"}))["other"]

    # when
    customers = await relation_map(client, member, [a], depth=3, kinds=["CUSTOMER"])
    contacts = await relation_map(client, member, [a], depth=3, kinds=["CONTACT"])
    external = await relation_map(client, member, [a], depth=3, kinds=["EXTERNAL"])
    everything = await relation_map(client, member, [a], depth=3)

    # then
    assert depths(customers) == {a: 0, b: 1}
    assert depths(contacts) == {a: 0, dana: 1, eli: 2}
    assert pairs(contacts) == sorted([("ADVISED_BY", a, dana), ("FATHER_OF", dana, eli)])
    assert depths(external) == {a: 0, someone["id"]: 1}
    assert {(n["kind"], n["label"]) for n in everything["nodes"]} == {
        ("CUSTOMER", "A"),
        ("CUSTOMER", "B"),
        ("CONTACT", "Dana"),
        ("CONTACT", "Eli"),
        ("EXTERNAL", "Someone"),
    }


async def test_map_as_of_a_day_follows_the_links_in_effect(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: a-b in 2018-2019 only, a-c always, c-d from 2021
    await catalog(client, admin, PARTNER)
    a, b, c, d = [await customer(client, member, name) for name in "ABCD"]
    await link(
        client, member, a, "PARTNER_OF", {"id": b}, startsOn="2018-01-01", endsOn="2019-12-31"
    )
    await link(client, member, a, "PARTNER_OF", {"id": c})
    await link(client, member, c, "PARTNER_OF", {"id": d}, startsOn="2021-01-01")

    # when
    in_2019 = await relation_map(client, member, [a], depth=3, asOf="2019-06-01")
    today = await relation_map(client, member, [a], depth=3, asOf=TODAY.isoformat())
    whenever = await relation_map(client, member, [a], depth=3)

    # then
    assert depths(in_2019) == {a: 0, b: 1, c: 1}
    assert depths(today) == {a: 0, c: 1, d: 2}
    assert depths(whenever) == {a: 0, b: 1, c: 1, d: 2}
    ended = next(edge for edge in whenever["edges"] if b in (edge["source"], edge["target"]))
    assert (ended["startsOn"], ended["endsOn"]) == ("2018-01-01", "2019-12-31")


async def test_map_with_structural_edges_shows_contacts_and_projects(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    await link(client, member, a, "PARTNER_OF", {"id": b})
    dana = await contact(client, member, a, "Dana")
    rollout = await project(client, member, a, "Rollout")
    eli = await contact(client, member, b, "Eli")

    # when
    plain = await relation_map(client, member, [a], depth=2)
    structural = await relation_map(client, member, [a], depth=2, structural=True)

    # then
    assert depths(plain) == {a: 0, b: 1}
    assert depths(structural) == {a: 0, b: 1, dana: 1, rollout: 1, eli: 2}
    assert pairs(structural) == sorted(
        [("PARTNER_OF", a, b), ("WORKS_AT", dana, a), ("FOR", rollout, a), ("WORKS_AT", eli, b)]
    )
    kinds = {node["id"]: node["kind"] for node in structural["nodes"]}
    assert (kinds[dana], kinds[rollout]) == ("CONTACT", "PROJECT")
    by_type = {edge["typeKey"]: edge for edge in structural["edges"]}
    assert by_type["WORKS_AT"]["structural"] is True
    assert by_type["FOR"]["structural"] is True
    assert by_type["PARTNER_OF"]["structural"] is False
    assert by_type["WORKS_AT"]["label"] == "works at"
    assert len({edge["id"] for edge in structural["edges"]}) == 4


async def test_map_stops_at_its_limit_and_says_so(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: a star of six partners, one of them with a partner of its own
    await catalog(client, admin, PARTNER)
    hub = await customer(client, member, "Hub")
    spokes = [await customer(client, member, f"Spoke {i}") for i in range(6)]
    for spoke in spokes:
        await link(client, member, hub, "PARTNER_OF", {"id": spoke})
    await link(client, member, spokes[0], "PARTNER_OF", {"freeText": "Far"})

    # when
    cut = await relation_map(client, member, [hub], depth=2, limit=4)
    second_level_cut = await relation_map(client, member, [hub], depth=2, limit=7)
    whole = await relation_map(client, member, [hub], depth=2, limit=8)

    # then
    assert len(cut["nodes"]) == 4
    assert cut["truncated"] is True
    present = set(depths(cut))
    assert hub in present
    assert all(e["source"] in present and e["target"] in present for e in cut["edges"])
    assert len(cut["edges"]) == 3
    assert len(second_level_cut["nodes"]) == 7
    assert second_level_cut["truncated"] is True
    assert len(whole["nodes"]) == 8
    assert whole["truncated"] is False


async def test_map_leaves_archived_records_out(
    client: httpx.AsyncClient, admin: Person, member: Person, manager: Person
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a, b, c = [await customer(client, member, name) for name in "ABC"]
    await link(client, member, a, "PARTNER_OF", {"id": b})
    await link(client, member, b, "PARTNER_OF", {"id": c})
    await gql(client, ARCHIVE_CUSTOMER, {"id": b}, manager)

    # when
    found = await relation_map(client, member, [a], depth=3)
    from_archived = await relation_map(client, member, [b], depth=1)

    # then
    assert depths(found) == {a: 0}
    assert found["edges"] == []
    assert depths(from_archived) == {b: 0, a: 1, c: 1}


@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [
        ({"roots": ["cus_missing"]}, "NOT_FOUND", "rootIds"),
        ({"roots": []}, "INVALID_INPUT", "rootIds"),
        ({"types": ["NO_SUCH_TYPE"]}, "NOT_FOUND", "typeKeys"),
        ({"types": ["partner_of"]}, "INVALID_INPUT", "typeKeys"),
        ({"types": []}, "INVALID_INPUT", "typeKeys"),
        ({"depth": 5}, "INVALID_INPUT", "depth"),
        ({"depth": 0}, "INVALID_INPUT", "depth"),
        ({"limit": 1001}, "INVALID_INPUT", "limit"),
        ({"limit": 0}, "INVALID_INPUT", "limit"),
    ],
)
async def test_map_refuses_what_it_cannot_draw(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    arguments: dict[str, Any],
    code: str,
    field: str,
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a = await customer(client, member, "A")
    variables = {"roots": [a], **arguments}

    # when
    answer = await gql(client, MAP, variables, member)

    # then
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"] == {"code": code, "field": field}
    assert field in answer["errors"][0]["message"]


async def test_map_of_a_catalog_without_types_is_its_roots(
    client: httpx.AsyncClient, member: Person
) -> None:
    a = await customer(client, member, "A")

    found = await relation_map(client, member, [a], depth=2)

    assert found == {
        "nodes": [{"id": a, "kind": "CUSTOMER", "label": "A", "depth": 0}],
        "edges": [],
        "truncated": False,
    }


TWO_MAPS = """
query Maps($first: [ID!]!, $second: [ID!]!) {
  first: relationMap(rootIds: $first, depth: 2) { ...drawn }
  second: relationMap(rootIds: $second, depth: 1) { ...drawn }
}
fragment drawn on RelationMap {
  nodes { __typename depth party { __typename id kind name } }
  edges { __typename id source target typeKey }
}
"""


async def test_a_party_keeps_its_depth_in_each_map(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: A - B - C, partners in a row
    await catalog(client, admin, PARTNER)
    a, b, c = [await customer(client, member, name) for name in "ABC"]
    await link(client, member, a, "PARTNER_OF", {"id": b})
    await link(client, member, b, "PARTNER_OF", {"id": c})

    # when: one map from A, one from C
    answer = await gql(client, TWO_MAPS, {"first": [a], "second": [c]}, member)

    # then: the depth belongs to the map's node, which has no id; parties read alike
    assert "errors" not in answer, answer
    first, second = answer["data"]["first"], answer["data"]["second"]
    assert [(n["party"]["id"], n["depth"]) for n in first["nodes"]] == [(a, 0), (b, 1), (c, 2)]
    assert [(n["party"]["id"], n["depth"]) for n in second["nodes"]] == [(c, 0), (b, 1)]
    assert all("id" not in node for node in first["nodes"] + second["nodes"])
    assert conflicts(answer) == []
