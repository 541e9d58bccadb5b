"""Prometheus metrics at /metrics: requests, latency by root field, Neo4j time, errors by
code; the bearer token that guards them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from neo4j import Driver
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from kesher.app import create_app
from kesher.resolvers.broadcast import record_channel
from kesher.settings import Settings
from tests.conftest import Person, gql
from tests.live import Live
from tests.resolvers.relationships_support import customer
from tests.resolvers.test_subscriptions import RECORD_CHANGED, following, signed_in, subscribe

pytestmark = pytest.mark.anyio

ME = "query Me { me { id name } }"
CUSTOMERS = "query Customers { customers(first: 5) { edges { node { id } } } }"
BROKEN = "query { me { noSuchField } }"
CREATE_CUSTOMER = 'mutation { createCustomer(input: {name: "Acme"}) { __typename } }'


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_latency_neo4j_time_and_errors_are_counted(
    client: httpx.AsyncClient, member: Person
) -> None:
    # given
    assert "errors" not in await gql(client, ME, person=member)
    assert "errors" not in await gql(client, CUSTOMERS, person=member)
    assert "errors" not in await gql(client, CREATE_CUSTOMER, person=member)
    unauthenticated = await gql(client, ME)
    refused = await gql(client, BROKEN, person=member)
    assert unauthenticated["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    refused_code = (refused["errors"][0].get("extensions") or {}).get("code", "NONE")

    # when
    response = await client.get("/metrics")

    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    requests = "kesher_graphql_requests_total"
    assert _value(samples, requests, operation="query", outcome="ok") == 2
    assert _value(samples, requests, operation="mutation", outcome="ok") == 1
    assert _value(samples, requests, operation="query", outcome="error") == 1
    assert _value(samples, requests, operation="query", outcome="refused") == 1
    errors = "kesher_graphql_errors_total"
    assert _value(samples, errors, code="UNAUTHENTICATED") == 1
    assert _value(samples, errors, code=refused_code) == 1
    latency = "kesher_graphql_root_field_duration_seconds_count"
    assert _value(samples, latency, operation="query", root_field="me") == 2
    assert _value(samples, latency, operation="query", root_field="customers") == 1
    assert _value(samples, latency, operation="mutation", root_field="createCustomer") == 1
    assert _value(samples, "kesher_neo4j_duration_seconds_count", access="read") >= 2
    assert _value(samples, "kesher_neo4j_duration_seconds_count", access="write") >= 1
    assert _value(samples, "kesher_graphql_websocket_operations_open") == 0


async def test_a_request_refused_by_the_transport_is_counted_with_its_code(
    client: httpx.AsyncClient,
) -> None:
    # given: a POST a page on another site could have sent
    await client.post("/graphql", content=ME, headers={"Content-Type": "text/plain"})

    # when
    samples = _samples((await client.get("/metrics")).text)

    # then
    assert (
        _value(samples, "kesher_graphql_requests_total", operation="unknown", outcome="refused")
        == 1
    )
    assert _value(samples, "kesher_graphql_errors_total", code="CROSS_SITE_REQUEST") == 1


@pytest.fixture
async def guarded(settings: Settings, clean_db: Driver) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"metrics_token": SecretStr("scrape-secret")}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


async def test_the_metrics_token_is_required_when_set(guarded: httpx.AsyncClient) -> None:
    # when
    without = await guarded.get("/metrics")
    wrong = await guarded.get("/metrics", headers={"Authorization": "Bearer nope"})
    right = await guarded.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})

    # then
    assert without.status_code == 401
    assert without.headers["www-authenticate"] == "Bearer"
    assert "KESHER_METRICS_TOKEN" in without.text
    assert wrong.status_code == 401
    assert right.status_code == 200
    assert "kesher_graphql_requests_total" in right.text


async def _open_operations(live: Live) -> float:
    samples = _samples((await live.http.get("/metrics")).text)
    return _value(samples, "kesher_graphql_websocket_operations_open")


async def test_open_subscriptions_are_gauged_while_they_last(
    live: Live, member: Person, admin: Person
) -> None:
    # given
    acme = await customer(live.http, admin, "Acme Ltd")
    async with signed_in(live, member) as ws:
        # when
        await subscribe(ws, "1", RECORD_CHANGED, {"recordId": acme})
        await following(live, record_channel(acme))

        # then
        assert await _open_operations(live) == 1
        await ws.send(json.dumps({"id": "1", "type": "complete"}))
        for _ in range(100):
            if await _open_operations(live) == 0:
                break
            await asyncio.sleep(0.05)
        assert await _open_operations(live) == 0
