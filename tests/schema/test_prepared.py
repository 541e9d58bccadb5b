"""Prepared queries: the benchmark's questions and a query sent over GET are answered
without Strawberry's full path when prepared queries are on, and through it when they are
off, the same answer either way and one statement per root field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from neo4j import AsyncDriver

from bench.questions import QUESTIONS
from kesher.schema.schema import KesherSchema
from kesher.seeds.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
from kesher.settings import Settings
from tests.conftest import CypherCalls, gql

pytestmark = pytest.mark.anyio

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { ... on LoginSuccess { token } }
}
"""
IDS = "{ me { id } customers(first: 30) { edges { node { id } } } }"
COSTLY = """
{ customers(first: 100) { edges { node { contacts(first: 100) { edges { node {
  customer { contacts(first: 100) { edges { node { id } } } }
} } } } } } }
"""


class FullPath:
    """Counts the requests that went the full way, through the schema's `execute`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original: Callable[..., Any] = KesherSchema.execute

        async def counted(schema: KesherSchema, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(schema, *args, **kwargs)

        monkeypatch.setattr(KesherSchema, "execute", counted)


@pytest.fixture
async def token(client: httpx.AsyncClient, driver: AsyncDriver, database: str) -> str:
    assert await seed_demo(driver, database, customers=30)
    answer = await gql(client, LOGIN, {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    signed_in: str = answer["data"]["login"]["token"]
    return signed_in


def _variables(key: str, me: str, customers: list[str]) -> dict[str, Any]:
    samples: dict[str, dict[str, Any]] = {
        "map2": {"id": customers[0]},
        "map3": {"id": customers[0]},
        "card": {"id": customers[0]},
        "path": {"fromId": customers[0], "toId": customers[1]},
        "calendar": {
            "users": [me],
            "from": "2026-03-01T00:00:00Z",
            "to": "2026-04-01T00:00:00Z",
        },
        "activity_list": {"owner": me},
    }
    return samples[key]


async def test_the_benchmark_questions_take_the_prepared_path_when_it_is_on(
    client: httpx.AsyncClient,
    token: str,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    cypher_calls: CypherCalls,
) -> None:
    # given
    headers = {"Authorization": f"Bearer {token}"}
    ids = (await client.post("/graphql", json={"query": IDS}, headers=headers)).json()["data"]
    customers = [edge["node"]["id"] for edge in ids["customers"]["edges"]]
    full = FullPath(monkeypatch)

    for question in QUESTIONS:
        body = {
            "query": question.kesher,
            "variables": _variables(question.key, ids["me"]["id"], customers),
        }
        # The first ask plans the statement in Neo4j (and may read the catalog's keys).
        await client.post("/graphql", json=body, headers=headers)
        cypher_calls.count = 0

        # when: asked again, as a client asks the same document
        again = (await client.post("/graphql", json=body, headers=headers)).json()

        # then: an answer from one statement, and the full path only when chosen
        assert "errors" not in again, (question.key, again)
        assert again["extensions"]["cost"]["requested"] > 0
        assert cypher_calls.count == 1, question.key
    assert full.count == (0 if settings.compiled_queries else 2 * len(QUESTIONS))


async def test_a_query_over_get_takes_the_prepared_path_and_a_costly_one_is_refused(
    client: httpx.AsyncClient, token: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    headers = {"Authorization": f"Bearer {token}"}
    full = FullPath(monkeypatch)

    # when
    got = await client.get("/graphql", params={"query": IDS}, headers=headers)
    costly = await client.post(
        "/graphql",
        json={"query": COSTLY},
        headers={**headers, "Accept": "application/graphql-response+json"},
    )

    # then: the costly one is refused the same way on both paths, before anything runs
    assert got.status_code == 200
    assert got.json()["data"]["customers"]["edges"]
    assert costly.status_code == 400
    assert [e["extensions"]["code"] for e in costly.json()["errors"]] == ["QUERY_TOO_COSTLY"]
    assert "data" not in costly.json()
    assert full.count == (1 if settings.compiled_queries else 2)
