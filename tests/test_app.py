"""The HTTP surface: health, readiness, request ids, body limits and error masking."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from neo4j import Driver
from strawberry.extensions import ValidationCache

from kesher import app as app_module
from kesher.app import create_app
from kesher.graph import records as graph_records
from kesher.schema.prepared import PreparedQueries
from kesher.settings import Settings
from tests.conftest import Person

pytestmark = pytest.mark.anyio


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    ready = await client.get("/readyz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_not_ready_when_neo4j_is_gone(client: httpx.AsyncClient) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    await app.state.graph.driver.close()
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32


async def test_graphiql_is_served_in_development(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_oversized_body_is_refused_before_anything_runs(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    document = 'mutation($p: String) { createCustomer(input: {name: "Big"}) { __typename } }'
    response = await client.post(
        "/graphql",
        json={"query": document, "variables": {"p": "x" * 1_100_000}},
        headers=member.headers,
    )
    assert response.status_code == 413
    assert "1000000 bytes" in response.json()["errors"][0]["message"]
    records, _, _ = clean_db.execute_query("MATCH (c:Customer) RETURN count(c)")
    assert records[0][0] == 0


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    client: httpx.AsyncClient, member: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a failure the service does not expect
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail the caller must not see")

    monkeypatch.setattr(graph_records, "card", broken)
    handler = _Collect()
    logging.getLogger("kesher.errors").addHandler(handler)

    # when
    try:
        response = await client.post(
            "/graphql",
            json={"query": '{ customer(id: "cus_1") { id } }'},
            headers={**member.headers, "X-Request-ID": "req-42"},
        )
    finally:
        logging.getLogger("kesher.errors").removeHandler(handler)

    # then
    error = response.json()["errors"][0]
    assert "internal detail" not in error["message"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-42"}
    assert any("req-42" in record.getMessage() for record in handler.records)


@pytest.fixture
async def full_path_client(
    settings: Settings, clean_db: Driver
) -> AsyncIterator[httpx.AsyncClient]:
    """The app answering every query the full way through Strawberry, whose extensions'
    hooks a prepared query no longer runs."""
    app = create_app(settings.model_copy(update={"compiled_queries": False}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


async def test_an_error_before_execution_is_masked_and_logged_with_its_traceback(
    full_path_client: httpx.AsyncClient, member: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = full_path_client

    # given: an extension's hook that fails before the operation runs
    def broken(self: ValidationCache) -> Iterator[None]:
        raise RuntimeError("internal detail the caller must not see")
        yield

    monkeypatch.setattr(ValidationCache, "on_validate", broken)
    handler = _Collect()
    logging.getLogger("kesher.errors").addHandler(handler)

    # when
    try:
        response = await client.post(
            "/graphql",
            json={"query": "{ me { id } }"},
            headers={**member.headers, "X-Request-ID": "req-43"},
        )
    finally:
        logging.getLogger("kesher.errors").removeHandler(handler)

    # then
    assert response.json()["errors"] == [
        {
            "message": "Unexpected error; it was logged with request id req-43.",
            "extensions": {"code": "INTERNAL", "requestId": "req-43"},
        }
    ]
    (logged,) = handler.records
    assert logged.levelno == logging.ERROR
    assert "req-43" in logged.getMessage()
    assert logged.exc_info is not None
    assert "internal detail" in str(logged.exc_info[1])


async def test_an_error_before_a_prepared_query_runs_is_masked_and_logged(
    client: httpx.AsyncClient, member: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a query sent once, so the second time it is run as a prepared query, whose
    # costing then fails
    sent = {"query": "{ me { id } }"}
    first = await client.post("/graphql", json=sent, headers=member.headers)
    assert "errors" not in first.json(), first.json()

    def broken(*args: object) -> int:
        raise RuntimeError("internal detail the caller must not see")

    monkeypatch.setattr(PreparedQueries, "cost", broken)
    handler = _Collect()
    logging.getLogger("kesher.errors").addHandler(handler)

    # when
    try:
        response = await client.post(
            "/graphql", json=sent, headers={**member.headers, "X-Request-ID": "req-44"}
        )
    finally:
        logging.getLogger("kesher.errors").removeHandler(handler)

    # then
    assert response.status_code == 500
    assert response.json()["errors"] == [
        {
            "message": "Unexpected error; it was logged with request id req-44.",
            "extensions": {"code": "INTERNAL", "requestId": "req-44"},
        }
    ]
    (logged,) = handler.records
    assert "req-44" in logged.getMessage()
    assert logged.exc_info is not None
    assert "internal detail" in str(logged.exc_info[1])


async def test_an_error_before_the_schema_is_reached_is_masked_and_logged(
    client: httpx.AsyncClient, member: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: reading the bearer token fails unexpectedly
    def broken(*args: object) -> None:
        raise RuntimeError("internal detail the caller must not see")

    monkeypatch.setattr(app_module, "from_header", broken)
    handler = _Collect()
    logging.getLogger("kesher.errors").addHandler(handler)

    # when
    try:
        response = await client.post(
            "/graphql",
            json={"query": "{ me { id } }"},
            headers={**member.headers, "X-Request-ID": "req-44"},
        )
    finally:
        logging.getLogger("kesher.errors").removeHandler(handler)

    # then
    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {
                "message": "Unexpected error; it was logged with request id req-44.",
                "extensions": {"code": "INTERNAL", "requestId": "req-44"},
            }
        ]
    }
    (logged,) = handler.records
    assert "req-44" in logged.getMessage()
    assert logged.exc_info is not None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
