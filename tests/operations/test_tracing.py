"""OpenTelemetry tracing: a span per request, a child span per Cypher statement; on only
when an OTLP endpoint is named."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from neo4j import Driver
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from kesher import tracing
from kesher.app import create_app
from kesher.graph import driver as graph_driver
from kesher.settings import Settings
from tests.conftest import Person, gql

pytestmark = pytest.mark.anyio

ME = "query { me { id name } }"
CREATE_CUSTOMER = 'mutation { createCustomer(input: {name: "Acme"}) { __typename } }'


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def traced(
    settings: Settings, clean_db: Driver, exporter: InMemorySpanExporter
) -> AsyncIterator[httpx.AsyncClient]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(settings, tracer_provider=provider)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http
    provider.shutdown()


async def test_a_request_span_holds_a_span_per_cypher_statement(
    traced: httpx.AsyncClient, member: Person, exporter: InMemorySpanExporter
) -> None:
    # when
    read = await gql(traced, ME, person=member)
    written = await gql(traced, CREATE_CUSTOMER, person=member)

    # then
    assert "errors" not in read
    assert "errors" not in written
    spans = exporter.get_finished_spans()
    requests = [span for span in spans if span.kind is SpanKind.SERVER]
    statements = [span for span in spans if span.name == "neo4j"]
    assert len(requests) == 2
    assert len(statements) >= 2
    for request in requests:
        assert request.attributes is not None
        assert request.parent is None
        children = [
            span
            for span in statements
            if span.parent is not None and span.parent.span_id == request.context.span_id
        ]
        assert children, "each request has its statements as children"
        for child in children:
            assert child.kind is SpanKind.CLIENT
            assert child.context.trace_id == request.context.trace_id
            assert child.attributes is not None
            assert child.attributes["db.system"] == "neo4j"
            statement = str(child.attributes["db.statement"])
            assert "MATCH" in statement or "CREATE" in statement or "MERGE" in statement


async def test_statements_are_not_traced_without_tracing(
    client: httpx.AsyncClient, member: Person
) -> None:
    # when
    await gql(client, ME, person=member)

    # then
    assert graph_driver._tracer is None


def test_tracing_is_on_only_when_an_otlp_endpoint_is_named() -> None:
    assert tracing.provider_from_environment({}) is None
    provider = tracing.provider_from_environment(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
    )
    assert isinstance(provider, TracerProvider)
    assert provider.resource.attributes["service.name"] == "kesher"
    provider.shutdown()
