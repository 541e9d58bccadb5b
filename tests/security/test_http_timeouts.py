"""Slow clients cannot hold the service's connections: the live server closes a
connection whose request headers or body do not arrive in time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from neo4j import Driver

from kesher.settings import Settings
from tests.live import Live, serving

pytestmark = pytest.mark.anyio

HEADER_SECONDS = 1.0
BODY_SECONDS = 1.0
# Far longer than the timeouts, far shorter than the time a slow client would hold on.
WAIT = 15.0


@pytest.fixture
async def quick(settings: Settings, clean_db: Driver) -> AsyncIterator[Live]:
    short = settings.model_copy(
        update={
            "http_header_timeout_seconds": HEADER_SECONDS,
            "http_body_timeout_seconds": BODY_SECONDS,
        }
    )
    async with serving(short) as instance:
        yield instance


async def _connect(live: Live) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = live.url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def _until_closed(reader: asyncio.StreamReader) -> bytes:
    """What the server sent before it closed the connection."""
    return await asyncio.wait_for(reader.read(), WAIT)


async def test_a_client_that_trickles_its_headers_is_cut_off(quick: Live) -> None:
    # given a client sending its headers a few bytes at a time, never finishing
    reader, writer = await _connect(quick)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: kesher\r\n")

    async def trickle() -> None:
        for _ in range(int(WAIT * 4)):
            await asyncio.sleep(0.25)
            writer.write(b"X-Slow: 1\r\n")
            await writer.drain()

    trickling = asyncio.create_task(trickle())
    try:
        # then the server answers 408 and closes the connection
        answer = await _until_closed(reader)
        assert answer.startswith(b"HTTP/1.1 408 ")
    finally:
        trickling.cancel()
        writer.close()
    # and other clients are served as before
    assert (await quick.http.get("/healthz")).status_code == 200


async def test_a_connection_that_sends_nothing_is_closed(quick: Live) -> None:
    reader, writer = await _connect(quick)
    try:
        answer = await _until_closed(reader)
        assert answer.startswith(b"HTTP/1.1 408 ")
    finally:
        writer.close()


async def test_a_stalled_body_is_cut_off(quick: Live) -> None:
    # given a request that promises 1000 bytes of body and sends 10
    reader, writer = await _connect(quick)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: kesher\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n" + b'{"query":"'
    )
    try:
        # then the connection is closed
        await _until_closed(reader)
        assert reader.at_eof()
    finally:
        writer.close()


async def test_requests_sent_in_time_are_served_on_a_kept_alive_connection(
    quick: Live,
) -> None:
    reader, writer = await _connect(quick)
    try:
        for _ in range(2):
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: kesher\r\n\r\n")
            status = await asyncio.wait_for(reader.readline(), WAIT)
            assert status.startswith(b"HTTP/1.1 200 ")
            await asyncio.wait_for(reader.readuntil(b'{"status":"ok"}'), WAIT)
            await asyncio.sleep(HEADER_SECONDS * 1.5)  # idle, within keep-alive
    finally:
        writer.close()
