"""Loading generated data into Neo4j with the batched loader (the demo set and the seeding
commands are in test_seeding.py)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from neo4j import AsyncDriver

from kesher.graph.constraints import apply_constraints
from kesher.seeds.generator import Dataset
from kesher.seeds.loader import LoadStats, load
from kesher.seeds.relations import LINK_PLANS
from tests.conftest import Person, gql
from tests.graph.test_calendar_buckets import months_of

pytestmark = pytest.mark.anyio

COUNT_LABELS = """
MATCH (n) UNWIND labels(n) AS label
RETURN label, count(*) AS n
"""
COUNT_TYPES = """
MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n
"""
LINK_FIELDS = """
UNWIND $ids AS id
MATCH (a)-[r]->(b) WHERE r.id = id
RETURN r {.*} AS link, type(r) AS type, a.id AS from, b.id AS to,
  toString(r.startsOn) AS startsOn, toString(r.endsOn) AS endsOn,
  [valueType(r.startsOn), valueType(r.endsOn), valueType(r.createdAt)] AS kinds,
  r.createdAt.epochSeconds AS created
"""

CATALOG_AND_CARD = """
query Card($id: ID!) {
  relationshipTypes { key sortOrder }
  customer(id: $id) {
    relationships(first: 50) {
      totalCount edges { node { other { id } relationship { id typeKey } } }
    }
  }
}
"""
UPDATE_NOTE = """
mutation Note($id: ID!) {
  updateRelationship(id: $id, input: {note: "checked"}) {
    __typename
    ... on RelationshipSuccess { relationship { id note } }
  }
}
"""


async def counts(driver: AsyncDriver, database: str) -> dict[str, int]:
    labels = await driver.execute_query(COUNT_LABELS, database_=database)
    types = await driver.execute_query(COUNT_TYPES, database_=database)
    return {row["label"]: row["n"] for row in labels.records} | {
        row["type"]: row["n"] for row in types.records
    }


def _instant(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def expected_counts(dataset: Dataset) -> dict[str, int]:
    found: dict[str, int] = {"User": len(list(dataset.users(""))), "Customer": 0}
    found |= {"Contact": 0, "Project": 0, "OWNED_BY": 0, "WORKS_AT": 0, "FOR": 0}
    found |= {"RelationshipType": len(dataset.relationship_types()), "ExternalParty": 0}
    found |= {
        "ActivityType": len(dataset.activity_catalogs.types),
        "ActivityStatus": len(dataset.activity_catalogs.statuses),
        "Activity": 0,
        "ABOUT": 0,
        "HAS_TYPE": 0,
        "HAS_STATUS": 0,
        "WITH_USER": 0,
        "WITH_CONTACT": 0,
        "Chain": 0,
        "IN_CHAIN": 0,
        "FOLLOWS": 0,
        "ON_CALENDAR": 0,
    }
    refs: set[str] = set()
    buckets: set[str] = set()
    manages, shares = dataset.calendar_access()
    found |= {"MANAGES": len(manages), "SHARES_CALENDAR_WITH": len(shares)}
    for account in dataset.accounts():
        found["Customer"] += 1
        found["OWNED_BY"] += account["customer"]["ownerId"] is not None
        found["Contact"] += len(account["contacts"])
        found["WORKS_AT"] += len(account["contacts"])
        found["Project"] += len(account["projects"])
        found["FOR"] += len(account["projects"])
        for link in account["links"]:
            found[link["type"]] = found.get(link["type"], 0) + 1
            found["ExternalParty"] += link["party"] is not None
        for activity in account["activities"]:
            found["Activity"] += 1
            found["OWNED_BY"] += 1
            found["ABOUT"] += 1 + len(activity["otherCustomerIds"])
            found["HAS_TYPE"] += 1
            found["HAS_STATUS"] += 1
            found["WITH_USER"] += len(activity["participantIds"])
            found["WITH_CONTACT"] += activity["contactId"] is not None
            found["Chain"] += activity["chainId"] is not None and activity["followsId"] is None
            found["IN_CHAIN"] += activity["chainId"] is not None
            found["FOLLOWS"] += activity["followsId"] is not None
            if activity["ref"] is not None:
                refs.add(activity["kind"])
            months = months_of(
                datetime.fromtimestamp(activity["startAt"], UTC),
                _instant(activity["endAt"]),
                activity["recurrence"],
                _instant(activity["recurrenceEndsAt"]),
            )
            users = {activity["ownerId"], *activity["participantIds"]}
            found["ON_CALENDAR"] += len(users) * len(months)
            buckets |= {f"{user}|{month}" for user in users for month in months}
    # Each user's calendar buckets, and the marker of their backfill, which the
    # constraints make.
    found["CalendarMonth"] = len(buckets)
    found["CalendarBackfill"] = 1
    # A load creates a kind's sequence only when it is missing; constraints create them.
    found["RefSequence"] = len(refs)
    # The reminder scheduler's lock node, which the constraints make.
    found["ReminderLock"] = 1
    return found


NODE_LABELS = (
    "User",
    "Customer",
    "Contact",
    "Project",
    "RelationshipType",
    "ExternalParty",
    "ActivityType",
    "ActivityStatus",
    "Activity",
    "Chain",
    "CalendarMonth",
)
RECORD_EDGES = (
    "OWNED_BY",
    "WORKS_AT",
    "FOR",
    "ABOUT",
    "HAS_TYPE",
    "HAS_STATUS",
    "WITH_USER",
    "WITH_CONTACT",
    "MANAGES",
    "SHARES_CALENDAR_WITH",
    "ON_CALENDAR",
    "IN_CHAIN",
    "FOLLOWS",
)


def link_count(expected: dict[str, int]) -> int:
    return sum(expected.get(plan.key, 0) for plan in LINK_PLANS)


async def load_dataset(driver: AsyncDriver, database: str, dataset: Dataset) -> LoadStats:
    return await load(
        driver,
        database,
        dataset.users("hash"),
        dataset.accounts(),
        relationship_types=dataset.relationship_types(),
        activity_catalogs=dataset.activity_catalogs,
        calendar_access=dataset.calendar_access(),
        progress=False,
    )


@pytest.mark.parametrize(("batch_size", "concurrency"), [(64, 2), (25, 4), (1000, 1)])
async def test_load_writes_what_the_generator_made(
    driver: AsyncDriver, database: str, batch_size: int, concurrency: int
) -> None:
    # given
    await apply_constraints(driver, database)
    dataset = Dataset(600, seed=11)
    expected = expected_counts(dataset)

    # when
    stats = await load(
        driver,
        database,
        dataset.users("hash"),
        dataset.accounts(),
        relationship_types=dataset.relationship_types(),
        activity_catalogs=dataset.activity_catalogs,
        calendar_access=dataset.calendar_access(),
        batch_size=batch_size,
        concurrency=concurrency,
        progress=False,
    )

    # then
    assert await counts(driver, database) == expected
    assert stats.nodes == sum(expected[label] for label in NODE_LABELS)
    assert stats.relationships == sum(expected[edge] for edge in RECORD_EDGES) + link_count(
        expected
    )
    assert link_count(expected) > 1_000
    assert expected["Activity"] > 5_000
    assert expected["MANAGES"] > 0
    assert stats.per_second > 0


async def test_a_link_of_a_type_not_in_the_catalog_is_refused(
    driver: AsyncDriver, database: str
) -> None:
    # given
    dataset = Dataset(50, seed=2, activities_per_customer=0)

    # when / then
    with pytest.raises(ValueError, match="not in the catalog"):
        await load(driver, database, (), dataset.accounts(), progress=False)


async def test_activities_without_their_catalogs_are_refused(
    driver: AsyncDriver, database: str
) -> None:
    # given
    dataset = Dataset(50, seed=2)

    # when / then
    with pytest.raises(ValueError, match="no activity catalogs"):
        await load(
            driver,
            database,
            dataset.users("hash"),
            dataset.accounts(),
            relationship_types=dataset.relationship_types(),
            progress=False,
        )
    assert (await counts(driver, database)).get("Activity", 0) == 0


async def test_loaded_links_and_types_have_the_graph_model_fields(
    driver: AsyncDriver, database: str
) -> None:
    # given
    dataset = Dataset(400, seed=12)
    found = [link for account in dataset.accounts() for link in account["links"]]
    dated = next(
        link for link in found if link["startsOn"] and link["endsOn"] and not link["party"]
    )
    plain = next(link for link in found if not link["startsOn"] and not link["note"])
    external = next(link for link in found if link["party"])
    assert external["party"] is not None
    decision_maker = next(
        row for row in dataset.relationship_types() if row["key"] == "DECISION_MAKER"
    )

    # when
    await load_dataset(driver, database, dataset)

    # then
    answer = await driver.execute_query(
        LINK_FIELDS, ids=[dated["id"], plain["id"]], database_=database
    )
    rows = {row["link"]["id"]: row.data() for row in answer.records}
    loaded = rows[dated["id"]]
    assert loaded["type"] == dated["type"]
    assert (loaded["from"], loaded["to"]) == (dated["fromId"], dated["toId"])
    assert loaded["startsOn"] == dated["startsOn"]
    assert loaded["endsOn"] == dated["endsOn"]
    assert loaded["kinds"][:2] == ["DATE NOT NULL", "DATE NOT NULL"]
    assert loaded["kinds"][2] == "ZONED DATETIME NOT NULL"
    assert loaded["created"] == dated["createdAt"]
    assert loaded["link"]["createdBy"] == dated["createdBy"]
    assert loaded["link"].get("note") == dated["note"]
    assert set(rows[plain["id"]]["link"]) == {"id", "createdAt", "createdBy"} | (
        {"endsOn"} if plain["endsOn"] else set()
    )
    answer = await driver.execute_query(
        "MATCH (p:ExternalParty {id: $id})-[r]-(other) "
        "RETURN p {.*} AS party, r.id AS link, valueType(p.createdAt) AS kind",
        id=external["party"]["id"],
        database_=database,
    )
    party = answer.records[0].data()
    assert party["link"] == external["id"]
    assert party["party"]["name"] == external["party"]["name"]
    assert party["kind"] == "ZONED DATETIME NOT NULL"
    answer = await driver.execute_query(
        "MATCH (t:RelationshipType {key: 'DECISION_MAKER'}) RETURN t {.*} AS type",
        database_=database,
    )
    stored = answer.records[0]["type"]
    assert stored["id"] == decision_maker["id"]
    assert stored["limitPerSource"] == 1
    assert "limitPerTarget" not in stored
    assert (stored["fromKind"], stored["toKind"]) == ("Customer", "Contact")
    assert stored["label"] == "decision maker at"
    assert stored["reciprocalLabel"] == "decision maker"
    assert stored["sortOrder"] == decision_maker["sortOrder"]
    assert stored["createdAt"].timestamp() == decision_maker["createdAt"]


async def test_the_api_reads_the_loaded_links(
    client: httpx.AsyncClient, driver: AsyncDriver, database: str, admin: Person
) -> None:
    # given
    dataset = Dataset(200, seed=13)
    found = [link for account in dataset.accounts() for link in account["links"]]
    ends = Counter(end for link in found for end in (link["fromId"], link["toId"]))
    busiest = max((end for end in ends if end.startswith("cus_")), key=lambda end: ends[end])
    around = {link["id"] for link in found if busiest in (link["fromId"], link["toId"])}
    external = next(link for link in found if link["party"])
    await load_dataset(driver, database, dataset)

    # when
    answer = await gql(client, CATALOG_AND_CARD, {"id": busiest}, admin)
    updated = await gql(client, UPDATE_NOTE, {"id": external["id"]}, admin)

    # then
    assert "errors" not in answer, answer
    catalog = answer["data"]["relationshipTypes"]
    assert [row["key"] for row in catalog] == [row["key"] for row in dataset.relationship_types()]
    card = answer["data"]["customer"]["relationships"]
    assert card["totalCount"] == len(around)
    assert {edge["node"]["relationship"]["id"] for edge in card["edges"]} == around
    assert updated["data"]["updateRelationship"]["relationship"] == {
        "id": external["id"],
        "note": "checked",
    }


async def test_loaded_records_keep_their_fields_and_times(
    driver: AsyncDriver, database: str
) -> None:
    # given
    dataset = Dataset(40, seed=4)
    first = next(dataset.accounts())["customer"]

    # when
    await load_dataset(driver, database, dataset)

    # then
    answer = await driver.execute_query(
        "MATCH (c:Customer {id: $id}) "
        "RETURN c {.*} AS customer, valueType(c.createdAt) AS kind, "
        "c.createdAt.epochSeconds AS created, c.createdAt.timezone AS zone",
        id=first["id"],
        database_=database,
    )
    row: dict[str, Any] = answer.records[0].data()
    assert row["kind"] == "ZONED DATETIME NOT NULL"
    assert row["created"] == first["createdAt"]
    assert row["zone"] == "Z"
    for field in ("name", "status", "email", "phone", "website", "city"):
        assert row["customer"][field] == first[field]
    assert ("archivedAt" in row["customer"]) == (first["archivedAt"] is not None)
