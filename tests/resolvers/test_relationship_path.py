"""The shortest chain of links between two parties, through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.cache_support import conflicts
from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import (
    PARENT_COMPANY,
    PARTNER,
    PATH,
    TODAY,
    catalog,
    contact,
    customer,
    link,
    path,
)

pytestmark = pytest.mark.anyio


async def test_path_is_the_shortest_chain(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given: a-b-c-d, and a longer way round a-e-f-g-d
    await catalog(client, admin, PARTNER, PARENT_COMPANY)
    a, b, c, d, e, f, g = [await customer(client, member, name) for name in "ABCDEFG"]
    await link(client, member, a, "PARTNER_OF", {"id": b})
    await link(client, member, c, "PARENT_COMPANY_OF", {"id": b})
    await link(client, member, c, "PARTNER_OF", {"id": d})
    for x, y in ((a, e), (e, f), (f, g), (g, d)):
        await link(client, member, x, "PARTNER_OF", {"id": y})
    cypher_calls.count = 0

    # when
    found = await path(client, member, a, d)

    # then
    assert cypher_calls.count == 1
    assert found is not None
    assert [(n["id"], n["depth"]) for n in found["nodes"]] == [(a, 0), (b, 1), (c, 2), (d, 3)]
    assert [(e["typeKey"], e["source"], e["target"]) for e in found["edges"]] == [
        ("PARTNER_OF", a, b),
        ("PARENT_COMPANY_OF", c, b),
        ("PARTNER_OF", c, d),
    ]
    assert found["edges"][1]["label"] == "חברת אם"
    assert found["truncated"] is False
    back = await path(client, member, d, a)
    assert back is not None
    assert [n["id"] for n in back["nodes"]] == [d, c, b, a]


async def test_path_longer_than_max_depth_is_null(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a, b, c, d = [await customer(client, member, name) for name in "ABCD"]
    for x, y in ((a, b), (b, c), (c, d)):
        await link(client, member, x, "PARTNER_OF", {"id": y})

    # when
    too_short = await path(client, member, a, d, maxDepth=2)
    long_enough = await path(client, member, a, d, maxDepth=3)

    # then
    assert too_short is None
    assert long_enough is not None
    assert len(long_enough["edges"]) == 3


async def test_path_between_unconnected_parties_is_null(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    a, b, c = [await customer(client, member, name) for name in "ABC"]
    await link(client, member, a, "PARTNER_OF", {"id": b})
    cypher_calls.count = 0

    # when
    found = await path(client, member, a, c)

    # then
    assert found is None
    assert cypher_calls.count == 1


async def test_path_crosses_only_what_the_walk_allows(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: a short way a-b-d through an ended link and a parent company, a long way
    # a-c-e-d through partners; dana works at a, eli at d
    await catalog(client, admin, PARTNER, PARENT_COMPANY)
    a, b, c, d, e = [await customer(client, member, name) for name in "ABCDE"]
    await link(client, member, a, "PARTNER_OF", {"id": b}, endsOn="2019-12-31")
    await link(client, member, b, "PARENT_COMPANY_OF", {"id": d})
    for x, y in ((a, c), (c, e), (e, d)):
        await link(client, member, x, "PARTNER_OF", {"id": y})
    dana, eli = await contact(client, member, a, "Dana"), await contact(client, member, d, "Eli")

    # when
    shortest = await path(client, member, a, d)
    in_effect = await path(client, member, a, d, asOf=TODAY.isoformat())
    partners = await path(client, member, a, d, types=["PARTNER_OF"])
    skipping_b = await path(client, member, a, d, kinds=["EXTERNAL"])
    people = await path(client, member, dana, eli, structural=True)
    without_structure = await path(client, member, dana, eli)

    # then
    assert shortest is not None
    assert [n["id"] for n in shortest["nodes"]] == [a, b, d]
    assert in_effect is not None
    assert [n["id"] for n in in_effect["nodes"]] == [a, c, e, d]
    assert partners is not None
    assert [n["id"] for n in partners["nodes"]] == [a, c, e, d]
    assert skipping_b is None
    assert people is not None
    assert [n["id"] for n in people["nodes"]] == [dana, a, b, d, eli]
    assert [e["structural"] for e in people["edges"]] == [True, False, False, True]
    assert without_structure is None


@pytest.mark.parametrize(
    ("ends", "arguments", "code", "field"),
    [
        (("missing", "a"), {}, "NOT_FOUND", "fromId"),
        (("a", "missing"), {}, "NOT_FOUND", "toId"),
        (("a", "a"), {}, "INVALID_INPUT", "toId"),
        (("a", "b"), {"maxDepth": 7}, "INVALID_INPUT", "maxDepth"),
        (("a", "b"), {"maxDepth": 0}, "INVALID_INPUT", "maxDepth"),
        (("a", "b"), {"types": ["NO_SUCH_TYPE"]}, "NOT_FOUND", "typeKeys"),
    ],
)
async def test_path_refuses_what_it_cannot_answer(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    ends: tuple[str, str],
    arguments: dict[str, Any],
    code: str,
    field: str,
) -> None:
    # given
    await catalog(client, admin, PARTNER)
    ids = {"a": await customer(client, member, "A"), "b": await customer(client, member, "B")}
    await link(client, member, ids["a"], "PARTNER_OF", {"id": ids["b"]})
    from_id, to_id = (ids.get(end, end) for end in ends)

    # when
    answer = await gql(client, PATH, {"from": from_id, "to": to_id, **arguments}, member)

    # then
    assert answer["errors"][0]["extensions"] == {"code": code, "field": field}
    assert answer["data"] == {"relationshipPath": None}


async def test_a_path_gives_depths_on_its_nodes_not_on_the_parties(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given: A - B - C
    await catalog(client, admin, PARTNER)
    a, b, c = [await customer(client, member, name) for name in "ABC"]
    await link(client, member, a, "PARTNER_OF", {"id": b})
    await link(client, member, b, "PARTNER_OF", {"id": c})
    document = """
    query Paths($a: ID!, $c: ID!) {
      there: relationshipPath(fromId: $a, toId: $c) { nodes { depth party { __typename id } } }
      back: relationshipPath(fromId: $c, toId: $a) { nodes { depth party { __typename id } } }
    }
    """

    # when
    answer = await gql(client, document, {"a": a, "c": c}, member)

    # then
    assert "errors" not in answer, answer
    there, back = answer["data"]["there"]["nodes"], answer["data"]["back"]["nodes"]
    assert [(n["party"]["id"], n["depth"]) for n in there] == [(a, 0), (b, 1), (c, 2)]
    assert [(n["party"]["id"], n["depth"]) for n in back] == [(c, 0), (b, 1), (a, 2)]
    assert conflicts(answer) == []
