"""Tasks added from a card, and the reminders sent when they fall due, through the API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import neo4j
import pytest
from neo4j import AsyncDriver, Driver

from kesher.app import create_app
from kesher.graph.driver import Graph
from kesher.graph.events import Event, Notified
from kesher.resolvers.context import Role
from kesher.resolvers.reminders import run_once
from kesher.settings import Settings
from tests.conftest import Person, Server, gql, make_user
from tests.resolvers.relationships_support import ARCHIVE_CUSTOMER, contact, project, snapshot
from tests.resolvers.test_activities import CLOSE, REOPEN, UPDATE, create, meeting, world
from tests.resolvers.test_processes import campaign, run, seed_customers, template

pytestmark = pytest.mark.anyio

ADD_TASK = """
mutation AddTask($recordId: ID!, $subject: String!, $dueAt: DateTime!, $assigneeId: ID,
                 $text: String, $statusId: ID) {
  addTask(recordId: $recordId, subject: $subject, dueAt: $dueAt, assigneeId: $assigneeId,
          text: $text, statusId: $statusId) {
    __typename
    ... on ActivitySuccess {
      activity {
        id kind ref subject description dueAt closedAt
        owner { id } customer { id } contact { id } parent { id }
        customers { edges { node { id } } }
        type { name } status { name category }
      }
    }
    ... on MutationError { code field message }
  }
}
"""

NOTIFICATIONS = """
{ notifications { edges { node { kind summary readAt activity { id ref } } } } }
"""

DONE_STATUS = """
mutation {
  defineActivityStatus(input: {name: "Done", colour: "#00ff00", category: DONE}) {
    ... on ActivityStatusSuccess { activityStatus { id } }
  }
}
"""

SOON = datetime.now(UTC) + timedelta(days=30)
PAST = "2026-01-05T08:00:00+00:00"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


async def add_task(
    client: httpx.AsyncClient, person: Person, record_id: str, **fields: Any
) -> dict[str, Any]:
    variables = {"recordId": record_id, "subject": "Call back", "dueAt": iso(SOON), **fields}
    answer = await gql(client, ADD_TASK, variables, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["addTask"]
    return payload


async def task_id(client: httpx.AsyncClient, person: Person, record_id: str, **fields: Any) -> str:
    payload = await add_task(client, person, record_id, **fields)
    assert payload["__typename"] == "ActivitySuccess", payload
    return str(payload["activity"]["id"])


async def notifications_of(client: httpx.AsyncClient, person: Person) -> list[dict[str, Any]]:
    answer = await gql(client, NOTIFICATIONS, {}, person)
    assert "errors" not in answer, answer
    return [edge["node"] for edge in answer["data"]["notifications"]["edges"]]


def reminders_in(driver: Driver) -> list[tuple[str, str]]:
    """Every TASK_DUE notification as (its user's id, its task's id)."""
    records, _, _ = driver.execute_query(
        "MATCH (u:User)<-[:NOTIFIES]-(:Notification {kind: 'TASK_DUE'})-[:ON]->(a:Activity) "
        "RETURN u.id AS user, a.id AS task ORDER BY task"
    )
    return [(record["user"], record["task"]) for record in records]


@pytest.fixture
async def graph(driver: AsyncDriver) -> Graph:
    return Graph(driver, "neo4j", 60)


@pytest.mark.parametrize("kind", ["customer", "contact", "project", "activity"])
async def test_a_task_is_about_the_records_customers(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver, kind: str
) -> None:
    # given
    w = await world(client, admin, member)
    plan = await project(client, member, w["acme"], "Roll-out")
    parent = (await create(client, member, meeting(w, member, otherCustomerIds=[w["beta"]])))[
        "activity"
    ]["id"]
    record = {"customer": w["acme"], "contact": w["dana"], "project": plan, "activity": parent}[
        kind
    ]

    # when
    payload = await add_task(
        client, member, record, subject="Call back Acme", text="About the renewal"
    )

    # then
    assert payload["__typename"] == "ActivitySuccess", payload
    task = payload["activity"]
    assert re.fullmatch(r"TS-\d{6}", task["ref"])
    assert (task["kind"], task["subject"], task["description"]) == (
        "TASK",
        "Call back Acme",
        "About the renewal",
    )
    assert task["dueAt"] == iso(SOON)
    assert task["owner"] == {"id": member.id}
    assert task["customer"] == {"id": w["acme"]}
    customers = {edge["node"]["id"] for edge in task["customers"]["edges"]}
    assert customers == ({w["acme"], w["beta"]} if kind == "activity" else {w["acme"]})
    assert task["contact"] == ({"id": w["dana"]} if kind == "contact" else None)
    assert task["parent"] == ({"id": parent} if kind == "activity" else None)
    assert task["type"] == {"name": "Sales meeting"}
    assert task["status"] == {"name": "Scheduled", "category": "OPEN"}
    lines, _, _ = clean_db.execute_query(
        "MATCH (l:AuditLine)-[:ON]->({id: $id}) WHERE l.action = 'TASK_ADDED' "
        "RETURN l.after AS after, l.summary AS summary",
        id=record,
    )
    assert [(line["after"], line["summary"]) for line in lines] == [
        (task["ref"], f"Added task {task['ref']} Call back Acme")
    ]


async def test_a_task_is_assigned_to_whom_it_names(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    w = await world(client, admin, member)
    dana = make_user(clean_db, name="Dana Levi")

    payload = await add_task(client, member, w["acme"], assigneeId=dana.id)

    assert payload["activity"]["owner"] == {"id": dana.id}


@pytest.mark.parametrize(
    ("case", "code", "field"),
    [
        ("unknown record", "NOT_FOUND", "recordId"),
        ("archived customer", "ARCHIVED", "recordId"),
        ("contact of an archived customer", "ARCHIVED", "recordId"),
        ("closed activity", "CLOSED", "recordId"),
        ("unknown assignee", "NOT_FOUND", "assigneeId"),
        ("deactivated assignee", "FORBIDDEN", "assigneeId"),
        ("blank subject", "INVALID_INPUT", "subject"),
        ("text too long", "INVALID_INPUT", "text"),
        ("unknown status", "NOT_FOUND", "statusId"),
    ],
)
async def test_a_refused_task_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    manager: Person,
    clean_db: Driver,
    case: str,
    code: str,
    field: str,
) -> None:
    # given
    w = await world(client, admin, member)
    gone = make_user(clean_db, Role.MEMBER, name="Gone", active=False)
    closed = (await create(client, member, meeting(w, member)))["activity"]["id"]
    await gql(client, CLOSE, {"id": closed}, member)
    eli = await contact(client, member, w["gamma"], "Eli")
    await gql(client, ARCHIVE_CUSTOMER, {"id": w["gamma"]}, manager)
    record, fields = {
        "unknown record": ("cus_000000000000000000000000", {}),
        "archived customer": (w["gamma"], {}),
        "contact of an archived customer": (eli, {}),
        "closed activity": (closed, {}),
        "unknown assignee": (w["acme"], {"assigneeId": "usr_unknown"}),
        "deactivated assignee": (w["acme"], {"assigneeId": gone.id}),
        "blank subject": (w["acme"], {"subject": "   "}),
        "text too long": (w["acme"], {"text": "x" * 5001}),
        "unknown status": (w["acme"], {"statusId": "ast_unknown"}),
    }[case]
    before = snapshot(clean_db)

    # when
    payload = await add_task(client, member, record, **fields)

    # then
    assert payload["__typename"] == "MutationError", payload
    assert (payload["code"], payload["field"]) == (code, field), payload
    assert payload["message"].startswith(f"{field}: ")
    assert snapshot(clean_db) == before


async def test_a_task_falling_due_notifies_its_assignee_once(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver, graph: Graph
) -> None:
    # given
    w = await world(client, admin, member)
    dana = make_user(clean_db, name="Dana Levi")
    task = await task_id(client, member, w["acme"], dueAt=PAST, assigneeId=dana.id)
    later = await task_id(client, member, w["acme"])
    events: list[Event] = []

    async def published(emitted: list[Event]) -> None:
        events.extend(emitted)

    graph.on_commit = published

    # when
    first, second = await run_once(graph), await run_once(graph)

    # then
    assert (first, second) == (1, 0)
    assert reminders_in(clean_db) == [(dana.id, task)]
    [told] = await notifications_of(client, dana)
    assert told["kind"] == "TASK_DUE"
    assert told["summary"] == "TS-000001 Call back is due"
    assert told["readAt"] is None
    assert told["activity"] == {"id": task, "ref": "TS-000001"}
    assert await notifications_of(client, member) == []
    [event] = events
    assert isinstance(event, Notified)
    assert (event.user_id, event.notification["summary"]) == (dana.id, told["summary"])
    assert await run_once(graph, now=SOON + timedelta(minutes=1)) == 1
    assert reminders_in(clean_db) == sorted(
        [(dana.id, task), (member.id, later)], key=lambda r: r[1]
    )


async def test_rounds_run_at_once_remind_each_task_once(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    graph: Graph,
    neo4j_server: Server,
) -> None:
    # given
    w = await world(client, admin, member)
    tasks = [await task_id(client, member, w["acme"], dueAt=PAST) for _ in range(7)]
    auth = neo4j.basic_auth(neo4j_server.user, neo4j_server.password)
    async with neo4j.AsyncGraphDatabase.driver(neo4j_server.uri, auth=auth) as other:
        elsewhere = Graph(other, "neo4j", 60)

        # when: two processes, each working in rounds of two
        sent = await asyncio.gather(
            run_once(graph, batch=2), run_once(elsewhere, batch=2), run_once(graph, batch=3)
        )

    # then
    assert sum(sent) == 7
    assert reminders_in(clean_db) == sorted((member.id, task) for task in tasks)


async def test_a_task_due_later_waits_for_its_time(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver, graph: Graph
) -> None:
    w = await world(client, admin, member)
    task = await task_id(client, member, w["acme"])

    assert await run_once(graph) == 0
    assert reminders_in(clean_db) == []
    assert await run_once(graph, now=SOON) == 1
    assert reminders_in(clean_db) == [(member.id, task)]


async def test_a_task_moved_later_is_reminded_again_when_that_time_comes(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver, graph: Graph
) -> None:
    # given
    w = await world(client, admin, member)
    task = await task_id(client, member, w["acme"], dueAt=PAST)
    assert await run_once(graph) == 1

    # when: moved to another time gone by, then to one to come
    for due in ("2026-01-06T08:00:00+00:00", iso(SOON)):
        moved = await gql(client, UPDATE, {"id": task, "input": {"dueAt": due}}, member)
        assert moved["data"]["updateActivity"]["__typename"] == "ActivitySuccess", moved

    # then
    assert await run_once(graph) == 0
    assert await run_once(graph, now=SOON) == 1
    assert reminders_in(clean_db) == [(member.id, task), (member.id, task)]


async def test_a_closed_task_is_reminded_of_only_once_reopened(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver, graph: Graph
) -> None:
    # given
    w = await world(client, admin, member)
    task = await task_id(client, member, w["acme"], dueAt=PAST)
    closed = await gql(client, CLOSE, {"id": task}, member)
    assert closed["data"]["closeActivity"]["__typename"] == "ActivitySuccess"

    # when
    while_closed = await run_once(graph, now=SOON)
    reopened = await gql(client, REOPEN, {"id": task}, admin)
    once_reopened = await run_once(graph)

    # then
    assert reopened["data"]["reopenActivity"]["__typename"] == "ActivitySuccess"
    assert (while_closed, once_reopened) == (0, 1)
    assert reminders_in(clean_db) == [(member.id, task)]


async def test_a_finished_task_is_not_reminded_of(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver, graph: Graph
) -> None:
    w = await world(client, admin, member)
    done = (await gql(client, DONE_STATUS, {}, admin))["data"]["defineActivityStatus"]
    await task_id(client, member, w["acme"], dueAt=PAST, statusId=done["activityStatus"]["id"])

    assert await run_once(graph) == 0
    assert reminders_in(clean_db) == []


@pytest.fixture
async def scheduled(settings: Settings, clean_db: Driver) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its reminder scheduler running every fifth of a second."""
    app = create_app(settings.model_copy(update={"reminder_interval_seconds": 0.2}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


async def test_the_service_reminds_by_itself(
    scheduled: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(scheduled, admin, member)

    # when
    task = await task_id(scheduled, member, w["acme"], dueAt=PAST)

    # then: the scheduler gets to it in its own time
    told: list[dict[str, Any]] = []
    for _ in range(300):
        told = await notifications_of(scheduled, member)
        if told:
            break
        await asyncio.sleep(0.1)
    assert [(n["kind"], n["activity"]["id"]) for n in told] == [("TASK_DUE", task)]
    assert reminders_in(clean_db) == [(member.id, task)]


async def test_tasks_a_process_makes_are_reminded_when_they_fall_due(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver, driver: AsyncDriver
) -> None:
    # given
    w, parent_id = await campaign(client, admin, member)
    seed_customers(clean_db, ["PROSPECT"] * 3, member.id)
    due = "2026-04-01T09:00:00+03:00"
    task = template(w, kind="TASK", startsAt=None, dueAt=due, subject="Call back")
    await run(client, member, parent_id, task, {"statuses": ["PROSPECT"]})

    # when
    sent = await run_once(Graph(driver, "neo4j", 60))
    again = await run_once(Graph(driver, "neo4j", 60))

    # then
    assert (sent, again) == (3, 0)
    records, _, _ = clean_db.execute_query(
        "MATCH (n:Notification {kind: 'TASK_DUE'})-[:NOTIFIES]->(:User {id: $member}) "
        "MATCH (n)-[:ON]->(a:Activity)-[:CHILD_OF]->(:Activity {id: $parent}) "
        "RETURN count(DISTINCT a) AS tasks",
        member=member.id,
        parent=parent_id,
        database_="neo4j",
    )
    assert records[0]["tasks"] == 3
