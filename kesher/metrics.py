"""Prometheus metrics, served at `/metrics`: GraphQL requests by operation type and outcome,
latency by root field, time spent in Neo4j, errors by `extensions.code` and the operations
open over WebSocket. Each request also gets an access log line with its operation and
duration.

Every metric lives in the app's own registry, so apps made side by side (tests) do not
share counts. With several uvicorn workers each worker counts its own requests.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kesher.codes import Code

access_log = logging.getLogger("kesher.access")

GRAPHQL_PATH = "/graphql"

# Outcomes of a GraphQL request.
OK = "ok"  # answered without errors
ERROR = "error"  # executed; the answer carries field errors
REFUSED = "refused"  # refused before execution: syntax, validation, transport
FAILED = "failed"  # the service failed (INTERNAL, SERVICE_UNAVAILABLE)

_FAILURES = frozenset({Code.INTERNAL, Code.SERVICE_UNAVAILABLE})
# The label of an error that carries no `extensions.code`.
NO_CODE = "NONE"

# Latency buckets in seconds: most reads answer in a few milliseconds.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The service's instruments, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "kesher_graphql_requests",
            "GraphQL requests over HTTP, by operation type and outcome "
            "(ok, error, refused, failed).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.root_field_seconds = Histogram(
            "kesher_graphql_root_field_duration_seconds",
            "Time to resolve and complete one root field of a GraphQL operation.",
            ["operation", "root_field"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "kesher_graphql_request_duration_seconds",
            "Time to answer a GraphQL request over HTTP, by operation type.",
            ["operation"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.neo4j_seconds = Histogram(
            "kesher_neo4j_duration_seconds",
            "Time in Neo4j driver calls: a read statement, or a whole write transaction.",
            ["access"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "kesher_graphql_errors",
            "GraphQL errors in answers, by extensions.code.",
            ["code"],
            registry=self.registry,
        )
        self.open_operations = Gauge(
            "kesher_graphql_websocket_operations_open",
            "GraphQL operations open over WebSocket: subscriptions (a query or mutation "
            "sent there closes once answered).",
            registry=self.registry,
        )

    def neo4j_call(self, access: str, seconds: float) -> None:
        self.neo4j_seconds.labels(access).observe(seconds)


@dataclass
class Exchange:
    """What is known of the request being served, for its counts and its access line."""

    metrics: Metrics
    operation_type: str = "unknown"
    operation_name: str | None = None
    outcome: str | None = None
    error_codes: list[str] = field(default_factory=list)


exchange: ContextVar[Exchange | None] = ContextVar("exchange", default=None)


def note_operation(operation_type: str, operation_name: str | None) -> None:
    """Tells the current request which operation it runs."""
    current = exchange.get()
    if current is not None:
        current.operation_type = operation_type
        current.operation_name = operation_name


def note_answer(answer: Mapping[str, object]) -> None:
    """Tells the current request the GraphQL answer it gives."""
    current = exchange.get()
    if current is None:
        return
    errors = answer.get("errors")
    codes: list[str] = []
    if isinstance(errors, list):
        for error in errors:
            extensions = error.get("extensions") if isinstance(error, Mapping) else None
            code = extensions.get("code") if isinstance(extensions, Mapping) else None
            codes.append(code if isinstance(code, str) else NO_CODE)
    current.error_codes = codes
    if not codes:
        current.outcome = OK
    elif _FAILURES.intersection(codes):
        current.outcome = FAILED
    elif "data" in answer:
        current.outcome = ERROR
    else:
        current.outcome = REFUSED


def root_field_done(operation: str, name: str, seconds: float) -> None:
    current = exchange.get()
    if current is not None:
        current.metrics.root_field_seconds.labels(operation, name).observe(seconds)


@contextmanager
def open_operation() -> Iterator[None]:
    """Counts a WebSocket operation as open while the block runs."""
    current = exchange.get()
    if current is None:
        yield
        return
    gauge = current.metrics.open_operations
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


class ObservedRequests:
    """Counts and times each GraphQL request and writes every HTTP request's access line."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        current = Exchange(self.metrics)
        token = exchange.set(current)
        if scope["type"] == "websocket":
            try:
                await self.app(scope, receive, send)
            finally:
                exchange.reset(token)
            return
        status = 500
        started = time.perf_counter()

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            exchange.reset(token)
            self._record(scope, current, status, seconds)

    def _record(self, scope: Scope, current: Exchange, status: int, seconds: float) -> None:
        path: str = scope["path"]
        if path == GRAPHQL_PATH and (current.outcome is not None or status >= 400):
            outcome = current.outcome or (REFUSED if status < 500 else FAILED)
            self.metrics.requests.labels(current.operation_type, outcome).inc()
            self.metrics.request_seconds.labels(current.operation_type).observe(seconds)
            for code in current.error_codes:
                self.metrics.errors.labels(code).inc()
        duration_ms = round(seconds * 1000, 3)
        access_log.info(
            "%s %s %d %.1f ms%s",
            scope["method"],
            path,
            status,
            duration_ms,
            f" operation={current.operation_name}" if current.operation_name else "",
            extra={
                "method": scope["method"],
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "operation_type": current.operation_type,
                "operation_name": current.operation_name,
            },
        )


async def exposition(request: Request) -> Response:
    """The metrics in Prometheus' text format; with `KESHER_METRICS_TOKEN` set, only to a
    caller that sends it as a bearer token."""
    expected = request.app.state.settings.metrics_token
    if expected is not None:
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), expected.get_secret_value().encode()
        ):
            return PlainTextResponse(
                "The metrics need 'Authorization: Bearer <KESHER_METRICS_TOKEN>'.",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    metrics: Metrics = request.app.state.metrics
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
