"""A token stops working once its user is demoted, deactivated or changes password: every
request checks the user's current role, active flag and token version in its own
statement."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from neo4j import AsyncDriver, Driver

from kesher.graph.driver import Graph
from kesher.graph.errors import ViewerRefused
from kesher.graph.viewer_guard import ViewerCheck, checking
from tests.conftest import Person, gql, make_user
from tests.resolvers.test_auth import CREATE_USER, DEACTIVATE_USER, LOGIN, ME, UPDATE_USER
from tests.resolvers.test_calendar_feed import ROTATE

pytestmark = pytest.mark.anyio

REVOKED = "The bearer token was revoked or its user deactivated; sign in again with login."

CREATE_CUSTOMER = """
mutation { createCustomer(input: {name: "Acme"}) {
  __typename
  ... on CustomerSuccess { customer { id } }
  ... on MutationError { code message }
} }
"""


def count(driver: Driver, label: str) -> int:
    records, _, _ = driver.execute_query(f"MATCH (n:{label}) RETURN count(n)", database_="neo4j")
    return int(records[0][0])


async def test_a_demoted_admin_cannot_create_an_admin_with_the_old_token(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given an ADMIN demoted to MEMBER by another ADMIN
    other = make_user(clean_db, admin.role, name="Other Admin")
    demoted = await gql(client, UPDATE_USER, {"id": admin.id, "input": {"role": "MEMBER"}}, other)
    assert demoted["data"]["updateUser"]["user"]["role"] == "MEMBER"
    before = count(clean_db, "User")

    # when the demoted user sends their old ADMIN token
    answer = await gql(
        client,
        CREATE_USER,
        {
            "input": {
                "email": "evil@example.com",
                "name": "Evil",
                "password": "x" * 12,
                "role": "ADMIN",
            }
        },
        admin,
    )

    # then
    assert answer["data"]["createUser"] == {
        "__typename": "MutationError",
        "code": "UNAUTHENTICATED",
        "field": None,
        "message": REVOKED,
    }
    assert count(clean_db, "User") == before


async def test_a_deactivated_user_cannot_read_with_the_old_token(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    assert (await gql(client, ME, None, member))["data"]["me"]["id"] == member.id
    await gql(client, DEACTIVATE_USER, {"id": member.id}, admin)

    # when
    answer = await gql(client, "{ customers(first: 5) { edges { node { id } } } }", None, member)

    # then
    assert answer.get("data") is None
    assert answer["errors"][0]["message"] == REVOKED
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_password_change_revokes_the_old_token_and_a_new_login_works(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await gql(
        client, UPDATE_USER, {"id": member.id, "input": {"password": "a new password"}}, admin
    )

    # when the old token writes
    old = await gql(client, CREATE_CUSTOMER, None, member)

    # then it is refused and nothing is written; a token from a new login works
    assert old["data"]["createCustomer"]["code"] == "UNAUTHENTICATED"
    assert count(clean_db, "Customer") == 0
    login = await gql(client, LOGIN, {"email": member.email, "password": "a new password"})
    token = login["data"]["login"]["token"]
    fresh = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    assert fresh.json()["data"]["me"]["id"] == member.id


async def test_an_unrelated_change_to_a_user_keeps_their_token(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    await gql(client, UPDATE_USER, {"id": member.id, "input": {"name": "Moshe Renamed"}}, admin)
    answer = await gql(client, ME, None, member)
    assert answer["data"]["me"]["name"] == "Moshe Renamed"


async def test_a_deactivated_users_calendar_feed_stops_working(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given a member's own feed, which works
    rotated = await gql(client, ROTATE, {}, member)
    url = urlsplit(rotated["data"]["rotateCalendarFeed"]["url"])
    feed = f"{url.path}?{url.query}"
    assert (await client.get(feed)).status_code == 200

    # when the member is deactivated, then reactivated
    await gql(client, DEACTIVATE_USER, {"id": member.id}, admin)
    gone = await client.get(feed)
    await gql(client, UPDATE_USER, {"id": member.id, "input": {"active": True}}, admin)

    # then the old address is dead, even after reactivation
    assert gone.status_code == 404
    assert (await client.get(feed)).status_code == 404


async def test_an_admin_rotating_anothers_feed_does_not_learn_its_address(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # when
    answer = await gql(client, ROTATE, {"user": member.id}, admin)

    # then the rotation happened (the member's own old address is dead) but no secret came
    assert answer["data"]["rotateCalendarFeed"] == {
        "__typename": "CalendarFeedSuccess",
        "url": None,
        "token": None,
    }


async def test_the_guard_refuses_a_stale_role_version_or_unknown_user(
    driver: AsyncDriver, member: Person
) -> None:
    # given
    graph = Graph(driver, "neo4j", 10.0)

    # then the viewer's own claims pass; any stale one fails the statement itself
    with checking(ViewerCheck(member.id, "MEMBER", 0)):
        assert await graph.rows("RETURN 1 AS one", {}) == [{"one": 1}]
    for check in (
        ViewerCheck(member.id, "ADMIN", 0),
        ViewerCheck(member.id, "MEMBER", 1),
        ViewerCheck("usr_nobody", "MEMBER", 0),
    ):
        with checking(check), pytest.raises(ViewerRefused):
            await graph.rows("RETURN 1 AS one", {})
