"""The suite's load generator: requests from a few coroutines on one event loop (uvloop),
as many at once as the concurrency, each timed from send to the whole answer read.

HTTP goes through aiohttp with one pooled keep-alive connection per concurrent request:
measured against a server that answers at once, httpx's AsyncClient spent some 0.9 ms of
client CPU a request at concurrency 1 and 2 ms at 16, aiohttp 0.16 and 0.11 ms; on a
machine whose two cores the client shares with the servers that difference is taken
from the servers. Each run also reports the CPU time this process spent per request, so
a table can say what the client cost.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import neo4j
import uvloop
from neo4j import AsyncDriver, Query

from bench.support import DATABASE, Statement

# Called with the index of the request; the caller picks its sample from it.
Call = Callable[[int], Awaitable[object]]


@dataclass(frozen=True)
class Run:
    """The measured requests of one system at one concurrency."""

    latencies: tuple[float, ...]
    wall: float
    client_cpu: float

    def p(self, q: float) -> float:
        """The `q` quantile of the latencies, in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def per_second(self) -> float:
        """Completed requests over the wall time of the run."""
        return len(self.latencies) / self.wall

    @property
    def cpu_ms(self) -> float:
        """This process's CPU time per request, in milliseconds."""
        return self.client_cpu / len(self.latencies) * 1000

    def __add__(self, other: Run) -> Run:
        return Run(
            self.latencies + other.latencies,
            self.wall + other.wall,
            self.client_cpu + other.client_cpu,
        )


async def drive(call: Call, requests: int, concurrency: int, warm_up: int, offset: int = 0) -> Run:
    """`warm_up` unmeasured requests, then `requests` measured ones, `concurrency` at a
    time; request indexes start at `offset`."""
    await _batch(call, range(offset, offset + warm_up), concurrency, None)
    latencies: list[float] = []
    started, cpu = time.perf_counter(), time.process_time()
    measured = range(offset + warm_up, offset + warm_up + requests)
    await _batch(call, measured, concurrency, latencies)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Run(tuple(latencies), wall, cpu)


async def take_turns(
    calls: Mapping[str, Call], requests: int, concurrency: int, warm_up: int, rounds: int
) -> dict[str, Run]:
    """`requests` measured requests of each system, in `rounds` turns of each system
    after the other, so a change in what else the machine does meanwhile falls on all
    of them alike. Each turn starts with unmeasured requests: `warm_up` in the first,
    one per concurrent request later."""
    runs: dict[str, Run] = {}
    offset = 0
    for turn in range(rounds):
        share = requests // rounds + (turn < requests % rounds)
        warm = warm_up if turn == 0 else concurrency
        for name, call in calls.items():
            run = await drive(call, share, concurrency, warm, offset)
            runs[name] = runs[name] + run if name in runs else run
        offset += warm + share
    return runs


async def each_once(call: Call, count: int, concurrency: int) -> None:
    """Requests 0 to `count` - 1, unmeasured."""
    await _batch(call, range(count), concurrency, None)


async def _batch(
    call: Call, indexes: range, concurrency: int, latencies: list[float] | None
) -> None:
    pending = iter(indexes)

    async def worker() -> None:
        # The iterator is shared: each worker takes the next request when it is free.
        for index in pending:
            started = time.perf_counter()
            await call(index)
            if latencies is not None:
                latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(indexes)))))


class LoadError(RuntimeError):
    """A request failed or answered with errors: the figures would be of something else."""


def session(concurrency: int) -> aiohttp.ClientSession:
    """An HTTP client session keeping up to `concurrency` connections alive."""
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    return aiohttp.ClientSession(connector=connector)


async def post(
    http: aiohttp.ClientSession, url: str, body: bytes, headers: Mapping[str, str]
) -> dict[str, Any]:
    """Posts one GraphQL request (`body` already encoded) and returns its answer; a
    failure or an answer with errors is raised."""
    async with http.post(url, data=body, headers=headers) as response:
        payload = await response.read()
        status = response.status
    if status != 200:
        raise LoadError(f"{url}: HTTP {status}: {payload[:500]!r}")
    answer: dict[str, Any] = json.loads(payload)
    if answer.get("errors"):
        raise LoadError(f"{url}: {answer['errors']}")
    return answer


def encoded(document: str, variables: Mapping[str, Any]) -> bytes:
    """A GraphQL request body, encoded once so the load loop does not."""
    return json.dumps({"query": document, "variables": dict(variables)}).encode()


def json_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {"Content-Type": "application/json", **headers}


def http_call(
    http: aiohttp.ClientSession,
    url: str,
    bodies: Sequence[bytes],
    headers: Mapping[str, str],
) -> Call:
    """Request `i` posts body `i` modulo their number."""
    sent = json_headers(headers)

    async def call(index: int) -> None:
        await post(http, url, bodies[index % len(bodies)], sent)

    return call


def raw_call(driver: AsyncDriver, sent: Sequence[Statement]) -> Call:
    """Request `i` runs statement `i` modulo their number straight through the driver, as
    a read with its parameters, all records fetched: in an auto-commit transaction, the
    driver's quickest way (one round trip), as Kesher runs its reads."""

    async def call(index: int) -> None:
        text, params = sent[index % len(sent)]
        async with driver.session(
            database=DATABASE, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            await (await session.run(Query(text), params)).fetch(2**31 - 1)

    return call


def runner() -> asyncio.Runner:
    """One uvloop event loop (the one uvicorn uses too) for the whole suite, so
    connections and drivers outlive a single step."""
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)
