"""Chain analytics over hand-built chains whose answers are worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.graph.chain_stats import ChainWindow, statement
from kesher.graph.constraints import STATEMENTS
from kesher.graph.records import RecordFilter
from tests.conftest import CypherCalls, Person, gql, make_user
from tests.graph.test_relation_map import plan_of

pytestmark = pytest.mark.anyio

DAY = 86400.0

CHAIN_STATS = """
query ChainStats($filter: CustomerFilter, $from: DateTime, $to: DateTime) {
  chainStats(filter: $filter, from: $from, to: $to) {
    chains medianDurationSeconds p90DurationSeconds medianSteps
    byType {
      type { id name sortOrder }
      chainsWith chainsWithout medianDurationWith medianDurationWithout
    }
  }
}
"""

# The activity types by sort order; Demo is only on an activity in no chain.
TYPES = (("Offer", 1), ("Call", 2), ("Meeting", 3), ("Demo", 4))

# Each chain: when it starts, then its steps as (customer, days after the start, type).
# Durations 1, 2, 3, 4 and 10 days; steps 2, 3, 4, 5 and 2; K4 belongs to B and C; K6 is
# archived X's (also about A, but not primarily).
CHAINS: dict[str, tuple[str, list[tuple[str, float, str]]]] = {
    "K1": ("2026-01-05T09:00:00Z", [("A", 0, "Call"), ("A", 1, "Call")]),
    "K2": ("2026-02-01T09:00:00Z", [("A", 0, "Call"), ("A", 0.5, "Meeting"), ("A", 2, "Call")]),
    "K3": (
        "2026-03-01T09:00:00Z",
        [("B", 0, "Offer"), ("B", 1, "Meeting"), ("B", 2, "Call"), ("B", 3, "Call")],
    ),
    "K4": (
        "2026-04-01T09:00:00Z",
        [
            ("C", 4, "Call"),
            ("B", 1, "Offer"),
            ("C", 0, "Offer"),
            ("C", 3, "Meeting"),
            ("C", 2, "Call"),
        ],
    ),
    "K5": ("2026-05-01T09:00:00Z", [("C", 0, "Meeting"), ("C", 10, "Offer")]),
    "K6": ("2026-01-10T09:00:00Z", [("X", 0, "Call"), ("X", 100, "Call")]),
}


def build(driver: Driver, owners: dict[str, Person]) -> None:
    """Customers A (ACTIVE, first owner), B (LEAD, second), C (ACTIVE, second) and X
    (ACTIVE, first, archived), the type catalog, the chains and one activity in no chain."""
    driver.execute_query(
        "UNWIND $types AS entry CREATE (:ActivityType {id: 'aty_' + entry[0], name: entry[0], "
        "colour: '#336699', sortOrder: entry[1], createdAt: datetime(), updatedAt: datetime()})",
        types=[list(entry) for entry in TYPES],
        database_="neo4j",
    )
    customers = [
        ("A", "ACTIVE", owners["first"].id, False),
        ("B", "LEAD", owners["second"].id, False),
        ("C", "ACTIVE", owners["second"].id, False),
        ("X", "ACTIVE", owners["first"].id, True),
    ]
    driver.execute_query(
        "UNWIND $customers AS row MATCH (u:User {id: row[2]}) "
        "CREATE (c:Customer {id: 'cus_' + row[0], name: 'Customer ' + row[0], status: row[1], "
        "createdAt: datetime(), updatedAt: datetime()})-[:OWNED_BY]->(u) "
        "SET c.archivedAt = CASE WHEN row[3] THEN datetime() END",
        customers=[list(row) for row in customers],
        database_="neo4j",
    )
    for chain_id, (start, steps) in CHAINS.items():
        starts = datetime.fromisoformat(start)
        driver.execute_query(
            "MATCH (u:User {id: $owner}) CREATE (chain:Chain {id: $chain, createdAt: datetime()}) "
            "WITH u, chain UNWIND range(0, size($steps) - 1) AS i "
            "MATCH (c:Customer {id: 'cus_' + $steps[i][0]}), (t:ActivityType {name: $steps[i][2]}) "
            "CREATE (a:Activity {id: $chain + '_' + i, kind: 'EVENT', subject: $chain, "
            "startAt: $steps[i][1], endAt: $steps[i][1] + duration('PT1H')}) "
            "CREATE (a)-[:ABOUT {primary: true}]->(c), (a)-[:HAS_TYPE]->(t), "
            "(a)-[:OWNED_BY]->(u), (a)-[:IN_CHAIN]->(chain)",
            owner=owners["first"].id,
            chain=chain_id,
            steps=[
                [customer, starts + timedelta(days=days), type_name]
                for customer, days, type_name in steps
            ],
            database_="neo4j",
        )
    driver.execute_query(
        "MATCH (chain:Chain)<-[:IN_CHAIN]-(a) WITH chain, a ORDER BY a.startAt "
        "WITH collect(a) AS steps UNWIND range(1, size(steps) - 1) AS i "
        "WITH steps[i] AS later, steps[i - 1] AS earlier CREATE (later)-[:FOLLOWS]->(earlier)",
        database_="neo4j",
    )
    driver.execute_query(
        "MATCH (a:Activity {id: 'K6_0'}), (c:Customer {id: 'cus_A'}) "
        "CREATE (a)-[:ABOUT {primary: false}]->(c)",
        database_="neo4j",
    )
    driver.execute_query(
        "MATCH (c:Customer {id: 'cus_A'}), (t:ActivityType {name: 'Demo'}), (u:User {id: $owner}) "
        "CREATE (a:Activity {id: 'loose', kind: 'EVENT', subject: 'On its own', "
        "startAt: datetime('2026-01-06T09:00:00Z'), endAt: datetime('2026-01-06T10:00:00Z')}) "
        "CREATE (a)-[:ABOUT {primary: true}]->(c), (a)-[:HAS_TYPE]->(t), (a)-[:OWNED_BY]->(u)",
        owner=owners["first"].id,
        database_="neo4j",
    )


@pytest.fixture
def owners(clean_db: Driver) -> dict[str, Person]:
    found = {"first": make_user(clean_db, name="First"), "second": make_user(clean_db, name="Two")}
    build(clean_db, found)
    return found


async def stats(client: httpx.AsyncClient, person: Person, **variables: Any) -> dict[str, Any]:
    answer = await gql(client, CHAIN_STATS, variables, person)
    assert "errors" not in answer, answer
    result: dict[str, Any] = answer["data"]["chainStats"]
    return result


def days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / DAY, 6)


def by_type(result: dict[str, Any]) -> dict[str, tuple[int, int, float | None, float | None]]:
    """Each type's figures by name, durations in days."""
    return {
        row["type"]["name"]: (
            row["chainsWith"],
            row["chainsWithout"],
            days(row["medianDurationWith"]),
            days(row["medianDurationWithout"]),
        )
        for row in result["byType"]
    }


async def test_stats_over_every_live_customers_chains(
    client: httpx.AsyncClient,
    admin: Person,
    owners: dict[str, Person],
    cypher_calls: CypherCalls,
) -> None:
    # when an ADMIN, who sees every owner's activities, asks
    cypher_calls.count = 0
    result = await stats(client, admin)

    # then: K1..K5 (K6's customer is archived; the loose activity is in no chain)
    assert cypher_calls.count == 1
    assert result["chains"] == 5
    # durations 1, 2, 3, 4, 10 days: the median is the middle one
    assert result["medianDurationSeconds"] == pytest.approx(3 * DAY)
    # p90 interpolates: position 0.9 * 4 = 3.6, so 4 + 0.6 * (10 - 4) days
    assert result["p90DurationSeconds"] == pytest.approx(7.6 * DAY)
    # steps 2, 2, 3, 4, 5
    assert result["medianSteps"] == pytest.approx(3.0)
    assert [row["type"]["name"] for row in result["byType"]] == [name for name, _ in TYPES]
    assert [row["type"]["sortOrder"] for row in result["byType"]] == [1, 2, 3, 4]
    assert by_type(result) == {
        # with K3, K4, K5 (3, 4, 10), without K1, K2 (1, 2: the mean of the two middle)
        "Offer": (3, 2, 4.0, 1.5),
        # with K1..K4 (1, 2, 3, 4), without K5 (10)
        "Call": (4, 1, 2.5, 10.0),
        # with K2..K5 (2, 3, 4, 10), without K1 (1)
        "Meeting": (4, 1, 3.5, 1.0),
        # in no chain
        "Demo": (0, 5, None, 3.0),
    }


async def test_a_filter_narrows_to_its_customers_chains(
    client: httpx.AsyncClient, admin: Person, owners: dict[str, Person]
) -> None:
    # when: A and C are ACTIVE (X too, but archived)
    active = await stats(client, admin, filter={"statuses": ["ACTIVE"]})
    # B alone is a LEAD; K4 is B's as well as C's
    lead = await stats(client, admin, filter={"statuses": ["LEAD"]})
    # the first owner has A and the archived X; K6 is only about A, not primarily
    first = await stats(client, admin, filter={"ownerIds": [owners["first"].id]})
    archived_too = await stats(
        client, admin, filter={"ownerIds": [owners["first"].id], "includeArchived": True}
    )

    # then: K1, K2, K4, K5: durations 1, 2, 4, 10 days and steps 2, 3, 5, 2
    assert active["chains"] == 4
    assert active["medianDurationSeconds"] == pytest.approx(3 * DAY)
    assert active["p90DurationSeconds"] == pytest.approx(8.2 * DAY)  # 4 + 0.7 * 6
    assert active["medianSteps"] == pytest.approx(2.5)
    assert by_type(active)["Offer"] == (2, 2, 7.0, 1.5)
    # K3 and K4, K4 once
    assert lead["chains"] == 2
    assert lead["medianDurationSeconds"] == pytest.approx(3.5 * DAY)
    assert lead["medianSteps"] == pytest.approx(4.5)
    assert by_type(lead)["Call"] == (2, 0, 3.5, None)
    # K1, K2
    assert first["chains"] == 2
    assert first["medianDurationSeconds"] == pytest.approx(1.5 * DAY)
    # K1, K2, K6 (1, 2, 100 days)
    assert archived_too["chains"] == 3
    assert archived_too["medianDurationSeconds"] == pytest.approx(2 * DAY)
    assert archived_too["p90DurationSeconds"] == pytest.approx(80.4 * DAY)  # 2 + 0.8 * 98


async def test_from_and_to_keep_the_chains_that_started_in_the_window(
    client: httpx.AsyncClient, admin: Person, owners: dict[str, Person]
) -> None:
    # when: K2 starts at `from` (kept), K4 at `to` (left out)
    window = await stats(
        client, admin, **{"from": "2026-02-01T09:00:00Z"}, to="2026-04-01T09:00:00Z"
    )
    since = await stats(client, admin, **{"from": "2026-03-15T00:00:00+02:00"})
    until = await stats(client, admin, to="2026-02-01T09:00:00Z")

    # then
    assert window["chains"] == 2  # K2, K3
    assert window["medianDurationSeconds"] == pytest.approx(2.5 * DAY)
    assert since["chains"] == 2  # K4, K5
    assert since["medianDurationSeconds"] == pytest.approx(7 * DAY)
    assert until["chains"] == 1  # K1
    assert until["medianDurationSeconds"] == pytest.approx(1 * DAY)
    assert until["p90DurationSeconds"] == pytest.approx(1 * DAY)


async def test_no_chains_gives_zero_and_null_figures(
    client: httpx.AsyncClient, member: Person, owners: dict[str, Person]
) -> None:
    # when: nobody is a FORMER customer
    result = await stats(client, member, filter={"statuses": ["FORMER"]})

    # then
    assert result["chains"] == 0
    assert result["medianDurationSeconds"] is None
    assert result["p90DurationSeconds"] is None
    assert result["medianSteps"] is None
    assert by_type(result) == {name: (0, 0, None, None) for name, _ in TYPES}


async def test_to_must_come_after_from(
    client: httpx.AsyncClient, member: Person, owners: dict[str, Person]
) -> None:
    variables = {"from": "2026-03-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}
    answer = await gql(client, CHAIN_STATS, variables, member)
    assert answer["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_chain_stats_needs_a_signed_in_user(
    client: httpx.AsyncClient, owners: dict[str, Person]
) -> None:
    answer = await gql(client, CHAIN_STATS)
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def seed_for_plans(driver: Driver) -> None:
    for text in STATEMENTS:
        driver.execute_query(text, database_="neo4j")
    driver.execute_query("CALL db.awaitIndexes(300)", database_="neo4j")
    driver.execute_query(
        "UNWIND range(1, 2000) AS i "
        "CREATE (c:Customer {id: 'cus_' + i, name: 'C' + i, status: ['LEAD', 'ACTIVE'][i % 2]}) "
        "CREATE (chain:Chain {id: 'chn_' + i}) "
        "WITH c, chain, i UNWIND range(0, 2) AS j "
        "CREATE (a:Activity {id: 'act_' + i + '_' + j, startAt: datetime() + duration({days: j})}) "
        "CREATE (a)-[:ABOUT {primary: true}]->(c), (a)-[:IN_CHAIN]->(chain)",
        database_="neo4j",
    )
    driver.execute_query(
        "UNWIND range(1, 5) AS i CREATE (:ActivityType {id: 'aty_' + i, sortOrder: i})",
        database_="neo4j",
    )
    driver.execute_query("CALL db.prepareForReplanning(60)", database_="neo4j")


def test_plans_start_from_the_chains_or_the_filtered_customers(clean_db: Driver) -> None:
    # given
    seed_for_plans(clean_db)
    window = ChainWindow(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))

    # when
    plans = {
        name: plan_of(clean_db, *statement(frozenset(), None, where, window))
        for name, where in (
            ("all", RecordFilter()),
            ("status", RecordFilter(statuses=("ACTIVE", "LEAD"))),
            ("owner", RecordFilter(owner_ids=("usr_1",))),
        )
    }

    # then: only the small type catalog is scanned besides the chains without a filter
    for plan in plans.values():
        operators = [operator for operator, _ in plan]
        assert "CartesianProduct" not in operators, plan
        assert "AllNodesScan" not in operators, plan
    scans = {name: {d for op, d in plan if op == "NodeByLabelScan"} for name, plan in plans.items()}
    assert {d.split(":")[1] for d in scans["all"]} == {"Chain", "ActivityType"}, plans["all"]
    for name in ("status", "owner"):
        assert {d.split(":")[1] for d in scans[name]} == {"ActivityType"}, plans[name]
    assert any(op.startswith("NodeIndexSeek") for op, _ in plans["status"]), plans["status"]
    assert "NodeUniqueIndexSeek" in [op for op, _ in plans["owner"]], plans["owner"]
