"""Creating and changing activities, and their card, through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.resolvers.context import Role
from tests.conftest import CypherCalls, Person, gql, make_user
from tests.resolvers.relationships_support import contact, customer, snapshot

pytestmark = pytest.mark.anyio

SETUP = """
mutation {
  t: defineActivityType(input: {name: "Sales meeting", colour: "#112233"}) {
    ... on ActivityTypeSuccess { activityType { id } }
  }
  s: defineActivityStatus(input: {name: "Scheduled", colour: "#445566", category: OPEN}) {
    ... on ActivityStatusSuccess { activityStatus { id } }
  }
}
"""

FIELDS = """
  id kind subject startsAt endsAt dueAt allDay timeZone externalUrl
  owner { id } customer { id } contact { id } type { name } status { name category }
  participants { edges { node { id } } }
  customers { totalCount edges { node { id } } }
"""

CREATE = """
mutation Create($input: CreateActivityInput!) {
  createActivity(input: $input) {
    __typename
    ... on ActivitySuccess { activity { FIELDS } }
    ... on MutationError { code field message }
  }
}
""".replace("FIELDS", FIELDS)

UPDATE = """
mutation Update($id: ID!, $input: UpdateActivityInput!) {
  updateActivity(id: $id, input: $input) {
    __typename
    ... on ActivitySuccess { activity { FIELDS } }
    ... on MutationError { code field message }
  }
}
""".replace("FIELDS", FIELDS)

CARD = "query Card($id: ID!) { activity(id: $id) { FIELDS } }".replace("FIELDS", FIELDS)


async def world(client: httpx.AsyncClient, admin: Person, member: Person) -> dict[str, str]:
    answer = (await gql(client, SETUP, person=admin))["data"]
    acme = await customer(client, member, "Acme")
    return {
        "type": answer["t"]["activityType"]["id"],
        "status": answer["s"]["activityStatus"]["id"],
        "acme": acme,
        "beta": await customer(client, member, "Beta"),
        "gamma": await customer(client, member, "Gamma"),
        "dana": await contact(client, member, acme, "Dana"),
    }


def meeting(w: dict[str, str], owner: Person, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "EVENT",
        "typeId": w["type"],
        "statusId": w["status"],
        "subject": "Kick-off",
        "startsAt": "2026-03-01T09:00:00+02:00",
        "endsAt": "2026-03-01T10:30:00+02:00",
        "timeZone": "Asia/Jerusalem",
        "ownerId": owner.id,
        "customerId": w["acme"],
        **fields,
    }


async def create(
    client: httpx.AsyncClient, person: Person, fields: dict[str, Any]
) -> dict[str, Any]:
    answer = await gql(client, CREATE, {"input": fields}, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["createActivity"]
    return payload


async def test_an_activity_belongs_to_its_owner_participants_and_customers(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given
    w = await world(client, admin, member)
    guest = make_user(clean_db, name="Guest")

    # when
    created = await create(
        client,
        member,
        meeting(
            w,
            member,
            contactId=w["dana"],
            participantIds=[guest.id],
            otherCustomerIds=[w["beta"], w["gamma"], w["acme"]],
            externalUrl="https://calendar.example.com/event/1",
        ),
    )

    # then
    activity = created["activity"]
    assert activity["startsAt"] == "2026-03-01T07:00:00+00:00"
    assert activity["endsAt"] == "2026-03-01T08:30:00+00:00"
    assert (activity["owner"]["id"], activity["customer"]["id"]) == (member.id, w["acme"])
    assert activity["contact"]["id"] == w["dana"]
    assert activity["status"] == {"name": "Scheduled", "category": "OPEN"}
    assert [e["node"]["id"] for e in activity["participants"]["edges"]] == [guest.id]
    assert activity["customers"]["totalCount"] == 3
    cypher_calls.count = 0
    card = (await gql(client, CARD, {"id": activity["id"]}, member))["data"]["activity"]
    assert cypher_calls.count == 1
    assert card == activity


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"ownerId": "usr_unknown"}, "NOT_FOUND", "ownerId"),
        ({"customerId": "cus_unknown"}, "NOT_FOUND", "customerId"),
        ({"typeId": "aty_unknown"}, "NOT_FOUND", "typeId"),
        ({"contactId": "elsewhere"}, "INVALID_INPUT", "contactId"),
        ({"startsAt": None}, "INVALID_INPUT", "startsAt"),
        ({"endsAt": "2026-03-01T08:00:00+02:00"}, "INVALID_INPUT", "endsAt"),
        ({"dueAt": "2026-03-01T08:00:00+02:00"}, "INVALID_INPUT", "dueAt"),
        ({"timeZone": "Mars/Olympus"}, "INVALID_INPUT", "timeZone"),
        ({"externalUrl": "http://insecure.example.com"}, "INVALID_INPUT", "externalUrl"),
        ({"kind": "CALL", "externalUrl": "https://x.example.com"}, "INVALID_INPUT", "externalUrl"),
        ({"kind": "TASK"}, "INVALID_INPUT", "dueAt"),
        ({"subject": ""}, "INVALID_INPUT", "subject"),
    ],
)
async def test_a_refused_activity_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    change: dict[str, Any],
    code: str,
    field: str,
) -> None:
    # given
    w = await world(client, admin, member)
    if change.get("contactId") == "elsewhere":
        change = {"contactId": await contact(client, member, w["beta"], "Eli")}
    before = snapshot(clean_db)

    # when
    refused = await create(client, member, meeting(w, member, **change))

    # then
    assert (refused.get("code"), refused.get("field")) == (code, field), refused
    assert snapshot(clean_db) == before


async def test_the_owner_must_be_an_active_user(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    w = await world(client, admin, member)
    gone = make_user(clean_db, Role.MEMBER, name="Gone", active=False)
    before = snapshot(clean_db)
    for fields in ({"ownerId": gone.id}, {"participantIds": [gone.id]}):
        refused = await create(client, member, meeting(w, member, **fields))
        assert refused["code"] == "FORBIDDEN"
        assert refused["field"] in ("ownerId", "participantIds")
    assert snapshot(clean_db) == before


async def test_a_task_is_due_and_an_all_day_event_takes_local_days(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    w = await world(client, admin, member)
    task = (
        await create(
            client,
            member,
            meeting(
                w, member, kind="TASK", startsAt=None, endsAt=None, dueAt="2026-03-02T12:00:00Z"
            ),
        )
    )["activity"]
    assert task["dueAt"] == task["startsAt"] == task["endsAt"] == "2026-03-02T12:00:00+00:00"

    event = (
        await create(
            client,
            member,
            meeting(w, member, allDay=True, startsAt="2026-03-01T15:00:00+02:00", endsAt=None),
        )
    )["activity"]
    # The whole of 1 March in Jerusalem (UTC+2 in winter).
    assert event["startsAt"] == "2026-02-28T22:00:00+00:00"
    assert event["endsAt"] == "2026-03-01T22:00:00+00:00"
    assert event["allDay"] is True


async def test_an_update_changes_only_what_was_sent(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    activity = (await create(client, member, meeting(w, member, contactId=w["dana"])))["activity"]

    # when
    answer = await gql(
        client,
        UPDATE,
        {
            "id": activity["id"],
            "input": {"subject": "Kick-off, moved", "endsAt": "2026-03-01T11:00:00+02:00"},
        },
        member,
    )

    # then
    updated = answer["data"]["updateActivity"]["activity"]
    assert updated["subject"] == "Kick-off, moved"
    assert updated["startsAt"] == activity["startsAt"]
    assert updated["endsAt"] == "2026-03-01T09:00:00+00:00"
    assert updated["contact"]["id"] == w["dana"]

    # and a new customer the contact does not work at is refused, changing nothing
    before = snapshot(clean_db)
    refused = (
        await gql(
            client, UPDATE, {"id": activity["id"], "input": {"customerId": w["beta"]}}, member
        )
    )["data"]["updateActivity"]
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "contactId")
    assert snapshot(clean_db) == before

    # with the contact cleared, it moves
    moved = (
        await gql(
            client,
            UPDATE,
            {"id": activity["id"], "input": {"customerId": w["beta"], "contactId": None}},
            member,
        )
    )["data"]["updateActivity"]["activity"]
    assert (moved["customer"]["id"], moved["contact"]) == (w["beta"], None)


HISTORY = """
query History($id: ID!, $after: String) {
  customer(id: $id) {
    activities(first: 2, after: $after) {
      edges { node { subject startsAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


async def test_an_activity_shows_in_every_customers_history_newest_first(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given three activities, the newest about Acme, Beta and Gamma
    w = await world(client, admin, member)
    for subject, day in (("First", "01"), ("Second", "02")):
        await create(
            client,
            member,
            meeting(w, member, subject=subject, startsAt=f"2026-03-{day}T09:00:00Z", endsAt=None),
        )
    await create(
        client,
        member,
        meeting(
            w,
            member,
            subject="Third",
            startsAt="2026-03-03T09:00:00Z",
            endsAt=None,
            customerId=w["beta"],
            otherCustomerIds=[w["acme"], w["gamma"]],
        ),
    )

    # when
    cypher_calls.count = 0
    acme = (await gql(client, HISTORY, {"id": w["acme"]}, member))["data"]["customer"]
    assert cypher_calls.count == 1
    rest = (
        await gql(
            client,
            HISTORY,
            {"id": w["acme"], "after": acme["activities"]["pageInfo"]["endCursor"]},
            member,
        )
    )["data"]["customer"]

    # then
    subjects = [e["node"]["subject"] for e in acme["activities"]["edges"]]
    assert subjects == ["Third", "Second"]
    assert acme["activities"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["subject"] for e in rest["activities"]["edges"]] == ["First"]
    for other in ("beta", "gamma"):
        history = (await gql(client, HISTORY, {"id": w[other]}, member))["data"]["customer"]
        assert [e["node"]["subject"] for e in history["activities"]["edges"]] == ["Third"]


CLOSE = """
mutation Close($id: ID!) {
  closeActivity(id: $id) {
    __typename
    ... on ActivitySuccess { activity { closedAt } }
    ... on MutationError { code field }
  }
}
"""

REOPEN = """
mutation Reopen($id: ID!) {
  reopenActivity(id: $id) {
    __typename
    ... on ActivitySuccess { activity { closedAt } }
    ... on MutationError { code field }
  }
}
"""


async def test_a_closed_activity_refuses_changes_until_an_admin_reopens_it(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    activity_id = (await create(client, member, meeting(w, member)))["activity"]["id"]

    # when
    closed = (await gql(client, CLOSE, {"id": activity_id}, member))["data"]["closeActivity"]

    # then
    assert closed["activity"]["closedAt"] is not None
    before = snapshot(clean_db)
    for document, variables in (
        (UPDATE, {"id": activity_id, "input": {"subject": "Sneaky"}}),
        (UPDATE, {"id": activity_id, "input": {"participantIds": [admin.id]}}),
        (UPDATE, {"id": activity_id, "input": {"otherCustomerIds": [w["beta"]]}}),
        (UPDATE, {"id": activity_id, "input": {"contactId": w["dana"]}}),
        (UPDATE, {"id": activity_id, "input": {"ownerId": admin.id}}),
        (CLOSE, {"id": activity_id}),
    ):
        refused = next(iter((await gql(client, document, variables, member))["data"].values()))
        assert (refused["code"], refused["field"]) == ("CLOSED", "id")
    forbidden = await gql(client, REOPEN, {"id": activity_id}, member)
    assert forbidden["data"]["reopenActivity"]["code"] == "FORBIDDEN"
    assert snapshot(clean_db) == before

    reopened = (await gql(client, REOPEN, {"id": activity_id}, admin))["data"]["reopenActivity"]
    assert reopened["activity"]["closedAt"] is None
    again = (await gql(client, REOPEN, {"id": activity_id}, admin))["data"]["reopenActivity"]
    assert (again["code"], again["field"]) == ("INVALID_INPUT", "id")
    changed = await gql(client, UPDATE, {"id": activity_id, "input": {"subject": "Open"}}, member)
    assert changed["data"]["updateActivity"]["activity"]["subject"] == "Open"
