"""Every field a valid document selects comes back filled: a statement reads each node in
the shape its selection asks for, wherever the node appears (cards, lists, calendar
lanes, report groups), never a fixed projection that lacks some field."""

from __future__ import annotations

import httpx
import pytest
from neo4j import AsyncDriver, Driver

from kesher.resolvers.context import Role
from kesher.seeds.demo import seed_demo
from tests.conftest import CypherCalls, Person, gql, make_user

pytestmark = pytest.mark.anyio

CATALOG_TIMES = """
{ activities(first: 3) { edges { node { type { createdAt } status { updatedAt } } } } }
"""
ONLY_TYPENAME_COUNTS = """
query Counts($id: ID!) {
  me { linkedCounts { __typename } }
  customer(id: $id) { linkedCounts { __typename } }
  activities(first: 2) { edges { node { linkedCounts { __typename } } } }
}
"""
LANES = """
query Lanes($ids: [ID!]!) {
  calendar(userIds: $ids, from: "2020-01-01T00:00:00Z", to: "2020-12-01T00:00:00Z") {
    user { name linkedCounts { ownedCustomers } ownedCustomers(first: 2) { totalCount } }
  }
  freeBusy(userIds: $ids, from: "2020-01-01T00:00:00Z", to: "2020-12-01T00:00:00Z") {
    user { handle linkedCounts { __typename ownedCustomers } }
  }
}
"""
REPORT_BY_OWNER = """
{
  activityReport(groupBy: [OWNER, TYPE]) {
    count
    owner { id ownedCustomers(first: 1) { __typename totalCount } linkedCounts { ownedCustomers } }
    type { name createdAt }
  }
}
"""


async def _seeded(driver: AsyncDriver, database: str, clean_db: Driver) -> Person:
    await seed_demo(driver, database, customers=4)
    return make_user(clean_db, Role.ADMIN)


async def test_catalog_entries_on_an_activity_have_their_times(
    client: httpx.AsyncClient, driver: AsyncDriver, database: str, clean_db: Driver
) -> None:
    # given
    admin = await _seeded(driver, database, clean_db)
    # when
    answer = await gql(client, CATALOG_TIMES, person=admin)
    # then
    assert "errors" not in answer, answer
    node = answer["data"]["activities"]["edges"][0]["node"]
    assert node["type"]["createdAt"]
    assert node["status"]["updatedAt"]


async def test_linked_counts_with_only_their_typename(
    client: httpx.AsyncClient, driver: AsyncDriver, database: str, clean_db: Driver
) -> None:
    # given
    admin = await _seeded(driver, database, clean_db)
    rows = await driver.execute_query("MATCH (c:Customer) RETURN c.id AS id LIMIT 1")
    # when
    answer = await gql(client, ONLY_TYPENAME_COUNTS, {"id": rows.records[0]["id"]}, person=admin)
    # then
    assert "errors" not in answer, answer
    assert answer["data"]["me"]["linkedCounts"] == {"__typename": "UserCounts"}
    assert answer["data"]["customer"]["linkedCounts"] == {"__typename": "CustomerCounts"}
    edges = answer["data"]["activities"]["edges"]
    assert edges[0]["node"]["linkedCounts"] == {"__typename": "ActivityCounts"}


async def test_calendar_lanes_read_their_user_as_selected(
    client: httpx.AsyncClient,
    driver: AsyncDriver,
    database: str,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given
    admin = await _seeded(driver, database, clean_db)
    rows = await driver.execute_query(
        "MATCH (u:User) WHERE COUNT { (u)<-[:OWNED_BY]-(:Customer) } > 0 RETURN u.id AS id"
    )
    owner = rows.records[0]["id"]
    cypher_calls.count = 0
    # when
    answer = await gql(client, LANES, {"ids": [owner]}, person=admin)
    # then
    assert "errors" not in answer, answer
    assert cypher_calls.count == 2
    lane = answer["data"]["calendar"][0]["user"]
    assert lane["linkedCounts"]["ownedCustomers"] >= 1
    assert lane["ownedCustomers"]["totalCount"] == lane["linkedCounts"]["ownedCustomers"]
    busy = answer["data"]["freeBusy"][0]["user"]
    assert busy["linkedCounts"] == {
        "__typename": "UserCounts",
        "ownedCustomers": lane["linkedCounts"]["ownedCustomers"],
    }


async def test_report_groups_read_their_records_as_selected(
    client: httpx.AsyncClient,
    driver: AsyncDriver,
    database: str,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given
    admin = await _seeded(driver, database, clean_db)
    cypher_calls.count = 0
    # when
    answer = await gql(client, REPORT_BY_OWNER, person=admin)
    # then
    assert "errors" not in answer, answer
    assert cypher_calls.count == 1
    rows = answer["data"]["activityReport"]
    assert rows
    assert all(row["type"]["createdAt"] for row in rows)
    owned = {row["owner"]["id"]: row["owner"] for row in rows}
    assert any(o["linkedCounts"]["ownedCustomers"] > 0 for o in owned.values())
    for owner in owned.values():
        assert owner["ownedCustomers"]["totalCount"] == owner["linkedCounts"]["ownedCustomers"]
