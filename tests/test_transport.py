"""GraphQL over HTTP: media types and their status codes, GET for queries only, refusal of
requests a page on another site could send, subscriptions pointed to the WebSocket, and a
database out of reach."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.app import create_app
from kesher.graph.launcher import free_port
from kesher.settings import Settings
from tests.conftest import Person

pytestmark = pytest.mark.anyio

GRAPHQL_RESPONSE = "application/graphql-response+json"
ME = "{ me { id } }"
CREATE_CUSTOMER = 'mutation { createCustomer(input: {name: "Acme"}) { __typename } }'
SUBSCRIBE = "subscription { myNotifications { id } }"


@pytest.fixture(params=[True, False], ids=["prepared", "full"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Each test runs with queries answered as prepared queries and the full way."""
    return settings.model_copy(update={"compiled_queries": request.param})


def _customers(driver: Driver) -> int:
    records, _, _ = driver.execute_query("MATCH (c:Customer) RETURN count(c)")
    count: int = records[0][0]
    return count


async def test_graphql_response_json_is_answered_to_clients_that_accept_it(
    client: httpx.AsyncClient, member: Person
) -> None:
    # when
    answer = await client.post(
        "/graphql", json={"query": ME}, headers={**member.headers, "Accept": GRAPHQL_RESPONSE}
    )
    legacy = await client.post(
        "/graphql",
        json={"query": ME},
        headers={**member.headers, "Accept": "application/json"},
    )

    # then
    assert answer.status_code == 200
    assert answer.headers["content-type"] == GRAPHQL_RESPONSE
    assert answer.json()["data"] == {"me": {"id": member.id}}
    assert legacy.headers["content-type"] == "application/json"
    assert legacy.json() == answer.json()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"query": "{ me { id "}, "Syntax Error"),
        ({"query": "{ me { nonsense } }"}, "Cannot query field 'nonsense'"),
        (
            {"query": "query($id: ID!) { customer(id: $id) { id } }", "variables": {"id": None}},
            "Variable '$id' has invalid value",
        ),
        (
            {"query": "query A { me { id } } query B { me { id } }"},
            "operationName: the document has 2",
        ),
    ],
)
async def test_a_request_that_fails_before_execution_is_400_with_graphql_response_json(
    client: httpx.AsyncClient, member: Person, body: dict[str, Any], message: str
) -> None:
    # when
    strict = await client.post(
        "/graphql", json=body, headers={**member.headers, "Accept": GRAPHQL_RESPONSE}
    )
    legacy = await client.post(
        "/graphql", json=body, headers={**member.headers, "Accept": "application/json"}
    )

    # then: no data entry, since nothing was executed; 200 for application/json clients
    assert (strict.status_code, legacy.status_code) == (400, 200), strict.text
    assert strict.headers["content-type"] == GRAPHQL_RESPONSE
    assert "data" not in strict.json()
    assert message in strict.json()["errors"][0]["message"]
    assert legacy.json() == strict.json()


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        ('{"query": "{ me ', {}, "Unable to parse request body as JSON"),
        ('{"query": 1}', {}, "`query` must be a string"),
        ('{"query": "{ me { id } }", "operationName": 7}', {}, "operationName: must be"),
        ('{"query": "{ me { id } }", "variables": "x"}', {}, "`variables` must be an object"),
        ("{}", {}, "query: the request has no GraphQL document."),
    ],
)
async def test_a_request_that_is_not_graphql_is_400_in_both_media_types(
    client: httpx.AsyncClient,
    member: Person,
    content: str,
    headers: dict[str, str],
    message: str,
) -> None:
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        # when
        response = await client.post(
            "/graphql",
            content=content,
            headers={
                **member.headers,
                "Content-Type": "application/json",
                "Accept": accept,
                **headers,
            },
        )

        # then
        assert response.status_code == 400
        assert response.headers["content-type"] == accept
        (error,) = response.json()["errors"]
        assert message in error["message"]
        assert error["extensions"] == {"code": "BAD_REQUEST"}


async def test_queries_are_answered_over_get(client: httpx.AsyncClient, member: Person) -> None:
    # when
    response = await client.get(
        "/graphql",
        params={
            "query": "query Me($x: Boolean!) { me @include(if: $x) { id } }",
            "variables": '{"x": true}',
        },
        headers={**member.headers, "Accept": GRAPHQL_RESPONSE},
    )

    # then
    assert response.status_code == 200
    assert response.json()["data"] == {"me": {"id": member.id}}


async def test_a_mutation_over_get_is_405_and_changes_nothing(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        # when
        response = await client.get(
            "/graphql",
            params={"query": CREATE_CUSTOMER},
            headers={**member.headers, "Accept": accept},
        )

        # then
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert response.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
        assert "POST" in response.json()["errors"][0]["message"]
    assert _customers(clean_db) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://elsewhere.example"},
    ],
)
async def test_a_query_over_get_from_another_site_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    # when: what a page elsewhere can make a browser send, with no header of its own
    refused = await client.get("/graphql", params={"query": "{ __typename }"}, headers=headers)
    preflighted = await client.get(
        "/graphql",
        params={"query": "{ __typename }"},
        headers={**headers, "GraphQL-Require-Preflight": "1"},
    )

    # then
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert error["extensions"] == {"code": "CROSS_SITE_REQUEST"}
    assert "GraphQL-Require-Preflight" in error["message"]
    assert preflighted.json()["data"] == {"__typename": "Query"}


async def test_queries_over_get_from_this_site_or_no_browser_are_answered(
    client: httpx.AsyncClient,
) -> None:
    for headers in [
        {},
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://kesher.test"},
        {"X-Requested-With": "XMLHttpRequest", "Sec-Fetch-Site": "cross-site"},
    ]:
        response = await client.get("/graphql", params={"query": "{ __typename }"}, headers=headers)
        assert response.json()["data"] == {"__typename": "Query"}, headers


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        (
            "text/plain",
            '{"query": "mutation { login(email: \\"a@b.c\\", password: \\"x\\") { __typename } }"}',
        ),
        ("application/x-www-form-urlencoded", "query=mutation%20%7B%20__typename%20%7D"),
        (None, '{"query": "{ __typename }"}'),
    ],
)
async def test_a_post_a_form_could_send_is_refused(
    client: httpx.AsyncClient, content_type: str | None, content: str
) -> None:
    # when
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/graphql", content=content, headers=headers)

    # then
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "CROSS_SITE_REQUEST"}


async def test_a_subscription_over_http_says_where_subscriptions_are_served(
    client: httpx.AsyncClient, member: Person
) -> None:
    # when
    posted = await client.post(
        "/graphql",
        json={"query": SUBSCRIBE},
        headers={**member.headers, "Accept": GRAPHQL_RESPONSE},
    )
    got = await client.get("/graphql", params={"query": SUBSCRIBE}, headers={**member.headers})

    # then
    assert posted.status_code == 400
    assert got.status_code == 200  # application/json: a GraphQL error, in a 200
    for response in (posted, got):
        (error,) = response.json()["errors"]
        assert "data" not in response.json()
        assert "WebSocket" in error["message"]
        assert "graphql-transport-ws" in error["message"]
        assert "/graphql" in error["message"]
        assert error["extensions"] == {"code": "SUBSCRIPTION_OVER_HTTP"}


class _Proxy:
    """A TCP proxy in front of Neo4j's Bolt port, to cut the database off from the app."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.target_port
        )
        self._writers += [writer, upstream_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while chunk := await source.read(65536):
                    sink.write(chunk)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    async def cut(self) -> None:
        """Stops listening and drops every connection, as a database gone away would."""
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        await self._server.wait_closed()


@contextlib.asynccontextmanager
async def _behind_proxy(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, _Proxy]]:
    assert settings.neo4j_uri is not None
    port = int(settings.neo4j_uri.rsplit(":", 1)[1])
    proxy = _Proxy(port)
    await proxy.start()
    app = create_app(settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{proxy.port}"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http, proxy


async def test_queries_and_mutations_say_when_the_database_is_out_of_reach(
    settings: Settings, member: Person, clean_db: Driver
) -> None:
    async with _behind_proxy(settings) as (http, proxy):
        # given: the app answered through the proxy, then the database went away
        first = await http.post("/graphql", json={"query": ME}, headers=member.headers)
        assert first.json()["data"] == {"me": {"id": member.id}}
        await proxy.cut()

        for document in (ME, CREATE_CUSTOMER):
            # when
            response = await http.post(
                "/graphql",
                json={"query": document},
                headers={**member.headers, "Accept": GRAPHQL_RESPONSE, "X-Request-ID": "r-1"},
            )

            # then: execution began, so 200 with the field's error
            assert response.status_code == 200
            (error,) = response.json()["errors"]
            assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "requestId": "r-1"}
            assert error["message"] == (
                "The database cannot be reached right now; try again in a moment."
            )
    assert _customers(clean_db) == 0
