"""Structured logs: JSON lines that carry the request id, and the access line with the
operation and its duration."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.app import create_app
from kesher.settings import Settings
from tests.conftest import Person

pytestmark = pytest.mark.anyio

ME = "query WhoAmI { me { id } }"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """What Kesher's log handler writes, read back; the handler is put back after."""
    logger = logging.getLogger("kesher")
    saved = list(logger.handlers)
    stream = io.StringIO()
    yield stream
    logger.handlers[:] = saved


@pytest.fixture
async def json_client(
    settings: Settings, clean_db: Driver, log_stream: io.StringIO
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"log_format": "json", "log_level": "DEBUG"}))
    for handler in logging.getLogger("kesher").handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(log_stream)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


async def test_a_json_access_line_carries_the_request_id_operation_and_duration(
    json_client: httpx.AsyncClient, member: Person, log_stream: io.StringIO
) -> None:
    # when
    response = await json_client.post(
        "/graphql", json={"query": ME, "operationName": "WhoAmI"}, headers=member.headers
    )

    # then
    request_id = response.headers["x-request-id"]
    [access] = [line for line in _lines(log_stream) if line["logger"] == "kesher.access"]
    assert access["request_id"] == request_id
    assert access["level"] == "INFO"
    assert access["operation_name"] == "WhoAmI"
    assert access["operation_type"] == "query"
    assert access["status"] == 200
    assert access["path"] == "/graphql"
    assert access["duration_ms"] > 0
    assert "time" in access


async def test_every_line_of_a_failed_request_has_the_id_the_answer_quotes(
    json_client: httpx.AsyncClient,
    member: Person,
    log_stream: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: the database read fails unexpectedly
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    app = json_client._transport.app  # type: ignore[attr-defined]
    monkeypatch.setattr(app.state.graph, "rows", broken)
    log_stream.truncate(0)

    # when
    response = await json_client.post("/graphql", json={"query": ME}, headers=member.headers)

    # then
    [error] = response.json()["errors"]
    request_id = error["extensions"]["requestId"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert response.headers["x-request-id"] == request_id
    lines = [line for line in _lines(log_stream) if line["request_id"] == request_id]
    assert {line["logger"] for line in lines} >= {"kesher.errors", "kesher.access"}
    assert all(line["request_id"] == request_id for line in _lines(log_stream))
    [logged] = [line for line in lines if line["logger"] == "kesher.errors"]
    assert logged["level"] == "ERROR"
    assert "boom" in logged["exc_info"]


def test_text_is_the_default_format_and_the_level_is_read_in_any_case() -> None:
    settings = Settings(_env_file=None, log_level="debug")
    assert (settings.log_format, settings.log_level) == ("text", "DEBUG")
