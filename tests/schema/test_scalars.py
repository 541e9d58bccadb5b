"""Times, dates and time zones: refused with a clear message when they mean nothing
precise, and stored data outside the years kept does not break a read."""

from __future__ import annotations

import httpx
import pytest
from neo4j import AsyncDriver, Driver

from kesher.resolvers.context import Role
from kesher.seeds.demo import seed_demo
from tests.conftest import Person, gql, make_user

pytestmark = pytest.mark.anyio

NAIVE = "2026-01-05T09:00:00"
AWARE = "2026-01-05T09:00:00+02:00"

FREE_BUSY = """
query FreeBusy($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {
  freeBusy(userIds: $ids, from: $from, to: $to) { busy { start } }
}
"""
CALENDAR_LITERAL = """
query Calendar($ids: [ID!]!) {
  calendar(userIds: $ids, from: "2026-01-05T09:00:00", to: "2026-01-06T09:00:00Z") {
    activities { id }
  }
}
"""
CHAIN_STATS = """
query Stats($from: DateTime) { chainStats(from: $from) { __typename } }
"""
MOVE = """
mutation Move($id: ID!, $at: DateTime!) {
  moveOccurrence(activityId: $id, occurrenceStart: $at, startsAt: $at, endsAt: $at) {
    __typename
  }
}
"""
ADD_TASK = """
mutation Task($id: ID!, $due: DateTime!) {
  addTask(recordId: $id, subject: "Call back", dueAt: $due) {
    __typename
    ... on MutationError { code field message }
  }
}
"""
REPORT = """
query Report($zone: String!) {
  activityReport(groupBy: [DAY], timeZone: $zone, includeClosed: true) { period count }
}
"""
CREATE_ACTIVITY = """
mutation Create($input: CreateActivityInput!) {
  createActivity(input: $input) {
    __typename
    ... on MutationError { code field message }
  }
}
"""
LIST = """
{ activities(first: 100, includeClosed: true) { edges { node { startsAt dueAt state } } } }
"""


def _refused(answer: dict[str, object], *names: str) -> str:
    """The one error of an answer with no data, which names each of `names`."""
    assert answer.get("data") is None, answer
    errors = answer["errors"]
    assert isinstance(errors, list)
    message = " ".join(str(error["message"]) for error in errors)
    assert "INTERNAL" not in str(errors)
    for name in names:
        assert name in message, message
    return message


async def test_a_time_without_offset_is_refused_wherever_a_time_is_taken(
    client: httpx.AsyncClient, member: Person
) -> None:
    # given / when
    free_busy = await gql(
        client, FREE_BUSY, {"ids": [member.id], "from": NAIVE, "to": AWARE}, person=member
    )
    calendar = await gql(client, CALENDAR_LITERAL, {"ids": [member.id]}, person=member)
    stats = await gql(client, CHAIN_STATS, {"from": NAIVE}, person=member)
    move = await gql(client, MOVE, {"id": "act_x", "at": NAIVE}, person=member)
    task = await gql(client, ADD_TASK, {"id": "cus_x", "due": NAIVE}, person=member)
    # then
    assert "UTC offset" in _refused(free_busy, "$from")
    assert "UTC offset" in _refused(calendar, "DateTime")
    assert calendar["errors"][0]["locations"]
    assert "UTC offset" in _refused(stats, "$from")
    assert "UTC offset" in _refused(move, "$at")
    assert "UTC offset" in _refused(task, "$due")


async def test_a_time_outside_the_years_kept_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    # given
    customer = "cus_years"
    clean_db.execute_query(
        "CREATE (:Customer {id: $id, name: 'Years', status: 'LEAD'})", id=customer
    )
    # when
    answer = await gql(
        client, ADD_TASK, {"id": customer, "due": "0001-01-01T00:00:00Z"}, person=member
    )
    # then
    assert "1900" in _refused(answer, "$due")
    records = clean_db.execute_query("MATCH (a:Activity) RETURN count(a) AS n").records
    assert records[0]["n"] == 0


@pytest.mark.parametrize("zone", ["America", "Factory", "posixrules", "x" * 300, "../UTC"])
async def test_a_time_zone_must_be_an_iana_name(
    client: httpx.AsyncClient, member: Person, zone: str
) -> None:
    # given / when
    report = await gql(client, REPORT, {"zone": zone}, person=member)
    created = await gql(
        client,
        CREATE_ACTIVITY,
        {
            "input": {
                "kind": "EVENT",
                "typeId": "typ_x",
                "statusId": "sta_x",
                "subject": "Kick-off",
                "startsAt": AWARE,
                "endsAt": "2026-01-05T10:00:00+02:00",
                "timeZone": zone,
                "ownerId": member.id,
                "customerId": "cus_x",
            }
        },
        person=member,
    )
    # then
    error = report["errors"][0]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "timeZone"}
    assert error["message"].startswith("timeZone: ")
    refused = created["data"]["createActivity"]
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "timeZone")
    assert "Value error" not in refused["message"]


async def test_stored_times_outside_the_years_kept_do_not_break_reads(
    client: httpx.AsyncClient, driver: AsyncDriver, database: str, clean_db: Driver
) -> None:
    # given: data written before the years were checked
    await seed_demo(driver, database, customers=3)
    admin = make_user(clean_db, Role.ADMIN)
    await driver.execute_query(
        "MATCH (a:Activity {kind: 'TASK'}) WITH a LIMIT 1 "
        "SET a.startAt = datetime('0001-01-01T00:00:00Z'), a.endAt = a.startAt, "
        "a.dueAt = a.startAt"
    )
    # when
    report = await gql(client, REPORT, {"zone": "America/New_York"}, person=admin)
    listed = await gql(client, LIST, person=admin)
    # then
    assert "errors" not in report, report
    periods = [row["period"] for row in report["data"]["activityReport"]]
    assert None in periods, periods
    assert "errors" not in listed, listed
