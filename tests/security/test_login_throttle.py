"""Login is throttled per account and per client address: an attempt over either limit of
failed sign-ins is refused with TOO_MANY_ATTEMPTS and how long to wait, without its
password being checked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from neo4j import Driver
from pydantic import ValidationError

from kesher.app import create_app
from kesher.passwords import verify_password
from kesher.resolvers import auth
from kesher.settings import Settings
from tests.conftest import TEST_PASSWORD, Person, make_user
from tests.redis_support import redis_url  # noqa: F401  (a fixture)
from tests.resolvers.test_auth import LOGIN

pytestmark = pytest.mark.anyio

Clients = Callable[[str], httpx.AsyncClient]


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[Clients]:
    """The real ASGI app, lifespan included, and a client for it from any address."""
    app = create_app(settings)
    async with app.router.lifespan_context(app), AsyncExitStack() as clients:

        def client(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            http = httpx.AsyncClient(transport=transport, base_url="http://kesher.test")
            clients.push_async_callback(http.aclose)
            return http

        yield client


@pytest.fixture
async def app_from(settings: Settings, clean_db: Driver) -> AsyncIterator[Clients]:
    async with serving(settings) as clients:
        yield clients


async def login(
    client: httpx.AsyncClient, email: str, password: str
) -> tuple[dict[str, Any], httpx.Response]:
    response = await client.post(
        "/graphql", json={"query": LOGIN, "variables": {"email": email, "password": password}}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer, response


def outcome(answer: dict[str, Any]) -> str:
    """`LoginSuccess`, a refusal's code, or the code of the GraphQL error."""
    if answer.get("errors"):
        return str(answer["errors"][0]["extensions"]["code"])
    login = answer["data"]["login"]
    return str(login["__typename"] if login["__typename"] == "LoginSuccess" else login["code"])


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The password hashes checked, in order."""
    checked: list[str] = []

    def counted(stored: str, password: str) -> bool:
        checked.append(stored)
        return verify_password(stored, password)

    monkeypatch.setattr(auth, "verify_password", counted)
    return checked


async def test_an_account_is_refused_after_five_failures_even_with_the_right_password(
    app_from: Clients, member: Person, hashed: list[str]
) -> None:
    client = app_from("10.0.0.1")
    # given five wrong guesses, the e-mail written in several ways
    for email in (member.email, member.email.upper(), f" {member.email} ", *[member.email] * 2):
        answer, _ = await login(client, email, "wrong")
        assert outcome(answer) == "INVALID_CREDENTIALS"
    assert len(hashed) == 5

    # when the right password comes next
    answer, response = await login(client, member.email, TEST_PASSWORD)

    # then it is refused, saying how long to wait, and no password was checked
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "TOO_MANY_ATTEMPTS"
    wait = error["extensions"]["retryAfterSeconds"]
    assert 1 <= wait <= 60
    assert error["message"] == (
        f"Too many failed sign-ins for this account; try again in {wait} seconds."
    )
    assert response.headers["retry-after"] == str(wait)
    assert len(hashed) == 5


async def test_concurrent_guesses_get_no_more_than_the_limit(
    app_from: Clients, member: Person, hashed: list[str]
) -> None:
    client = app_from("10.0.0.1")
    answers = await asyncio.gather(*(login(client, member.email, "wrong") for _ in range(10)))
    outcomes = sorted(outcome(answer) for answer, _ in answers)
    assert outcomes == ["INVALID_CREDENTIALS"] * 5 + ["TOO_MANY_ATTEMPTS"] * 5
    assert len(hashed) == 5


async def test_another_accounts_failures_do_not_block_a_login(
    app_from: Clients, member: Person, admin: Person
) -> None:
    client = app_from("10.0.0.1")
    for _ in range(6):
        await login(client, member.email, "wrong")

    answer, _ = await login(client, admin.email, TEST_PASSWORD)

    assert outcome(answer) == "LoginSuccess"


async def test_a_successful_login_gives_the_accounts_attempts_back(
    app_from: Clients, member: Person
) -> None:
    client = app_from("10.0.0.1")
    for _ in range(4):
        await login(client, member.email, "wrong")
    assert outcome((await login(client, member.email, TEST_PASSWORD))[0]) == "LoginSuccess"

    later = [outcome((await login(client, member.email, "wrong"))[0]) for _ in range(5)]

    assert later == ["INVALID_CREDENTIALS"] * 5


async def test_an_address_is_refused_after_its_failures_on_any_accounts(
    settings: Settings, clean_db: Driver, hashed: list[str]
) -> None:
    # given an address limit of three failures a minute, and four users
    people = [make_user(clean_db, name=f"User {n}") for n in range(4)]
    limited = settings.model_copy(update={"login_attempts_per_address": "3/minute"})
    async with serving(limited) as app_from:
        guessing, elsewhere = app_from("10.0.0.1"), app_from("10.0.0.2")
        for person in people[:3]:
            assert outcome((await login(guessing, person.email, "wrong"))[0]) == (
                "INVALID_CREDENTIALS"
            )

        # when a fourth user signs in correctly from the same address, and from another
        answer, response = await login(guessing, people[3].email, TEST_PASSWORD)
        other, _ = await login(elsewhere, people[3].email, TEST_PASSWORD)

    # then the first is refused, unchecked, and the second signs in
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "TOO_MANY_ATTEMPTS"
    assert "from this address" in error["message"]
    assert response.headers["retry-after"] == str(error["extensions"]["retryAfterSeconds"])
    assert outcome(other) == "LoginSuccess"
    assert len(hashed) == 4


async def test_successes_do_not_count_against_an_address(
    settings: Settings, clean_db: Driver
) -> None:
    person = make_user(clean_db)
    limited = settings.model_copy(update={"login_attempts_per_address": "2/minute"})
    async with serving(limited) as app_from:
        office = app_from("10.0.0.1")
        outcomes = [outcome((await login(office, person.email, TEST_PASSWORD))[0]) for _ in "abc"]
    assert outcomes == ["LoginSuccess"] * 3


async def test_failures_are_counted_across_processes_sharing_redis(
    settings: Settings,
    clean_db: Driver,
    member: Person,
    redis_url: str,  # noqa: F811
) -> None:
    shared = settings.model_copy(update={"rate_limit_storage": redis_url})
    async with serving(shared) as first, serving(shared) as second:
        for _ in range(5):
            await login(first("10.0.0.1"), member.email, "wrong")

        answer, _ = await login(second("10.0.0.1"), member.email, TEST_PASSWORD)

    assert outcome(answer) == "TOO_MANY_ATTEMPTS"


@pytest.mark.parametrize("field", ["login_attempts_per_account", "login_attempts_per_address"])
def test_a_limit_that_is_not_a_rate_is_refused_at_startup(field: str) -> None:
    with pytest.raises(ValidationError, match="is not a rate such as '5/minute'"):
        Settings.model_validate({field: "often"})
