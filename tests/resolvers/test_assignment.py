"""Assigning users to customers and activities: audit lines, notifications and the mail
everyone involved receives through a real SMTP server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.graph.launcher import free_port
from kesher.resolvers.context import Role
from kesher.settings import Settings
from tests.conftest import Person, gql, make_user
from tests.mail_support import Inbox
from tests.resolvers.relationships_support import ARCHIVE_CUSTOMER, contact, project, snapshot
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

PAYLOAD = """
    __typename
    ... on AssignmentSuccess {
      customer { id name }
      activity { id subject }
      assignedUsers { id name }
      auditLines { action field before after summary actor { id } }
      mailedTo
      mailError
    }
    ... on MutationError { code field message }
"""

ASSIGN = f"""
mutation Assign($recordId: ID!, $userIds: [ID!]!) {{
  assignUsers(recordId: $recordId, userIds: $userIds) {{ {PAYLOAD} }}
}}
"""

UNASSIGN = f"""
mutation Unassign($recordId: ID!, $userIds: [ID!]!) {{
  unassignUsers(recordId: $recordId, userIds: $userIds) {{ {PAYLOAD} }}
}}
"""

CREATE_CUSTOMER = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { ... on CustomerSuccess { customer { id } } }
}
"""

CARD = """
query Card($id: ID!) {
  customer(id: $id) { assignedUsers { edges { node { id } } } }
}
"""

NOTIFICATIONS = """
{ notifications { edges { node { kind summary customer { id } activity { id } } } } }
"""


async def change(
    client: httpx.AsyncClient,
    person: Person,
    record_id: str,
    user_ids: list[str],
    document: str = ASSIGN,
) -> dict[str, Any]:
    answer = await gql(client, document, {"recordId": record_id, "userIds": user_ids}, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = next(iter(answer["data"].values()))
    return payload


async def owned_customer(
    client: httpx.AsyncClient, person: Person, owner: Person, name: str = "Acme Ltd"
) -> str:
    fields = {"name": name, "ownerId": owner.id}
    answer = await gql(client, CREATE_CUSTOMER, {"input": fields}, person)
    return str(answer["data"]["createCustomer"]["customer"]["id"])


async def notifications_of(client: httpx.AsyncClient, person: Person) -> list[dict[str, Any]]:
    answer = await gql(client, NOTIFICATIONS, person=person)
    assert "errors" not in answer, answer
    return [edge["node"] for edge in answer["data"]["notifications"]["edges"]]


def audit_summaries(driver: Driver, record_id: str) -> list[str]:
    records, _, _ = driver.execute_query(
        "MATCH (line:AuditLine {field: 'assignedUsers'})-[:ON]->({id: $id}) "
        "RETURN line.summary AS summary ORDER BY summary",
        id=record_id,
    )
    return [record["summary"] for record in records]


@pytest.fixture
def people(clean_db: Driver) -> dict[str, Person]:
    return {
        "dana": make_user(clean_db, name="Dana Levi"),
        "avi": make_user(clean_db, name="Avi Cohen"),
        "noa": make_user(clean_db, name="Noa Bar"),
        "olga": make_user(clean_db, name="Olga Owner"),
    }


def manages(db: Driver, manager: Person, user: Person) -> None:
    """Makes `manager` a manager of `user`, who may then see and change their activities."""
    db.execute_query(
        "MATCH (m:User {id: $manager}), (u:User {id: $user}) CREATE (m)-[:MANAGES]->(u)",
        manager=manager.id,
        user=user.id,
        database_="neo4j",
    )


async def test_assigning_users_audits_notifies_and_mails_everyone_involved(
    client: httpx.AsyncClient,
    people: dict[str, Person],
    clean_db: Driver,
    inbox: Inbox,
    settings: Settings,
) -> None:
    # given
    dana, avi, noa, olga = people["dana"], people["avi"], people["noa"], people["olga"]
    acme = await owned_customer(client, dana, olga)

    # when
    payload = await change(client, dana, acme, [noa.id, avi.id])

    # then
    assert payload["__typename"] == "AssignmentSuccess", payload
    assert payload["customer"] == {"id": acme, "name": "Acme Ltd"}
    assert payload["activity"] is None
    assert payload["assignedUsers"] == [
        {"id": avi.id, "name": "Avi Cohen"},
        {"id": noa.id, "name": "Noa Bar"},
    ]
    assert payload["auditLines"] == [
        {
            "action": "ASSIGNED",
            "field": "assignedUsers",
            "before": None,
            "after": name,
            "summary": f"Dana Levi assigned {name}",
            "actor": {"id": dana.id},
        }
        for name in ("Noa Bar", "Avi Cohen")
    ]
    assert audit_summaries(clean_db, acme) == [
        "Dana Levi assigned Avi Cohen",
        "Dana Levi assigned Noa Bar",
    ]
    assert sorted(payload["mailedTo"]) == sorted([avi.email, noa.email, olga.email])
    assert payload["mailError"] is None
    delivered = inbox.messages
    assert sorted(r for m in delivered for r in m.recipients) == sorted(payload["mailedTo"])
    for mail in delivered:
        assert mail.message["Subject"] == "Dana Levi assigned Noa Bar and Avi Cohen to Acme Ltd"
        assert mail.message["Reply-To"] == f"Dana Levi <{dana.email}>"
        assert "assigned Noa Bar and Avi Cohen to the customer Acme Ltd on " in mail.text
        assert "Assigned now: Avi Cohen and Noa Bar." in mail.text
        assert settings.record_link.replace("{id}", acme) in mail.text
    for person in (avi, noa):
        assert await notifications_of(client, person) == [
            {
                "kind": "ASSIGNED",
                "summary": "Dana Levi assigned you to Acme Ltd",
                "customer": {"id": acme},
                "activity": None,
            }
        ]
    assert await notifications_of(client, olga) == []
    card = await gql(client, CARD, {"id": acme}, dana)
    edges = card["data"]["customer"]["assignedUsers"]["edges"]
    assert {edge["node"]["id"] for edge in edges} == {avi.id, noa.id}


async def test_the_one_who_assigns_is_neither_notified_nor_mailed(
    client: httpx.AsyncClient, people: dict[str, Person], inbox: Inbox
) -> None:
    # given
    dana, avi = people["dana"], people["avi"]
    acme = await owned_customer(client, dana, dana)

    # when
    payload = await change(client, dana, acme, [dana.id, avi.id])

    # then
    assert payload["mailedTo"] == [avi.email]
    assert [m.recipients for m in inbox.messages] == [[avi.email]]
    assert await notifications_of(client, dana) == []
    assert len(await notifications_of(client, avi)) == 1


async def test_removing_a_user_tells_them_and_those_still_assigned(
    client: httpx.AsyncClient, people: dict[str, Person], clean_db: Driver, inbox: Inbox
) -> None:
    # given
    dana, avi, noa, olga = people["dana"], people["avi"], people["noa"], people["olga"]
    acme = await owned_customer(client, dana, olga)
    await change(client, dana, acme, [avi.id, noa.id])
    inbox.clear()

    # when
    payload = await change(client, dana, acme, [avi.id], UNASSIGN)

    # then
    assert payload["__typename"] == "AssignmentSuccess", payload
    assert payload["assignedUsers"] == [{"id": noa.id, "name": "Noa Bar"}]
    [line] = payload["auditLines"]
    assert (line["action"], line["before"], line["after"], line["summary"]) == (
        "UNASSIGNED",
        "Avi Cohen",
        None,
        "Dana Levi removed Avi Cohen",
    )
    assert "Dana Levi removed Avi Cohen" in audit_summaries(clean_db, acme)
    assert sorted(r for m in inbox.messages for r in m.recipients) == sorted(
        [avi.email, noa.email, olga.email]
    )
    assert {m.message["Subject"] for m in inbox.messages} == {
        "Dana Levi removed Avi Cohen from Acme Ltd"
    }
    assert "Assigned now: Noa Bar." in inbox.messages[0].text
    assert [n["kind"] for n in await notifications_of(client, avi)] == ["UNASSIGNED", "ASSIGNED"]
    assert (await notifications_of(client, avi))[0]["summary"] == (
        "Dana Levi removed you from Acme Ltd"
    )


async def test_an_activity_takes_assignments_and_its_owner_is_told(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    people: dict[str, Person],
    clean_db: Driver,
    inbox: Inbox,
) -> None:
    # given the member's activity, which Avi takes part in, and Dana, the member's manager
    w = await world(client, admin, member)
    avi = people["avi"]
    fields = meeting(w, member, participantIds=[avi.id])
    activity = (await create(client, member, fields))["activity"]["id"]
    manages(clean_db, people["dana"], member)

    # when
    payload = await change(client, people["dana"], activity, [avi.id])

    # then
    assert payload["customer"] is None
    assert payload["activity"] == {"id": activity, "subject": "Kick-off"}
    assert sorted(payload["mailedTo"]) == sorted([avi.email, member.email])
    assert {m.message["Subject"] for m in inbox.messages} == {
        "Dana Levi assigned Avi Cohen to Kick-off"
    }
    assert "to the activity Kick-off" in inbox.messages[0].text
    [told] = await notifications_of(client, avi)
    assert told["activity"] == {"id": activity}


async def test_a_mail_failure_after_the_change_is_reported_and_the_change_stands(
    client: httpx.AsyncClient, people: dict[str, Person], settings: Settings
) -> None:
    # given
    dana, avi = people["dana"], people["avi"]
    acme = await owned_customer(client, dana, dana)
    settings.smtp_port = free_port()  # nothing listens there

    # when
    payload = await change(client, dana, acme, [avi.id])

    # then
    assert payload["__typename"] == "AssignmentSuccess", payload
    assert payload["mailedTo"] == []
    assert payload["mailError"].startswith(f"Not mailed to {avi.email}: the mail server")
    card = await gql(client, CARD, {"id": acme}, dana)
    assert [e["node"]["id"] for e in card["data"]["customer"]["assignedUsers"]["edges"]] == [avi.id]


async def test_a_deactivated_user_can_be_removed_and_is_not_mailed(
    client: httpx.AsyncClient, people: dict[str, Person], clean_db: Driver, inbox: Inbox
) -> None:
    # given
    dana, avi = people["dana"], people["avi"]
    acme = await owned_customer(client, dana, dana)
    await change(client, dana, acme, [avi.id])
    clean_db.execute_query("MATCH (u:User {id: $id}) SET u.active = false", id=avi.id)
    inbox.clear()

    # when
    payload = await change(client, dana, acme, [avi.id], UNASSIGN)

    # then
    assert payload["__typename"] == "AssignmentSuccess", payload
    assert payload["assignedUsers"] == []
    assert payload["mailedTo"] == []
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("case", "code", "field"),
    [
        ("contact", "KIND_MISMATCH", "recordId"),
        ("project", "KIND_MISMATCH", "recordId"),
        ("unknown record", "NOT_FOUND", "recordId"),
        ("archived customer", "ARCHIVED", "recordId"),
        ("closed activity", "CLOSED", "recordId"),
        ("no users", "INVALID_INPUT", "userIds"),
        ("a user twice", "INVALID_INPUT", "userIds"),
        ("unknown user", "NOT_FOUND", "userIds"),
        ("deactivated user", "NOT_FOUND", "userIds"),
        ("assigned already", "CONFLICT", "userIds"),
        ("not assigned", "CONFLICT", "userIds"),
    ],
)
async def test_a_refused_change_changes_nothing_and_mails_nobody(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    people: dict[str, Person],
    clean_db: Driver,
    inbox: Inbox,
    case: str,
    code: str,
    field: str,
) -> None:
    # given
    dana, avi, noa = people["dana"], people["avi"], people["noa"]
    w = await world(client, admin, member)
    acme = w["acme"]
    await change(client, dana, acme, [noa.id])
    archived = await owned_customer(client, dana, dana, "Gone Ltd")
    await gql(client, ARCHIVE_CUSTOMER, {"id": archived}, admin)
    activity = (await create(client, member, meeting(w, member)))["activity"]["id"]
    await gql(client, CLOSE, {"id": activity}, member)
    manages(clean_db, dana, member)  # so that Dana may change the member's activity
    gone = make_user(clean_db, Role.MEMBER, name="Gil Gone", active=False)
    record, users, document = {
        "contact": (await contact(client, dana, acme, "Eli"), [avi.id], ASSIGN),
        "project": (await project(client, dana, acme, "Roof"), [avi.id], ASSIGN),
        "unknown record": ("cus_000000000000000000000000", [avi.id], ASSIGN),
        "archived customer": (archived, [avi.id], ASSIGN),
        "closed activity": (activity, [avi.id], ASSIGN),
        "no users": (acme, [], ASSIGN),
        "a user twice": (acme, [avi.id, avi.id], ASSIGN),
        "unknown user": (acme, [avi.id, "usr_000000000000000000000000"], ASSIGN),
        "deactivated user": (acme, [avi.id, gone.id], ASSIGN),
        "assigned already": (acme, [avi.id, noa.id], ASSIGN),
        "not assigned": (acme, [noa.id, avi.id], UNASSIGN),
    }[case]
    before = snapshot(clean_db)
    inbox.clear()

    # when
    payload = await change(client, dana, record, users, document)

    # then
    assert payload["__typename"] == "MutationError", payload
    assert (payload["code"], payload["field"]) == (code, field)
    assert snapshot(clean_db) == before
    assert inbox.messages == []
