"""Signing in, tokens, roles and user administration."""

from __future__ import annotations

import time
from datetime import datetime, tzinfo

import httpx
import jwt
import pytest
from neo4j import Driver

from kesher.resolvers import tokens
from kesher.resolvers.context import Role, Viewer
from kesher.resolvers.tokens import issue
from tests.conftest import TEST_PASSWORD, TEST_SECRET, Person, gql, make_user

pytestmark = pytest.mark.anyio

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    __typename
    ... on LoginSuccess { token expiresAt user { id email role } }
    ... on MutationError { code field message }
  }
}
"""

ME = "{ me { id name role active } }"

CREATE_USER = """
mutation Create($input: CreateUserInput!) {
  createUser(input: $input) {
    __typename
    ... on UserSuccess { user { id email handle role active } }
    ... on MutationError { code field message }
  }
}
"""

UPDATE_USER = """
mutation Update($id: ID!, $input: UpdateUserInput!) {
  updateUser(id: $id, input: $input) {
    __typename
    ... on UserSuccess { user { id role active } }
    ... on MutationError { code field message }
  }
}
"""

DEACTIVATE_USER = """
mutation Deactivate($id: ID!) {
  deactivateUser(id: $id) {
    __typename
    ... on UserSuccess { user { id active } }
    ... on MutationError { code field message }
  }
}
"""


def users(driver: Driver) -> int:
    records, _, _ = driver.execute_query("MATCH (u:User) RETURN count(u)", database_="neo4j")
    return int(records[0][0])


async def test_login_returns_a_token_that_works(client: httpx.AsyncClient, admin: Person) -> None:
    # when
    answer = await gql(client, LOGIN, {"email": admin.email.upper(), "password": TEST_PASSWORD})

    # then
    login = answer["data"]["login"]
    assert login["__typename"] == "LoginSuccess"
    assert login["user"] == {"id": admin.id, "email": admin.email, "role": "ADMIN"}
    me = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {login['token']}"}
    )
    assert me.json()["data"]["me"] == {
        "id": admin.id,
        "name": "Ada Admin",
        "role": "ADMIN",
        "active": True,
    }


@pytest.mark.parametrize("case", ["wrong password", "unknown e-mail", "deactivated"])
async def test_login_refusals_say_the_same(
    client: httpx.AsyncClient, clean_db: Driver, case: str
) -> None:
    person = make_user(clean_db, active=case != "deactivated")
    email = "nobody@example.com" if case == "unknown e-mail" else person.email
    password = "wrong password!" if case == "wrong password" else TEST_PASSWORD

    answer = await gql(client, LOGIN, {"email": email, "password": password})

    assert answer["data"]["login"] == {
        "__typename": "MutationError",
        "code": "INVALID_CREDENTIALS",
        "field": "password",
        "message": "The e-mail or password is wrong.",
    }


async def test_anonymous_caller_is_refused(client: httpx.AsyncClient) -> None:
    answer = await gql(client, ME)
    assert answer["data"] == {"me": None}
    assert answer["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert "Sign in" in answer["errors"][0]["message"]


async def test_expired_token_is_refused_with_a_reason(
    client: httpx.AsyncClient, admin: Person
) -> None:
    token = jwt.encode(
        {"sub": admin.id, "role": "ADMIN", "aud": "kesher", "exp": 1_000_000_000},
        TEST_SECRET,
        algorithm="HS256",
    )
    answer = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in error["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        f"Bearer {issue(Viewer('usr_x', Role.ADMIN), 'another key' * 4, 60)[0]}",
    ],
)
async def test_bad_tokens_are_refused(client: httpx.AsyncClient, header: str) -> None:
    answer = await client.post("/graphql", json={"query": ME}, headers={"Authorization": header})
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_admin_creates_a_user_who_can_sign_in(
    client: httpx.AsyncClient, admin: Person
) -> None:
    # when
    created = await gql(
        client,
        CREATE_USER,
        {
            "input": {
                "email": "Noa.Bar@Example.com",
                "name": "נועה בר",
                "password": "a long enough secret",
                "role": "MANAGER",
            }
        },
        admin,
    )

    # then
    user = created["data"]["createUser"]["user"]
    assert user["email"] == "noa.bar@example.com"
    assert user["handle"] == "noa.bar"
    assert user["role"] == "MANAGER"
    login = await gql(
        client, LOGIN, {"email": "noa.bar@example.com", "password": "a long enough secret"}
    )
    assert login["data"]["login"]["__typename"] == "LoginSuccess"


async def test_member_may_not_create_users(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    answer = await gql(
        client,
        CREATE_USER,
        {"input": {"email": "x@example.com", "name": "X", "password": "long enough!"}},
        member,
    )
    refused = answer["data"]["createUser"]
    assert refused["code"] == "FORBIDDEN"
    assert "ADMIN" in refused["message"]
    assert users(clean_db) == 1


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"password": "short"}, "password", "INVALID_INPUT"),
        ({"email": "not an address"}, "email", "INVALID_INPUT"),
        ({"handle": "Bad Handle!"}, "handle", "INVALID_INPUT"),
        ({"email": "TAKEN@example.com"}, "email", "CONFLICT"),
    ],
)
async def test_bad_user_input_is_refused(
    client: httpx.AsyncClient,
    admin: Person,
    clean_db: Driver,
    fields: dict[str, str],
    field: str,
    code: str,
) -> None:
    # given
    await gql(
        client,
        CREATE_USER,
        {"input": {"email": "taken@example.com", "name": "T", "password": "long enough!"}},
        admin,
    )
    before = users(clean_db)

    # when
    given = {"email": "new@example.com", "name": "N", "password": "long enough!", **fields}
    answer = await gql(client, CREATE_USER, {"input": given}, admin)

    # then
    error = answer["data"]["createUser"]
    assert (error["code"], error["field"]) == (code, field)
    assert users(clean_db) == before


async def test_deactivated_user_cannot_sign_in_or_change_anything(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # when
    answer = await gql(client, DEACTIVATE_USER, {"id": member.id}, admin)

    # then
    assert answer["data"]["deactivateUser"]["user"] == {"id": member.id, "active": False}
    login = await gql(client, LOGIN, {"email": member.email, "password": TEST_PASSWORD})
    assert login["data"]["login"]["code"] == "INVALID_CREDENTIALS"
    write = await gql(
        client,
        'mutation { createCustomer(input: {name: "X"}) { '
        "... on MutationError { code } ... on CustomerSuccess { customer { id } } } }",
        None,
        member,
    )
    assert write["data"]["createCustomer"] == {"code": "UNAUTHENTICATED"}
    records, _, _ = clean_db.execute_query("MATCH (c:Customer) RETURN count(c)")
    assert records[0][0] == 0


async def test_admin_cannot_deactivate_themselves(client: httpx.AsyncClient, admin: Person) -> None:
    answer = await gql(client, DEACTIVATE_USER, {"id": admin.id}, admin)
    assert answer["data"]["deactivateUser"]["field"] == "id"


async def test_update_user_changes_role_and_reactivates(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    person = make_user(clean_db, active=False)
    answer = await gql(
        client, UPDATE_USER, {"id": person.id, "input": {"role": "MANAGER", "active": True}}, admin
    )
    assert answer["data"]["updateUser"]["user"] == {
        "id": person.id,
        "role": "MANAGER",
        "active": True,
    }


async def test_handles_from_e_mails_never_clash(client: httpx.AsyncClient, admin: Person) -> None:
    handles = []
    for domain in ("one.example", "two.example", "three.example"):
        given = {"email": f"dana@{domain}", "name": "Dana", "password": "long enough!"}
        answer = await gql(client, CREATE_USER, {"input": given}, admin)
        handles.append(answer["data"]["createUser"]["user"]["handle"])
    chosen = await gql(
        client,
        CREATE_USER,
        {
            "input": {
                "email": "d@x.example",
                "name": "D",
                "password": "long enough!",
                "handle": "dana",
            }
        },
        admin,
    )
    assert handles == ["dana", "dana-2", "dana-3"]
    assert chosen["data"]["createUser"] == {
        "__typename": "MutationError",
        "code": "CONFLICT",
        "field": "handle",
        "message": "Another record already has this handle.",
    }


def test_a_token_read_before_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a token that has been accepted, so it is known
    token, expires = issue(Viewer("usr_1", Role.MEMBER), TEST_SECRET, 60)
    assert tokens.read(token, TEST_SECRET) == Viewer("usr_1", Role.MEMBER)

    # when: its time is up
    later = expires.timestamp() + 1
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(jwt.api_jwt, "datetime", _frozen(later))

    # then
    with pytest.raises(tokens.TokenProblem, match="expired"):
        tokens.read(token, TEST_SECRET)
    with pytest.raises(tokens.TokenProblem, match="not valid"):
        tokens.read(token, "another key of at least thirty-two characters")


def _frozen(timestamp: float) -> type[datetime]:
    """`datetime` whose `now` is `timestamp`, for PyJWT's expiry check."""

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Frozen:
            return cls.fromtimestamp(timestamp, tz)

    return Frozen
