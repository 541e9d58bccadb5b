"""OpenTelemetry tracing, on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: a span per request
(OpenTelemetry's ASGI middleware) with a child span per Cypher statement
(`kesher.graph.driver`), sent over OTLP/HTTP. The exporter reads the other standard
`OTEL_EXPORTER_OTLP_*` variables itself (headers, timeout, compression). Off, nothing of
it runs."""

from __future__ import annotations

import os
from collections.abc import Mapping

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from starlette.applications import Starlette

ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"


def provider_from_environment(environ: Mapping[str, str] = os.environ) -> TracerProvider | None:
    """A tracer provider exporting to the OTLP endpoint the environment names, or None
    when it names none."""
    if not environ.get(ENDPOINT):
        return None
    attributes = {} if environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: "kesher"}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def trace_requests(app: Starlette, provider: TracerProvider) -> None:
    """Wraps the app so that each HTTP request and WebSocket connection is a span."""
    app.add_middleware(
        OpenTelemetryMiddleware,
        tracer_provider=provider,
        exclude_spans=["receive", "send"],
    )
