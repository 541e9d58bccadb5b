"""The activity report: counts grouped by type, status, owner, kind and period."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql, make_user
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

REPORT = """
query Report($groupBy: [ReportGrouping!]!, $closed: Boolean!, $tz: String!) {
  activityReport(groupBy: $groupBy, includeClosed: $closed, timeZone: $tz) {
    count type { name } status { name } owner { id } kind period
  }
}
"""

NEW_TYPE = """
mutation { defineActivityType(input: {name: "Call type", colour: "#000000"}) {
  ... on ActivityTypeSuccess { activityType { id } } } }
"""


async def test_report_counts_equal_the_activities_made(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given activities over two types, two owners and two months (in Jerusalem time)
    w = await world(client, admin, member)
    calls = (await gql(client, NEW_TYPE, person=admin))["data"]["defineActivityType"]
    other = make_user(clean_db, name="Other")
    made: list[tuple[str, str, str]] = []
    plan = [
        ("Sales meeting", member, "2026-03-02T09:00:00Z", "2026-03"),
        ("Sales meeting", member, "2026-03-31T22:30:00Z", "2026-04"),  # 1 April, local
        ("Sales meeting", other, "2026-03-05T09:00:00Z", "2026-03"),
        ("Call type", other, "2026-04-10T09:00:00Z", "2026-04"),
        ("Call type", other, "2026-04-11T09:00:00Z", "2026-04"),
    ]
    ids = []
    for type_name, owner, start, month in plan:
        type_id = w["type"] if type_name == "Sales meeting" else calls["activityType"]["id"]
        fields = meeting(w, owner, typeId=type_id, startsAt=start, endsAt=None)
        ids.append((await create(client, member, fields))["activity"]["id"])
        made.append((type_name, owner.id, month))
    await gql(client, CLOSE, {"id": ids[-1]}, admin)

    # when an ADMIN, who sees both owners' activities, reads the report
    cypher_calls.count = 0
    variables = {"groupBy": ["TYPE", "OWNER"], "closed": False, "tz": "Asia/Jerusalem"}
    by_type_owner = (await gql(client, REPORT, variables, admin))["data"]["activityReport"]
    assert cypher_calls.count == 1
    variables = {"groupBy": ["MONTH"], "closed": True, "tz": "Asia/Jerusalem"}
    by_month = (await gql(client, REPORT, variables, admin))["data"]["activityReport"]

    # then
    expected = Counter((t, o) for t, o, _ in made[:-1])  # the closed one left out
    assert (
        Counter({(r["type"]["name"], r["owner"]["id"]): r["count"] for r in by_type_owner})
        == expected
    )
    assert [r["count"] for r in by_type_owner] == sorted(expected.values(), reverse=True)
    months = Counter(m for _, _, m in made)
    assert {r["period"][:7]: r["count"] for r in by_month} == dict(months)
    assert all(r["period"].endswith("-01") for r in by_month)


async def test_report_refuses_what_it_cannot_count(
    client: httpx.AsyncClient, member: Person
) -> None:
    for group_by, tz, field in (
        ([], "UTC", "groupBy"),
        (["DAY", "MONTH"], "UTC", "groupBy"),
        (["TYPE", "TYPE"], "UTC", "groupBy"),
        (["KIND"], "Nowhere/Land", "timeZone"),
    ):
        answer = await gql(client, REPORT, {"groupBy": group_by, "closed": False, "tz": tz}, member)
        assert answer["errors"][0]["extensions"]["field"] == field, answer
