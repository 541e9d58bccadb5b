"""The app served for real by uvicorn on a free port, for clients that speak to a socket:
WebSockets, Node scripts, browsers and third-party GraphQL clients."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from neo4j import Driver
from starlette.applications import Starlette

from kesher.app import create_app
from kesher.graph.launcher import free_port
from kesher.http_protocol import TimedHttpProtocol
from kesher.resolvers.broadcast import Broadcaster
from kesher.settings import Settings

WAIT = 60.0  # seconds: generous, for a busy machine; nothing is timed against it


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the test process keeps its own signal handlers


@dataclass(frozen=True)
class Live:
    """An app instance served for real: its HTTP client and WebSocket address."""

    app: Starlette
    http: httpx.AsyncClient
    url: str
    ws_url: str

    @property
    def broadcaster(self) -> Broadcaster:
        found: Broadcaster = self.app.state.broadcaster
        return found


@contextlib.asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[Live]:
    """The app on a free port, served by uvicorn in this event loop, lifespan included."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="on",
        http=TimedHttpProtocol.for_settings(settings),
        limit_concurrency=settings.http_max_connections,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())

    async def started() -> None:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)

    try:
        await asyncio.wait_for(started(), WAIT)
        address = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=address, timeout=WAIT) as http:
            yield Live(app, http, address, f"ws://127.0.0.1:{port}/graphql")
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def live(settings: Settings, clean_db: Driver) -> AsyncIterator[Live]:
    async with serving(settings) as instance:
        yield instance
