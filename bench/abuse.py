"""`make bench-abuse`: what hostile clients do to everyone else.

Serves the API as `kesher run` does (a Neo4j of its own in `.kesher/abuse-neo4j`, loaded
with generated customers once), then for ABUSE_SECONDS runs at the same time:

- the worst query: a MEMBER's 5 aliases of users > ownedCustomers > activities, 100 each;
- the recurrence bomb: creating a secondly series on 30 February, and reading a week of a
  calendar holding an endless secondly series stored before such rules were refused;
- a slow-header flood: FLOOD connections sending a header line a second, never finishing;

while another client asks `{ me { id } }` every PROBE_EVERY seconds and times it. Prints
that client's p50/p95 (quiet, then under abuse) and what each abuse got. Every request
has a client timeout, so the run ends whether or not the abuse is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from typing import Any

import httpx
import neo4j

from bench.support import DATABASE, SECRET, Timings, bench_neo4j, running, sync_driver
from kesher.graph.launcher import LocalNeo4j, free_port
from kesher.passwords import hash_password
from kesher.seeds.cli import run_seed
from kesher.settings import Settings

CUSTOMERS = 4000
ABUSE_SECONDS = 20.0
FLOOD = 300
PROBE_EVERY = 0.05
PROBE_TIMEOUT = 10.0
ABUSE_TIMEOUT = 40.0
PASSWORD = "abuse bench password"

PROBE = "{ me { id } }"
_LEVEL = """
  users(first: 100) { edges { node { id name
    ownedCustomers(first: 100) { edges { node { id name
      activities(first: 100) { edges { node { id subject description startsAt endsAt } } }
    } } }
  } } }
"""
WORST = "{ " + " ".join(f"a{n}: {_LEVEL}" for n in range(5)) + " }"
CREATE = """
mutation Create($input: CreateActivityInput!) {
  createActivity(input: $input) {
    __typename
    ... on ActivitySuccess { activity { id } }
    ... on MutationError { code field message }
  }
}
"""
CALENDAR = """
query Week($users: [ID!]!) {
  calendar(userIds: $users, from: "2026-03-02T00:00:00Z", to: "2026-03-09T00:00:00Z") {
    truncated occurrences { startsAt }
  }
}
"""
BOMB = "FREQ=SECONDLY;COUNT=2;BYMONTH=2;BYMONTHDAY=30"
STORED = "FREQ=SECONDLY"


@dataclass
class Outcome:
    """What one abusive request got: its HTTP status (or what went wrong), its error code
    and how long it took."""

    status: str
    code: str
    seconds: float

    def __str__(self) -> str:
        return f"{self.status} {self.code} {self.seconds:.2f} s"


@dataclass
class Flood:
    closed_after: list[float] = field(default_factory=list)
    held: int = 0
    refused: int = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--seconds", type=float, default=ABUSE_SECONDS)
    parser.add_argument("--flood", type=int, default=FLOOD)
    parser.add_argument(
        "--without-worst-query",
        action="store_true",
        help="leave the worst query out (it is refused by the cost limit, not by this bench)",
    )
    args = parser.parse_args()
    # A small Neo4j: the figures are about the API's event loop, not the database.
    settings = Settings(_env_file=None, neo4j_heap="1g", neo4j_pagecache="1g")
    neo = bench_neo4j("abuse-neo4j", settings)
    with running(neo):
        member = _prepare(neo, args.customers)
        with _api(neo) as url:
            asyncio.run(
                _measure(url, neo, member, args.seconds, args.flood, not args.without_worst_query)
            )


@dataclass(frozen=True)
class Member:
    id: str
    email: str
    type_id: str
    status_id: str
    customer_id: str


def _prepare(neo: LocalNeo4j, customers: int) -> Member:
    """The generated graph (loaded once), and a MEMBER with a known password."""
    with sync_driver(neo) as driver:
        count = driver.execute_query(
            "MATCH (c:Customer) RETURN count(c) AS n", database_=DATABASE
        ).records[0]["n"]
        if count == 0:
            print(f"loading {customers} generated customers", flush=True)

            async def load() -> None:
                async with neo4j.AsyncGraphDatabase.driver(
                    neo.bolt_uri, auth=(neo.user, neo.password)
                ) as async_driver:
                    await run_seed(async_driver, DATABASE, customers, 1, progress=False)

            asyncio.run(load())
        user_id = f"usr_{secrets.token_hex(12)}"
        now = datetime.now(UTC)
        driver.execute_query(
            "CREATE (u:User {id: $id, email: $email, name: 'Abuse Bench', handle: $id, "
            "role: 'MEMBER', active: true, passwordHash: $hash, createdAt: $now, "
            "updatedAt: $now})",
            id=user_id,
            email=f"{user_id}@example.com",
            hash=hash_password(PASSWORD),
            now=now,
            database_=DATABASE,
        )
        found = driver.execute_query(
            "MATCH (t:ActivityType) WITH t LIMIT 1 "
            "MATCH (s:ActivityStatus) WITH t, s LIMIT 1 "
            "MATCH (c:Customer) RETURN t.id AS type, s.id AS status, c.id AS customer LIMIT 1",
            database_=DATABASE,
        ).records[0]
    return Member(
        user_id, f"{user_id}@example.com", found["type"], found["status"], found["customer"]
    )


@contextmanager
def _api(neo: LocalNeo4j) -> Iterator[str]:
    """The API as `kesher run` serves it, on a port of its own."""
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": neo.bolt_uri,
        "NEO4J_USER": neo.user,
        "NEO4J_PASSWORD": neo.password,
        "KESHER_ENVIRONMENT": "production",
        "KESHER_SECRET_KEY": SECRET,
    }
    command = [sys.executable, "-m", "kesher.cli", "run", "--no-demo", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the API did not become ready")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(30)


async def _measure(
    url: str, neo: LocalNeo4j, member: Member, seconds: float, flood_size: int, worst_too: bool
) -> None:
    async with _client(url, PROBE_TIMEOUT) as http:
        login = await http.post(
            "/graphql",
            json={
                "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) "
                "{ ... on LoginSuccess { token } } }",
                "variables": {"e": member.email, "p": PASSWORD},
            },
        )
        token = login.json()["data"]["login"]["token"]
    headers = {"Authorization": f"Bearer {token}"}
    await _store_endless_series(url, headers, member, neo)

    quiet = await _probe_elsewhere(url, headers, 3.0)
    print(f"quiet:  {_figures(quiet)}", flush=True)

    stop = asyncio.Event()
    flood = Flood()
    worst: list[Outcome] = []
    bombs: list[Outcome] = []
    weeks: list[Outcome] = []
    began = time.monotonic()
    abuse = [
        asyncio.create_task(
            _repeat(stop, bombs, _post(url, headers, CREATE, {"input": _meeting(member, BOMB)}))
        ),
        asyncio.create_task(
            _repeat(stop, weeks, _post(url, headers, CALENDAR, {"users": [member.id]}))
        ),
        asyncio.create_task(_flood(url, flood_size, stop, flood)),
    ]
    if worst_too:
        abuse.append(asyncio.create_task(_repeat(stop, worst, _post(url, headers, WORST, {}))))
    probing = asyncio.create_task(_probe_elsewhere(url, headers, seconds))
    abused = await probing
    stop.set()
    await asyncio.wait(abuse, timeout=ABUSE_TIMEOUT + 5)
    for task in abuse:
        task.cancel()
    print(f"abused: {_figures(abused)}  ({time.monotonic() - began:.0f} s)", flush=True)
    print(f"worst query ({len(worst)}): " + "; ".join(map(str, worst)))
    print(f"recurrence bomb, create ({len(bombs)}): " + "; ".join(map(str, bombs[:5])))
    print(f"recurrence bomb, a week of a secondly series ({len(weeks)}): " + _summary(weeks))
    closed = sorted(flood.closed_after)
    median = f"{closed[len(closed) // 2]:.1f} s" if closed else "-"
    print(
        f"slow-header flood ({flood_size}): closed by the server {len(closed)} "
        f"(median after {median}), still open at the end {flood.held}, "
        f"refused {flood.refused}"
    )


def _figures(timings: list[float]) -> str:
    if not timings:
        return "no answers"
    return (
        f"p50 {Timings.p(timings, 0.5):.0f} ms, p95 {Timings.p(timings, 0.95):.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms, {len(timings)} requests"
    )


def _summary(outcomes: list[Outcome]) -> str:
    if not outcomes:
        return "-"
    kinds = sorted({f"{o.status} {o.code}".strip() for o in outcomes})
    slowest = max(o.seconds for o in outcomes)
    return f"{', '.join(kinds)}; slowest {slowest:.2f} s"


@asynccontextmanager
async def _client(url: str, wait: float) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=url, timeout=wait) as http:
        yield http


def _meeting(member: Member, rule: str) -> dict[str, Any]:
    return {
        "kind": "EVENT",
        "typeId": member.type_id,
        "statusId": member.status_id,
        "subject": "Bench series",
        "startsAt": "2026-03-01T09:00:00Z",
        "endsAt": "2026-03-01T09:30:00Z",
        "ownerId": member.id,
        "customerId": member.customer_id,
        "recurrence": rule,
    }


async def _store_endless_series(
    url: str, headers: dict[str, str], member: Member, neo: LocalNeo4j
) -> None:
    """An endless secondly series in the member's calendar, as one written before such
    rules were refused: created daily, its rule then changed where the API cannot see."""
    async with _client(url, ABUSE_TIMEOUT) as http:
        answer = await http.post(
            "/graphql",
            json={"query": CREATE, "variables": {"input": _meeting(member, "FREQ=DAILY")}},
            headers=headers,
        )
    created = answer.json()["data"]["createActivity"]["activity"]["id"]
    with sync_driver(neo) as driver:
        driver.execute_query(
            "MATCH (a:Activity {id: $id}) SET a.recurrence = $rule, a.recurrenceEndsAt = null",
            id=created,
            rule=STORED,
            database_=DATABASE,
        )


def _post(url: str, headers: dict[str, str], document: str, variables: dict[str, Any]) -> Any:
    async def once() -> Outcome:
        began = time.monotonic()
        async with _client(url, ABUSE_TIMEOUT) as http:
            try:
                response = await http.post(
                    "/graphql", json={"query": document, "variables": variables}, headers=headers
                )
            except httpx.HTTPError as error:
                return Outcome(type(error).__name__, "", time.monotonic() - began)
        took = time.monotonic() - began
        try:
            answer = response.json()
        except ValueError:
            return Outcome(str(response.status_code), "not JSON", took)
        return Outcome(str(response.status_code), _code(answer), took)

    return once


def _code(answer: dict[str, Any]) -> str:
    errors = answer.get("errors") or []
    if errors:
        return str(errors[0].get("extensions", {}).get("code", "error"))
    for payload in (answer.get("data") or {}).values():
        if isinstance(payload, dict) and payload.get("code"):
            return f"{payload['code']} ({payload.get('field')})"
    return "answered"


async def _repeat(stop: asyncio.Event, outcomes: list[Outcome], once: Any) -> None:
    while not stop.is_set():
        outcomes.append(await once())
        await asyncio.sleep(0.1)


async def _probe_elsewhere(url: str, headers: dict[str, str], seconds: float) -> list[float]:
    """`_probe` in a process of its own: another client, whose timings the abusers' work
    in this process (a new connection per request, the flood's sockets) cannot delay."""
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return await loop.run_in_executor(pool, _probe_in_process, url, headers, seconds)


def _probe_in_process(url: str, headers: dict[str, str], seconds: float) -> list[float]:
    return asyncio.run(_probe(url, headers, seconds, asyncio.Event()))


async def _probe(
    url: str, headers: dict[str, str], seconds: float, stop: asyncio.Event
) -> list[float]:
    timings: list[float] = []
    deadline = time.monotonic() + seconds
    async with _client(url, PROBE_TIMEOUT) as http:
        while time.monotonic() < deadline and not stop.is_set():
            began = time.monotonic()
            try:
                response = await http.post("/graphql", json={"query": PROBE}, headers=headers)
                ok = response.status_code == 200 and "errors" not in response.json()
            except httpx.HTTPError:
                ok = False
            took = time.monotonic() - began
            timings.append(took if ok else PROBE_TIMEOUT)
            await asyncio.sleep(max(0.0, PROBE_EVERY - took))
    return timings


async def _flood(url: str, size: int, stop: asyncio.Event, flood: Flood) -> None:
    host, port = url.removeprefix("http://").split(":")

    async def one() -> None:
        began = time.monotonic()
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
        except OSError:
            flood.refused += 1
            return
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: kesher\r\n")
            while not stop.is_set():
                try:
                    await asyncio.wait_for(reader.read(1024), 1.0)
                except TimeoutError:
                    writer.write(b"X-Slow: 1\r\n")
                    await writer.drain()
                    continue
                if reader.at_eof():
                    flood.closed_after.append(time.monotonic() - began)
                    return
            flood.held += 1
        except OSError:
            flood.closed_after.append(time.monotonic() - began)
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(size)))


if __name__ == "__main__":
    main()
