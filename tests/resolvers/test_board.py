"""Boards (R3.1): columns with counts and first cards, and moving cards between them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql, make_user
from tests.resolvers.relationships_support import ARCHIVE_CUSTOMER, count, snapshot
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

CUSTOMER_BOARD = """
query Board($filter: BoardFilter, $first: Int) {
  board(kind: CUSTOMER, field: STATUS, filter: $filter, first: $first) {
    kind field
    columns { value label colour count customers { name status owner { id } } projects { id } }
  }
}
"""

ACTIVITY_BOARD = """
query Board($field: BoardField!, $closed: Boolean! = false) {
  board(kind: ACTIVITY, field: $field, includeClosed: $closed) {
    columns { value label colour count activities { subject status { name } type { name } } }
  }
}
"""

PROJECT_BOARD = """
{ board(kind: PROJECT, field: STATUS) { columns { value label count projects { name } } } }
"""

MOVE = """
mutation Move($id: ID!, $field: BoardField!, $value: String!) {
  moveOnBoard(recordId: $id, field: $field, value: $value) {
    __typename
    ... on BoardMoveSuccess {
      customer { id status }
      project { id }
      activity { id status { name } type { name } }
      auditLine { action field before after summary createdAt actor { id } }
    }
    ... on MutationError { code field message }
  }
}
"""

CREATE_CUSTOMER = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { ... on CustomerSuccess { customer { id } } }
}
"""

DEFINE = """
mutation {
  done: defineActivityStatus(input: {name: "Done", colour: "#00AA00", category: DONE}) {
    ... on ActivityStatusSuccess { activityStatus { id } }
  }
  call: defineActivityType(input: {name: "Phone call", colour: "#AA0000"}) {
    ... on ActivityTypeSuccess { activityType { id } }
  }
}
"""


async def customer(
    client: httpx.AsyncClient, person: Person, name: str, status: str, owner: Person | None = None
) -> str:
    fields = {"name": name, "status": status, "ownerId": (owner or person).id}
    answer = await gql(client, CREATE_CUSTOMER, {"input": fields}, person)
    return str(answer["data"]["createCustomer"]["customer"]["id"])


async def customer_board(
    client: httpx.AsyncClient, person: Person, **variables: Any
) -> list[dict[str, Any]]:
    answer = await gql(client, CUSTOMER_BOARD, variables, person)
    assert "errors" not in answer, answer
    assert (answer["data"]["board"]["kind"], answer["data"]["board"]["field"]) == (
        "CUSTOMER",
        "STATUS",
    )
    columns: list[dict[str, Any]] = answer["data"]["board"]["columns"]
    return columns


def counts(columns: list[dict[str, Any]]) -> dict[str, int]:
    return {column["value"]: column["count"] for column in columns}


async def move(
    client: httpx.AsyncClient, person: Person, record_id: str, field: str, value: str
) -> dict[str, Any]:
    answer = await gql(client, MOVE, {"id": record_id, "field": field, "value": value}, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["moveOnBoard"]
    return payload


async def test_a_customer_board_has_every_status_with_counts_and_newest_cards(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given
    for name, status in (
        ("Lead 1", "LEAD"),
        ("Lead 2", "LEAD"),
        ("Active 1", "ACTIVE"),
        ("Lead 3", "LEAD"),
        ("Prospect 1", "PROSPECT"),
        ("Active 2", "ACTIVE"),
    ):
        await customer(client, member, name, status)
    archived = await customer(client, member, "Gone", "LEAD")
    await gql(client, ARCHIVE_CUSTOMER, {"id": archived}, admin)

    # when
    cypher_calls.count = 0
    columns = await customer_board(client, member, first=2)

    # then
    assert cypher_calls.count == 1
    assert [(c["value"], c["label"], c["colour"]) for c in columns] == [
        ("LEAD", "Lead", None),
        ("PROSPECT", "Prospect", None),
        ("ACTIVE", "Active", None),
        ("FORMER", "Former", None),
    ]
    assert counts(columns) == {"LEAD": 3, "PROSPECT": 1, "ACTIVE": 2, "FORMER": 0}
    for column in columns:
        assert column["count"] == count(
            clean_db,
            f"MATCH (c:Customer {{status: '{column['value']}'}}) WHERE c.archivedAt IS NULL "
            "RETURN count(c)",
        )
        assert column["projects"] is None
    assert [c["name"] for c in columns[0]["customers"]] == ["Lead 3", "Lead 2"]
    assert [c["name"] for c in columns[2]["customers"]] == ["Active 2", "Active 1"]
    assert columns[3]["customers"] == []
    assert columns[0]["customers"][0] == {
        "name": "Lead 3",
        "status": "LEAD",
        "owner": {"id": member.id},
    }


async def test_a_filter_narrows_the_counts(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    # given
    other = make_user(clean_db, name="Other")
    await customer(client, member, "Mine", "LEAD")
    await customer(client, member, "Theirs", "LEAD", owner=other)
    await customer(client, member, "Theirs too", "ACTIVE", owner=other)

    # when
    mine = await customer_board(client, member, filter={"customers": {"ownerIds": [member.id]}})
    theirs = await customer_board(client, member, filter={"customers": {"ownerIds": [other.id]}})

    # then
    assert counts(mine) == {"LEAD": 1, "PROSPECT": 0, "ACTIVE": 0, "FORMER": 0}
    assert counts(theirs) == {"LEAD": 1, "PROSPECT": 0, "ACTIVE": 1, "FORMER": 0}
    assert [c["name"] for c in theirs[0]["customers"]] == ["Theirs"]


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        ("{ board(kind: CUSTOMER, field: TYPE) { field } }", {}, "field"),
        ("{ board(kind: PROJECT, field: TYPE) { field } }", {}, "field"),
        ("{ board(kind: CUSTOMER, field: STATUS, first: 101) { field } }", {}, "first"),
        (
            "{ board(kind: CUSTOMER, field: STATUS, filter: {activities: {}}) { field } }",
            {},
            "filter",
        ),
        (
            "{ board(kind: CUSTOMER, field: STATUS, "
            "filter: {customers: {includeArchived: true}}) { field } }",
            {},
            "filter.customers.includeArchived",
        ),
    ],
)
async def test_a_board_that_cannot_be_is_an_error_naming_its_argument(
    client: httpx.AsyncClient, member: Person, document: str, variables: Any, field: str
) -> None:
    answer = await gql(client, document, variables, member)
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": field}


async def test_a_project_board_has_every_project_status(
    client: httpx.AsyncClient, member: Person
) -> None:
    # given
    owner = await customer(client, member, "Acme", "ACTIVE")
    await gql(
        client,
        'mutation($c: ID!) { createProject(input: {customerId: $c, name: "Roof", '
        "status: ON_HOLD}) { __typename } }",
        {"c": owner},
        member,
    )

    # when
    answer = await gql(client, PROJECT_BOARD, person=member)

    # then
    columns = answer["data"]["board"]["columns"]
    assert [(c["value"], c["label"], c["count"]) for c in columns] == [
        ("PLANNED", "Planned", 0),
        ("ACTIVE", "Active", 0),
        ("ON_HOLD", "On hold", 1),
        ("DONE", "Done", 0),
        ("CANCELLED", "Cancelled", 0),
    ]
    assert columns[2]["projects"] == [{"name": "Roof"}]


async def activity_world(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> dict[str, str]:
    w = await world(client, admin, member)
    defined = (await gql(client, DEFINE, person=admin))["data"]
    w["done"] = defined["done"]["activityStatus"]["id"]
    w["call"] = defined["call"]["activityType"]["id"]
    return w


async def test_an_activity_board_follows_the_catalogs_and_leaves_closed_ones_out(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    cypher_calls: CypherCalls,
) -> None:
    # given
    w = await activity_world(client, admin, member)
    await create(client, member, meeting(w, member, subject="Open meeting"))
    await create(
        client,
        member,
        meeting(w, member, subject="Done call", statusId=w["done"], typeId=w["call"]),
    )
    closed = await create(client, member, meeting(w, member, subject="Closed meeting"))
    await gql(client, CLOSE, {"id": closed["activity"]["id"]}, member)

    # when
    cypher_calls.count = 0
    by_status = (await gql(client, ACTIVITY_BOARD, {"field": "STATUS"}, member))["data"]
    assert cypher_calls.count == 1
    by_type = (await gql(client, ACTIVITY_BOARD, {"field": "TYPE"}, member))["data"]
    with_closed = (await gql(client, ACTIVITY_BOARD, {"field": "STATUS", "closed": True}, member))[
        "data"
    ]

    # then
    columns = by_status["board"]["columns"]
    assert [(c["value"], c["label"], c["colour"], c["count"]) for c in columns] == [
        (w["status"], "Scheduled", "#445566", 1),
        (w["done"], "Done", "#00AA00", 1),
    ]
    assert columns[0]["activities"] == [
        {
            "subject": "Open meeting",
            "status": {"name": "Scheduled"},
            "type": {"name": "Sales meeting"},
        }
    ]
    types = by_type["board"]["columns"]
    assert [(c["label"], c["colour"], c["count"]) for c in types] == [
        ("Sales meeting", "#112233", 1),
        ("Phone call", "#AA0000", 1),
    ]
    assert [c["subject"] for c in types[1]["activities"]] == ["Done call"]
    everything = with_closed["board"]["columns"]
    assert [c["count"] for c in everything] == [2, 1]
    assert [c["subject"] for c in everything[0]["activities"]] == ["Closed meeting", "Open meeting"]


async def test_moving_a_customer_changes_its_status_the_counts_and_writes_an_audit_line(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    # given
    lead = await customer(client, member, "Acme", "LEAD")
    before = counts(await customer_board(client, member))

    # when
    payload = await move(client, member, lead, "STATUS", "ACTIVE")

    # then
    assert payload["__typename"] == "BoardMoveSuccess", payload
    assert payload["customer"] == {"id": lead, "status": "ACTIVE"}
    assert (payload["project"], payload["activity"]) == (None, None)
    line = payload["auditLine"]
    assert (line["action"], line["field"], line["before"], line["after"]) == (
        "MOVED_ON_BOARD",
        "status",
        "LEAD",
        "ACTIVE",
    )
    assert line["summary"] == "Moved from LEAD to ACTIVE"
    assert line["actor"] == {"id": member.id}
    after = counts(await customer_board(client, member))
    assert (before["LEAD"], before["ACTIVE"]) == (1, 0)
    assert (after["LEAD"], after["ACTIVE"]) == (0, 1)
    records, _, _ = clean_db.execute_query(
        "MATCH (u:User)<-[:BY]-(line:AuditLine)-[:ON]->(c:Customer {id: $id}) "
        "RETURN u.id AS who, line.createdAt AS at, line.before AS before, line.after AS after, "
        "line.id AS id, c.updatedAt >= line.createdAt - duration('PT1S') AS touched",
        id=lead,
        database_="neo4j",
    )
    assert len(records) == 1
    assert (records[0]["who"], records[0]["before"], records[0]["after"]) == (
        member.id,
        "LEAD",
        "ACTIVE",
    )
    assert records[0]["at"] is not None
    assert records[0]["id"].startswith("aud_")
    assert records[0]["touched"]


async def test_moving_an_activity_replaces_its_status_edge(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await activity_world(client, admin, member)
    activity = (await create(client, member, meeting(w, member)))["activity"]["id"]

    # when
    by_status = await move(client, member, activity, "STATUS", w["done"])
    by_type = await move(client, member, activity, "TYPE", w["call"])

    # then
    assert by_status["activity"]["status"] == {"name": "Done"}
    assert by_status["auditLine"]["summary"] == "Moved from Scheduled to Done"
    assert (by_status["auditLine"]["before"], by_status["auditLine"]["after"]) == (
        w["status"],
        w["done"],
    )
    assert by_type["activity"]["type"] == {"name": "Phone call"}
    assert by_type["auditLine"]["field"] == "type"
    assert count(clean_db, "MATCH (:Activity)-[r:HAS_STATUS]->() RETURN count(r)") == 1
    assert count(clean_db, "MATCH (:Activity)-[r:HAS_TYPE]->() RETURN count(r)") == 1
    assert (
        count(
            clean_db,
            "MATCH (line:AuditLine {action: 'MOVED_ON_BOARD'})-[:ON]->(:Activity) "
            "RETURN count(line)",
        )
        == 2
    )


@pytest.mark.parametrize(
    ("record", "field", "value", "code", "at_fault"),
    [
        ("unknown", "STATUS", "ACTIVE", "NOT_FOUND", "recordId"),
        ("lead", "STATUS", "WON", "INVALID_INPUT", "value"),
        ("lead", "TYPE", "ACTIVE", "INVALID_INPUT", "field"),
        ("lead", "STATUS", "LEAD", "INVALID_INPUT", "value"),
        ("archived", "STATUS", "ACTIVE", "ARCHIVED", "recordId"),
        ("activity", "STATUS", "ast_unknown", "NOT_FOUND", "value"),
        ("activity", "TYPE", "aty_unknown", "NOT_FOUND", "value"),
        ("activity", "STATUS", "status", "INVALID_INPUT", "value"),
        ("closed", "STATUS", "done", "CLOSED", "recordId"),
    ],
)
async def test_a_refused_move_changes_nothing_and_names_its_field(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    record: str,
    field: str,
    value: str,
    code: str,
    at_fault: str,
) -> None:
    # given
    w = await activity_world(client, admin, member)
    w["lead"] = await customer(client, member, "Lead", "LEAD")
    w["archived"] = await customer(client, member, "Archived", "LEAD")
    await gql(client, ARCHIVE_CUSTOMER, {"id": w["archived"]}, admin)
    w["activity"] = (await create(client, member, meeting(w, member)))["activity"]["id"]
    w["closed"] = (await create(client, member, meeting(w, member)))["activity"]["id"]
    await gql(client, CLOSE, {"id": w["closed"]}, member)
    before = snapshot(clean_db)

    # when
    payload = await move(client, member, w.get(record, "cus_unknown"), field, w.get(value, value))

    # then
    assert payload["__typename"] == "MutationError", payload
    assert (payload["code"], payload["field"]) == (code, at_fault), payload
    assert payload["message"].startswith(at_fault + ":")
    assert snapshot(clean_db) == before
