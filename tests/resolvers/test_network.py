"""Network analytics on a small hand-built graph whose groups, connectors and
single-threaded accounts are known."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.app import create_app
from kesher.settings import Settings
from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import (
    FATHER,
    PARENT_COMPANY,
    TODAY,
    catalog,
    contact,
    customer,
    link,
)

pytestmark = pytest.mark.anyio

NETWORK = """
query Network($types: [String!], $asOf: Date, $structural: Boolean! = true,
              $first: Int, $after: String) {
  networkAnalytics(typeKeys: $types, asOf: $asOf, includeStructural: $structural) {
    links truncated
    groups(first: $first, after: $after) {
      edges { node { id size customers members(first: 20) { edges { node { name kind } } } } }
      pageInfo { hasNextPage endCursor }
    }
    connectors { edges { node { party { name } pieces groupSize } } }
    singleThreaded { edges { node { customer { name } contact { name } } } }
  }
}
"""


async def families(client: httpx.AsyncClient, admin: Person, member: Person) -> dict[str, str]:
    """Alpha is the parent company of Beta, Beta of Gamma; Dana and Rina work at Alpha,
    Dana is Yoni's father and Yoni works at Delta; Eli works at Echo; Foxtrot has no one.
    From a week on, Echo is Gamma's parent company too."""
    await catalog(client, admin, PARENT_COMPANY, FATHER)
    ids = {name: await customer(client, member, name) for name in ("Alpha", "Beta", "Gamma")}
    ids |= {name: await customer(client, member, name) for name in ("Delta", "Echo", "Foxtrot")}
    ids["Dana"] = await contact(client, member, ids["Alpha"], "Dana")
    ids["Rina"] = await contact(client, member, ids["Alpha"], "Rina")
    ids["Yoni"] = await contact(client, member, ids["Delta"], "Yoni")
    ids["Eli"] = await contact(client, member, ids["Echo"], "Eli")
    await link(client, member, ids["Alpha"], "PARENT_COMPANY_OF", {"id": ids["Beta"]})
    await link(client, member, ids["Beta"], "PARENT_COMPANY_OF", {"id": ids["Gamma"]})
    await link(client, member, ids["Dana"], "FATHER_OF", {"id": ids["Yoni"]})
    week = (TODAY + timedelta(days=7)).isoformat()
    await link(
        client, member, ids["Echo"], "PARENT_COMPANY_OF", {"id": ids["Gamma"]}, startsOn=week
    )
    return ids


def shape(answer: dict[str, Any]) -> dict[str, Any]:
    found = answer["data"]["networkAnalytics"]
    return {
        "groups": [
            (
                e["node"]["size"],
                e["node"]["customers"],
                [m["node"]["name"] for m in e["node"]["members"]["edges"]],
            )
            for e in found["groups"]["edges"]
        ],
        "connectors": [
            (e["node"]["party"]["name"], e["node"]["pieces"], e["node"]["groupSize"])
            for e in found["connectors"]["edges"]
        ],
        "single": [
            (e["node"]["customer"]["name"], e["node"]["contact"]["name"])
            for e in found["singleThreaded"]["edges"]
        ],
    }


async def test_groups_connectors_and_single_threaded_accounts_of_a_known_graph(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await families(client, admin, member)

    # when
    cypher_calls.count = 0
    answer = await gql(client, NETWORK, {}, member)

    # then
    assert cypher_calls.count == 1
    assert answer["data"]["networkAnalytics"]["truncated"] is False
    assert answer["data"]["networkAnalytics"]["links"] == 7
    assert shape(answer) == {
        "groups": [
            (7, 4, ["Alpha", "Beta", "Dana", "Delta", "Gamma", "Rina", "Yoni"]),
            (2, 1, ["Echo", "Eli"]),
        ],
        "connectors": [
            ("Alpha", 3, 7),
            ("Beta", 2, 7),
            ("Dana", 2, 7),
            ("Yoni", 2, 7),
        ],
        "single": [("Delta", "Yoni"), ("Echo", "Eli")],
    }


async def test_types_and_a_day_narrow_the_links_that_count(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await families(client, admin, member)

    # when
    companies = await gql(
        client, NETWORK, {"types": ["PARENT_COMPANY_OF"], "structural": False}, member
    )
    week = (TODAY + timedelta(days=7)).isoformat()
    later = await gql(
        client,
        NETWORK,
        {"types": ["PARENT_COMPANY_OF"], "structural": False, "asOf": week},
        member,
    )

    # then
    assert shape(companies) == {
        "groups": [(3, 3, ["Alpha", "Beta", "Gamma"])],
        "connectors": [("Beta", 2, 3)],
        "single": [],
    }
    assert shape(later) == {
        "groups": [(4, 4, ["Alpha", "Beta", "Echo", "Gamma"])],
        "connectors": [("Beta", 2, 4), ("Gamma", 2, 4)],
        "single": [],
    }


async def test_groups_page_by_cursor(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await families(client, admin, member)

    # when
    first = await gql(client, NETWORK, {"first": 1}, member)
    cursor = first["data"]["networkAnalytics"]["groups"]["pageInfo"]["endCursor"]
    second = await gql(client, NETWORK, {"first": 1, "after": cursor}, member)

    # then
    assert [g[0] for g in shape(first)["groups"]] == [7]
    assert first["data"]["networkAnalytics"]["groups"]["pageInfo"]["hasNextPage"] is True
    assert [g[0] for g in shape(second)["groups"]] == [2]
    assert second["data"]["networkAnalytics"]["groups"]["pageInfo"]["hasNextPage"] is False


@pytest.fixture
async def capped(settings: Settings, clean_db: Driver) -> AsyncIterator[httpx.AsyncClient]:
    """The app reading at most three links for analytics."""
    app = create_app(settings.model_copy(update={"analytics_max_links": 3}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


async def test_over_the_bound_the_answer_says_it_was_truncated(
    capped: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    await families(capped, admin, member)

    # when
    answer = await gql(capped, NETWORK, {}, member)

    # then
    found = answer["data"]["networkAnalytics"]
    assert (found["links"], found["truncated"]) == (3, True)
