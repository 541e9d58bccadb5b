"""Generated activities: the rules they keep, and what the API reads once they are loaded."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from neo4j import AsyncDriver, Driver

from kesher.graph.constraints import apply_constraints
from kesher.resolvers.context import Role, Viewer
from kesher.resolvers.tokens import issue
from kesher.seeds.activities import ActivityRow
from kesher.seeds.generator import DEFAULT_UNTIL, HISTORY_SECONDS, Dataset
from tests.conftest import TEST_SECRET, Person, gql
from tests.seeds.test_loader import load_dataset

pytestmark = pytest.mark.anyio

CALENDAR = """
query Calendar($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {
  calendar(userIds: $ids, from: $from, to: $to) {
    user { id }
    occurrences { id originalStart activity { id recurrence } }
    truncated
  }
}
"""
HISTORY = """
query History($id: ID!) {
  activities(filter: {customerIds: [$id]}, includeClosed: true, first: 100) {
    totalCount
    edges { node { id } }
  }
  activityReport(groupBy: [STATUS], includeClosed: true) { status { id } count }
}
"""
CARD = """
query Card($id: ID!) {
  activity(id: $id) {
    id kind subject startsAt endsAt dueAt allDay timeZone closedAt
    owner { id } customer { id } contact { id } type { id } status { id category }
    participants(first: 10) { edges { node { id } } }
    customers(first: 10) { edges { node { id } } }
  }
}
"""


def generated(dataset: Dataset) -> list[tuple[list[str], ActivityRow]]:
    """Each activity with the ids of its account's contacts."""
    return [
        ([contact["id"] for contact in account["contacts"]], row)
        for account in dataset.accounts()
        for row in account["activities"]
    ]


def test_activities_keep_the_rules_the_api_keeps() -> None:
    # given
    dataset = Dataset(1500, seed=5)
    users = {row["id"] for row in dataset.users("")}
    categories = {row["id"]: row["category"] for row in dataset.activity_catalogs.statuses}
    earlier: set[str] = set()

    # when
    rows = generated(dataset)

    # then
    for account in dataset.accounts():
        for row in account["activities"]:
            assert set(row["otherCustomerIds"]) <= earlier
        earlier.add(account["customer"]["id"])
    for contacts, row in rows:
        assert row["ownerId"] in users
        assert set(row["participantIds"]) <= users - {row["ownerId"]}
        assert row["contactId"] is None or row["contactId"] in contacts
        assert row["customerId"] not in row["otherCustomerIds"]
        assert row["createdAt"] <= row["updatedAt"] <= dataset.until
        if row["kind"] == "TASK":
            assert row["startAt"] == row["endAt"] == row["dueAt"]
        else:
            assert row["dueAt"] is None
            assert row["endAt"] >= row["startAt"]
        if row["closedAt"] is not None:
            assert categories[row["statusId"]] in ("DONE", "CANCELLED")
        if row["startAt"] >= dataset.until:
            assert categories[row["statusId"]] == "OPEN"
        if row["allDay"]:
            zone = ZoneInfo(row["timeZone"])
            for moment in (row["startAt"], row["endAt"]):
                local = datetime.fromtimestamp(moment, zone)
                assert (local.hour, local.minute) == (0, 0)
        if row["recurrence"] is not None:
            assert row["kind"] == "EVENT"
            assert row["recurrenceEndsAt"] is not None
            assert row["recurrenceEndsAt"] > row["endAt"]
    kinds = Counter(row["kind"] for _, row in rows)
    assert set(kinds) == {"EVENT", "TASK", "CALL", "EMAIL", "OFFER", "PRODUCT_RECORD"}
    assert all(
        sum(1 for _, row in rows if predicate(row)) > 0
        for predicate in (
            lambda row: row["allDay"],
            lambda row: row["recurrence"] is not None,
            lambda row: row["closedAt"] is not None,
            lambda row: row["otherCustomerIds"],
            lambda row: row["externalUrl"] is not None,
            lambda row: row["startAt"] > dataset.until,
        )
    )


def test_a_customer_has_as_many_activities_at_ten_times_the_scale() -> None:
    # given
    small, large = Dataset(2_000, seed=6), Dataset(20_000, seed=6)

    # when
    means = [
        statistics.mean(len(account["activities"]) for account in dataset.accounts())
        for dataset in (small, large)
    ]

    # then
    assert means[0] == pytest.approx(10.5, rel=0.05)
    assert means[1] == pytest.approx(means[0], rel=0.03)


def test_a_longer_history_gives_the_same_customers_and_recent_months_and_more_years() -> None:
    # given
    usual, longer = Dataset(2_000, seed=6), Dataset(2_000, seed=6, history=5)
    recent = DEFAULT_UNTIL.timestamp() - HISTORY_SECONDS

    # when
    accounts = [list(dataset.accounts()) for dataset in (usual, longer)]
    starts = [[row["startAt"] for a in found for row in a["activities"]] for found in accounts]

    # then: the same customers
    assert [a["customer"] for a in accounts[0]] == [a["customer"] for a in accounts[1]]
    # five times the activities, over five periods of history
    assert len(starts[1]) == pytest.approx(5 * len(starts[0]), rel=0.03)
    assert min(starts[1]) >= recent - 4 * HISTORY_SECONDS
    assert min(starts[1]) < recent - 3.5 * HISTORY_SECONDS
    # and as many in the last period (past the earlier one's two months of future), so a
    # month's calendar holds as much as before
    in_recent = [sum(start >= recent + 90 * 86_400 for start in found) for found in starts]
    assert in_recent[1] == pytest.approx(in_recent[0], rel=0.05)
    # with every reference number once
    refs = [row["ref"] for a in accounts[1] for row in a["activities"] if row["ref"]]
    assert len(refs) == len(set(refs))


def test_managers_manage_the_users_after_them_and_nobody_shares_with_themselves() -> None:
    # given
    dataset = Dataset(4_000, seed=7)
    roles = {row["id"]: row["role"] for row in dataset.users("")}

    # when
    manages, shares = dataset.calendar_access()

    # then
    managed = Counter(row["fromId"] for row in manages)
    assert set(managed) == {user for user, role in roles.items() if role == "MANAGER"}
    assert max(managed.values()) == 9
    assert all(row["fromId"] != row["toId"] for row in manages + shares)
    assert shares


async def load_with_activities(driver: AsyncDriver, database: str, dataset: Dataset) -> None:
    await apply_constraints(driver, database)
    await load_dataset(driver, database, dataset)


def overlaps(row: ActivityRow, starts: int, ends: int) -> bool:
    if row["startAt"] == row["endAt"]:
        return starts <= row["startAt"] < ends
    return row["startAt"] < ends and row["endAt"] > starts


async def test_a_manager_sees_the_loaded_calendars_of_the_users_they_manage(
    client: httpx.AsyncClient, driver: AsyncDriver, database: str
) -> None:
    # given
    dataset = Dataset(1_200, seed=8)
    await load_with_activities(driver, database, dataset)
    manages, _ = dataset.calendar_access()
    manager = manages[0]["fromId"]
    lane_ids = [manager] + [row["toId"] for row in manages if row["fromId"] == manager]
    token, _ = issue(Viewer(manager, Role.MANAGER), TEST_SECRET, 3600)
    viewer = Person(manager, "", Role.MANAGER, token)
    first = datetime(2025, 6, 1, tzinfo=UTC)
    last = first + timedelta(days=30)
    starts, ends = int(first.timestamp()), int(last.timestamp())
    rows = [row for _, row in generated(dataset)]

    # when
    answer = await gql(
        client,
        CALENDAR,
        {"ids": lane_ids, "from": first.isoformat(), "to": last.isoformat()},
        viewer,
    )

    # then
    assert "errors" not in answer, answer
    lanes = answer["data"]["calendar"]
    assert [lane["user"]["id"] for lane in lanes] == lane_ids
    for lane in lanes:
        user = lane["user"]["id"]
        expected = {
            row["id"]
            for row in rows
            if user in [row["ownerId"], *row["participantIds"]]
            and row["closedAt"] is None
            and row["recurrence"] is None
            and overlaps(row, starts, ends)
        }
        items = lane["occurrences"]
        shown = {item["activity"]["id"] for item in items if item["activity"]["recurrence"] is None}
        assert shown == expected
        assert all(item["originalStart"] for item in items if item["activity"]["recurrence"])
        assert len({item["id"] for item in items}) == len(items)
    assert sum(len(lane["occurrences"]) for lane in lanes) > 10


async def test_a_loaded_history_report_and_card_match_the_generated_rows(
    client: httpx.AsyncClient, driver: AsyncDriver, database: str, admin: Person
) -> None:
    # given
    dataset = Dataset(300, seed=9)
    await load_with_activities(driver, database, dataset)
    found = generated(dataset)
    rows = [row for _, row in found]
    about = Counter(
        customer for row in rows for customer in [row["customerId"], *row["otherCustomerIds"]]
    )
    busiest = max(about, key=lambda customer: about[customer])
    sample = next(
        row for row in rows if row["contactId"] and row["participantIds"] and row["closedAt"]
    )

    # when
    answer = await gql(client, HISTORY, {"id": busiest}, admin)
    card = await gql(client, CARD, {"id": sample["id"]}, admin)

    # then
    assert "errors" not in answer, answer
    history = answer["data"]["activities"]
    assert history["totalCount"] == about[busiest]
    assert len(history["edges"]) == about[busiest]
    statuses = Counter(row["statusId"] for row in rows)
    report = {row["status"]["id"]: row["count"] for row in answer["data"]["activityReport"]}
    assert report == dict(statuses)
    shown = card["data"]["activity"]
    assert shown["kind"] == sample["kind"]
    assert shown["subject"] == sample["subject"]
    assert datetime.fromisoformat(shown["startsAt"]).timestamp() == sample["startAt"]
    assert datetime.fromisoformat(shown["endsAt"]).timestamp() == sample["endAt"]
    assert datetime.fromisoformat(shown["closedAt"]).timestamp() == sample["closedAt"]
    assert (shown["allDay"], shown["timeZone"]) == (sample["allDay"], sample["timeZone"])
    assert shown["owner"]["id"] == sample["ownerId"]
    assert shown["customer"]["id"] == sample["customerId"]
    assert shown["contact"]["id"] == sample["contactId"]
    assert (shown["type"]["id"], shown["status"]["id"]) == (sample["typeId"], sample["statusId"])
    assert shown["status"]["category"] in ("DONE", "CANCELLED")
    participants = {edge["node"]["id"] for edge in shown["participants"]["edges"]}
    assert participants == set(sample["participantIds"])
    customers = {edge["node"]["id"] for edge in shown["customers"]["edges"]}
    assert customers == {sample["customerId"], *sample["otherCustomerIds"]}


async def test_only_loaded_open_tasks_still_to_fall_due_wait_for_a_reminder(
    driver: AsyncDriver, database: str, clean_db: Driver
) -> None:
    # given: a history up to today, with tasks planned for the weeks ahead
    dataset = Dataset(300, seed=9, until=datetime.now(UTC))
    await load_with_activities(driver, database, dataset)
    now = datetime.now(UTC).timestamp()
    expected = {
        row["id"]
        for _, row in generated(dataset)
        if row["kind"] == "TASK" and row["closedAt"] is None and (row["dueAt"] or 0) > now
    }

    # when
    records, _, _ = clean_db.execute_query(
        "MATCH (a:Activity) WHERE a.remindAt IS NOT NULL "
        "RETURN a.id AS id, a.remindAt = a.dueAt AS onTime",
        database_="neo4j",
    )

    # then
    assert expected, "the dataset should hold open tasks due later"
    assert {r["id"] for r in records} == expected
    assert all(r["onTime"] for r in records)
