"""The activity-type and activity-status catalogs through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import snapshot

pytestmark = pytest.mark.anyio

DEFINE_TYPE = """
mutation Define($input: DefineActivityTypeInput!) {
  defineActivityType(input: $input) {
    __typename
    ... on ActivityTypeSuccess { activityType { id name colour sortOrder } }
    ... on MutationError { code field message }
  }
}
"""

DEFINE_STATUS = """
mutation Define($input: DefineActivityStatusInput!) {
  defineActivityStatus(input: $input) {
    __typename
    ... on ActivityStatusSuccess { activityStatus { id name colour category sortOrder } }
    ... on MutationError { code field message }
  }
}
"""

UPDATE_STATUS = """
mutation Update($id: ID!, $input: UpdateActivityStatusInput!) {
  updateActivityStatus(id: $id, input: $input) {
    __typename
    ... on ActivityStatusSuccess { activityStatus { id name colour category } }
    ... on MutationError { code field message }
  }
}
"""

REORDER_TYPES = """
mutation Reorder($ids: [ID!]!) {
  reorderActivityTypes(ids: $ids) {
    __typename
    ... on ActivityTypesSuccess { activityTypes { name sortOrder } }
    ... on MutationError { code field message }
  }
}
"""

REMOVE_TYPE = """
mutation Remove($id: ID!) {
  removeActivityType(id: $id) {
    __typename
    ... on ActivityTypeSuccess { activityType { name } }
    ... on MutationError { code field message }
  }
}
"""

CATALOGS = """
{ activityTypes { name colour sortOrder } activityStatuses { name category sortOrder } }
"""


async def define_type(client: httpx.AsyncClient, person: Person, **fields: Any) -> dict[str, Any]:
    answer = await gql(client, DEFINE_TYPE, {"input": fields}, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["defineActivityType"]
    return payload


async def define_status(client: httpx.AsyncClient, person: Person, **fields: Any) -> dict[str, Any]:
    answer = await gql(client, DEFINE_STATUS, {"input": fields}, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["defineActivityStatus"]
    return payload


async def test_catalogs_list_their_entries_in_order(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    await define_type(client, admin, name="פגישת מכירה", colour="#aa0000")
    await define_type(client, admin, name="Kick-off", colour="#00AA00")
    await define_type(client, admin, name="Online presentation", colour="#0000AA", sortOrder=1)
    await define_status(client, admin, name="Scheduled", colour="#111111", category="OPEN")
    await define_status(client, admin, name="Succeeded", colour="#222222", category="DONE")

    # when
    cypher_calls.count = 0
    answer = await gql(client, CATALOGS, person=member)

    # then
    assert cypher_calls.count == 2  # one statement per root field
    types = answer["data"]["activityTypes"]
    assert [t["name"] for t in types] == ["Online presentation", "פגישת מכירה", "Kick-off"]
    assert types[1]["colour"] == "#AA0000"
    assert [(s["name"], s["category"]) for s in answer["data"]["activityStatuses"]] == [
        ("Scheduled", "OPEN"),
        ("Succeeded", "DONE"),
    ]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": "meeting", "colour": "#000000"}, "CONFLICT", "name"),
        ({"name": "", "colour": "#000000"}, "INVALID_INPUT", "name"),
        ({"name": "Call", "colour": "red"}, "INVALID_INPUT", "colour"),
        ({"name": "Call", "colour": "#000000", "sortOrder": 0}, "INVALID_INPUT", "sortOrder"),
    ],
)
async def test_a_bad_type_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    clean_db: Driver,
    fields: dict[str, Any],
    code: str,
    field: str,
) -> None:
    # given
    await define_type(client, admin, name="Meeting", colour="#000000")
    before = snapshot(clean_db)

    # when
    refused = await define_type(client, admin, **fields)

    # then
    assert (refused["code"], refused["field"]) == (code, field), refused
    assert snapshot(clean_db) == before


async def test_catalogs_are_changed_by_admins_only(
    client: httpx.AsyncClient, admin: Person, manager: Person, clean_db: Driver
) -> None:
    defined = await define_type(client, admin, name="Meeting", colour="#000000")
    type_id = defined["activityType"]["id"]
    before = snapshot(clean_db)
    for document, variables in (
        (DEFINE_TYPE, {"input": {"name": "Call", "colour": "#000000"}}),
        (REORDER_TYPES, {"ids": [type_id]}),
        (REMOVE_TYPE, {"id": type_id}),
    ):
        answer = await gql(client, document, variables, manager)
        refused = next(iter(answer["data"].values()))
        assert refused["code"] == "FORBIDDEN", answer
    assert snapshot(clean_db) == before


async def test_a_status_changes_only_the_fields_sent(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    status = (
        await define_status(client, admin, name="Postponed", colour="#123456", category="OPEN")
    )["activityStatus"]

    # when
    answer = await gql(
        client, UPDATE_STATUS, {"id": status["id"], "input": {"category": "CANCELLED"}}, admin
    )

    # then
    changed = answer["data"]["updateActivityStatus"]["activityStatus"]
    assert (changed["name"], changed["colour"], changed["category"]) == (
        "Postponed",
        "#123456",
        "CANCELLED",
    )

    # and clearing its name, or an unknown id, is refused with nothing changed
    before = snapshot(clean_db)
    for variables, code, field in (
        ({"id": status["id"], "input": {"name": None}}, "INVALID_INPUT", "name"),
        ({"id": "ast_unknown", "input": {"name": "X"}}, "NOT_FOUND", "id"),
    ):
        refused = (await gql(client, UPDATE_STATUS, variables, admin))["data"][
            "updateActivityStatus"
        ]
        assert (refused["code"], refused["field"]) == (code, field)
    assert snapshot(clean_db) == before


async def test_reorder_names_every_type_once(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    ids = [
        (await define_type(client, admin, name=name, colour="#000000"))["activityType"]["id"]
        for name in ("A", "B", "C")
    ]
    before = snapshot(clean_db)
    for wrong in (ids[:2], [*ids, ids[0]], [*ids[:2], "aty_unknown"]):
        refused = (await gql(client, REORDER_TYPES, {"ids": wrong}, admin))["data"][
            "reorderActivityTypes"
        ]
        assert refused["__typename"] == "MutationError"
        assert refused["field"] == "ids"
    assert snapshot(clean_db) == before

    answer = await gql(client, REORDER_TYPES, {"ids": list(reversed(ids))}, admin)
    reordered = answer["data"]["reorderActivityTypes"]["activityTypes"]
    assert [(t["name"], t["sortOrder"]) for t in reordered] == [("C", 1), ("B", 2), ("A", 3)]


async def test_a_type_in_use_is_removed_only_when_no_activity_has_it(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given an activity of the type
    type_id = (await define_type(client, admin, name="Meeting", colour="#000000"))["activityType"][
        "id"
    ]
    clean_db.execute_query(
        "MATCH (t:ActivityType {id: $id}) CREATE (:Activity {id: 'act_1'})-[:HAS_TYPE]->(t)",
        id=type_id,
        database_="neo4j",
    )
    before = snapshot(clean_db)

    # when
    refused = (await gql(client, REMOVE_TYPE, {"id": type_id}, admin))["data"]["removeActivityType"]

    # then
    assert (refused["code"], refused["field"]) == ("IN_USE", "id")
    assert snapshot(clean_db) == before

    # and once the activity is gone, it goes
    clean_db.execute_query("MATCH (a:Activity) DETACH DELETE a", database_="neo4j")
    removed = (await gql(client, REMOVE_TYPE, {"id": type_id}, admin))["data"]["removeActivityType"]
    assert removed == {"__typename": "ActivityTypeSuccess", "activityType": {"name": "Meeting"}}
    assert (await gql(client, CATALOGS, person=admin))["data"]["activityTypes"] == []
