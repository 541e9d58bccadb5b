"""Readiness: /readyz answers 503 with a reason, in its own short time, when Neo4j does
not answer, instead of hanging as long as the driver retries."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import neo4j
import pytest
from neo4j import Driver

from kesher.app import create_app
from kesher.graph.driver import Graph
from kesher.graph.launcher import free_port
from kesher.settings import Settings

pytestmark = pytest.mark.anyio

TIMEOUT = 1.0


@pytest.fixture
async def app_client(settings: Settings, clean_db: Driver) -> AsyncIterator[httpx.AsyncClient]:
    short = settings.model_copy(update={"readiness_timeout_seconds": TIMEOUT})
    app = create_app(short)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word, as a hung Neo4j does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@contextlib.asynccontextmanager
async def _pointed_at(client: httpx.AsyncClient, uri: str) -> AsyncIterator[None]:
    """Points the running app at a Neo4j address where nothing answers."""
    app = client._transport.app  # type: ignore[attr-defined]
    async with neo4j.AsyncGraphDatabase.driver(uri, auth=("neo4j", "wrong")) as gone:
        app.state.graph = Graph(gone, "neo4j", 10.0)
        yield


async def _ready(client: httpx.AsyncClient) -> tuple[httpx.Response, float]:
    began = time.monotonic()
    response = await client.get("/readyz")
    return response, time.monotonic() - began


async def test_ready_while_neo4j_answers(app_client: httpx.AsyncClient) -> None:
    response, _ = await _ready(app_client)
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_not_ready_at_once_when_neo4j_is_down(app_client: httpx.AsyncClient) -> None:
    # given Neo4j's port is closed
    async with _pointed_at(app_client, f"bolt://127.0.0.1:{free_port()}"):
        # when
        response, took = await _ready(app_client)

    # then 503 with the reason, well before the driver's 30 s of retries end
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["neo4j"]
    assert took < 10.0


async def test_not_ready_in_its_own_time_when_neo4j_hangs(
    app_client: httpx.AsyncClient, silent_port: int
) -> None:
    # given Neo4j accepts connections and never answers
    async with _pointed_at(app_client, f"bolt://127.0.0.1:{silent_port}"):
        # when
        response, took = await _ready(app_client)

    # then 503 after the readiness timeout, saying so
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "neo4j": f"Neo4j did not answer within {TIMEOUT:g} s",
    }
    assert took < 10.0
