"""Who may see whose calendar: managers and shared calendars, through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.resolvers.context import Role
from tests.conftest import Person, gql, make_user
from tests.resolvers.relationships_support import snapshot

pytestmark = pytest.mark.anyio

MANAGE = """
mutation Manage($manager: ID!, $users: [ID!]!) {
  manageUsers(managerId: $manager, userIds: $users) {
    __typename
    ... on UserSuccess { user { id manages { edges { node { name } } } } }
    ... on MutationError { code field message }
  }
}
"""

STOP_MANAGING = """
mutation Stop($manager: ID!, $users: [ID!]!) {
  stopManagingUsers(managerId: $manager, userIds: $users) {
    __typename
    ... on UserSuccess { user { manages { edges { node { name } } } } }
    ... on MutationError { code field message }
  }
}
"""

SHARE = """
mutation Share($users: [ID!]!, $owner: ID) {
  shareCalendar(userIds: $users, ownerId: $owner) {
    __typename
    ... on UserSuccess { user { id calendarSharedWith { edges { node { name } } } } }
    ... on MutationError { code field message }
  }
}
"""

UNSHARE = """
mutation Unshare($users: [ID!]!) {
  unshareCalendar(userIds: $users) {
    __typename
    ... on UserSuccess { user { calendarSharedWith { edges { node { name } } } } }
    ... on MutationError { code field message }
  }
}
"""

USER_CARD = """
query Card($id: ID!) {
  user(id: $id) {
    managers { edges { node { name } } }
    calendarsSharedWithMe { edges { node { name } } }
  }
}
"""


def names(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in connection["edges"]]


async def payload(
    client: httpx.AsyncClient, document: str, variables: dict[str, Any], person: Person
) -> dict[str, Any]:
    answer = await gql(client, document, variables, person)
    assert "errors" not in answer, answer
    found: dict[str, Any] = next(iter(answer["data"].values()))
    return found


async def test_an_admin_sets_who_a_manager_manages(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    boss = make_user(clean_db, Role.MANAGER, name="Boss")
    ann = make_user(clean_db, name="Ann")
    ben = make_user(clean_db, name="Ben")

    # when (naming Ann twice over two calls is harmless)
    await payload(client, MANAGE, {"manager": boss.id, "users": [ann.id]}, admin)
    managed = await payload(client, MANAGE, {"manager": boss.id, "users": [ann.id, ben.id]}, admin)

    # then
    assert names(managed["user"]["manages"]) == ["Ann", "Ben"]
    card = (await gql(client, USER_CARD, {"id": ann.id}, admin))["data"]["user"]
    assert names(card["managers"]) == ["Boss"]

    stopped = await payload(client, STOP_MANAGING, {"manager": boss.id, "users": [ann.id]}, admin)
    assert names(stopped["user"]["manages"]) == ["Ben"]


async def test_refused_management_changes_nothing(
    client: httpx.AsyncClient, admin: Person, manager: Person, clean_db: Driver
) -> None:
    member = make_user(clean_db, name="Mo")
    other = make_user(clean_db, name="Other")
    before = snapshot(clean_db)
    for variables, code, field in (
        ({"manager": member.id, "users": [other.id]}, "INVALID_INPUT", "managerId"),
        ({"manager": manager.id, "users": [manager.id]}, "INVALID_INPUT", "userIds"),
        ({"manager": manager.id, "users": ["usr_unknown"]}, "NOT_FOUND", "userIds"),
        ({"manager": "usr_unknown", "users": [other.id]}, "NOT_FOUND", "managerId"),
        ({"manager": manager.id, "users": []}, "INVALID_INPUT", "userIds"),
    ):
        refused = await payload(client, MANAGE, variables, admin)
        assert (refused["code"], refused["field"]) == (code, field), refused
    answer = await gql(client, MANAGE, {"manager": manager.id, "users": [other.id]}, manager)
    assert next(iter(answer["data"].values()))["code"] == "FORBIDDEN"
    assert snapshot(clean_db) == before


async def test_a_user_shares_their_own_calendar(
    client: httpx.AsyncClient, member: Person, admin: Person, clean_db: Driver
) -> None:
    # given
    colleague = make_user(clean_db, name="Colleague")

    # when
    shared = await payload(client, SHARE, {"users": [colleague.id]}, member)

    # then
    assert shared["user"]["id"] == member.id
    assert names(shared["user"]["calendarSharedWith"]) == ["Colleague"]
    card = (await gql(client, USER_CARD, {"id": colleague.id}, member))["data"]["user"]
    assert names(card["calendarsSharedWithMe"]) == ["Moshe Member"]

    unshared = await payload(client, UNSHARE, {"users": [colleague.id]}, member)
    assert names(unshared["user"]["calendarSharedWith"]) == []


async def test_only_an_admin_shares_another_users_calendar(
    client: httpx.AsyncClient, member: Person, admin: Person, clean_db: Driver
) -> None:
    owner = make_user(clean_db, name="Owner")
    before = snapshot(clean_db)
    refused = await payload(client, SHARE, {"users": [member.id], "owner": owner.id}, member)
    assert (refused["code"], refused["field"]) == ("FORBIDDEN", "ownerId")
    assert snapshot(clean_db) == before

    shared = await payload(client, SHARE, {"users": [member.id], "owner": owner.id}, admin)
    assert shared["user"]["id"] == owner.id
    assert names(shared["user"]["calendarSharedWith"]) == ["Moshe Member"]
