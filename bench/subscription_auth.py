"""What do subscription re-authorization and login throttling cost?

- A subscription's events, read through `subscription_access.Authorized` (a timer at the
  token's expiry, a look at each event for a revocation) and read plainly: the chosen
  design's cost per event.
- One viewer check against the graph (`confirm_viewer`, the statement a subscription runs
  as it opens): what checking the viewer before each event would have cost per event and
  per subscriber instead.
- A login attempt refused by the throttle, against checking one password (argon2): what a
  throttled guess costs the service.

It uses the Neo4j at `--neo4j-uri` (its database is wiped) or starts a local one of its
own in a temporary folder.

    python -m bench.subscription_auth --events 20000 --checks 2000
"""

from __future__ import annotations

import argparse
import asyncio
import time
from contextlib import ExitStack
from datetime import UTC, datetime

from limits import parse
from limits.aio.storage import MemoryStorage

from bench.support import Timings, neo4j_arguments, scratch_or_given
from kesher.graph import records as graph_records
from kesher.graph.driver import Graph, connect
from kesher.graph.events import RecordChanged
from kesher.graph.viewer_guard import ViewerCheck, checking
from kesher.passwords import hash_password, verify_password
from kesher.resolvers.broadcast import Feed
from kesher.resolvers.context import Role, Viewer
from kesher.resolvers.login_throttle import LoginThrottle, TooManyAttempts
from kesher.resolvers.subscription_access import Authorized

SEED = (
    "CREATE (:User {id: 'usr_bench_sub', email: 'sub@example.com', name: 'Sub', "
    "role: 'MEMBER', active: true, tokenVersion: 3})"
)


async def per_event(events: int) -> tuple[float, float]:
    """Microseconds per event, read plainly and through `Authorized`."""
    event = RecordChanged("cus_1", "CHANGED", "changed", None, datetime.now(UTC))
    viewer = Viewer("usr_bench_sub", Role.MEMBER, 3, time.time() + 3600)
    results = []
    for wrapped in (False, True):
        feed = Feed("record:cus_1", events)
        for _ in range(events):
            feed.put(event)
        source = Authorized(feed, viewer) if wrapped else feed
        started = time.perf_counter()
        for _ in range(events):
            await anext(source)
        results.append((time.perf_counter() - started) / events * 1e6)
    return results[0], results[1]


async def per_waited_event(events: int) -> tuple[float, float]:
    """Microseconds per event handed to a reader already waiting for it (the timer armed
    for each wait), read plainly and through `Authorized`."""
    event = RecordChanged("cus_1", "CHANGED", "changed", None, datetime.now(UTC))
    viewer = Viewer("usr_bench_sub", Role.MEMBER, 3, time.time() + 3600)
    results = []
    for wrapped in (False, True):
        feed = Feed("record:cus_1", 16)
        source = Authorized(feed, viewer) if wrapped else feed
        started = time.perf_counter()
        for _ in range(events):
            reading = asyncio.ensure_future(anext(source))
            await asyncio.sleep(0)  # the reader starts waiting
            feed.put(event)
            await reading
        results.append((time.perf_counter() - started) / events * 1e6)
    return results[0], results[1]


async def viewer_checks(uri: str, user: str, password: str, checks: int) -> list[float]:
    driver = connect(uri, user, password)
    try:
        await driver.execute_query("MATCH (n) DETACH DELETE n", database_="neo4j")
        await driver.execute_query(SEED, database_="neo4j")
        graph = Graph(driver, "neo4j", 10.0)
        timings: list[float] = []
        with checking(ViewerCheck("usr_bench_sub", "MEMBER", 3)):
            for _ in range(50):  # warm the plan and the pool
                await graph_records.confirm_viewer(graph)
            for _ in range(checks):
                started = time.perf_counter()
                await graph_records.confirm_viewer(graph)
                timings.append(time.perf_counter() - started)
        return timings
    finally:
        await driver.close()


async def login_costs(attempts: int) -> tuple[list[float], list[float]]:
    """Seconds of a throttled refusal, and of one password check."""
    throttle = LoginThrottle(MemoryStorage(), parse("5/minute"), parse("20/minute"))
    for _ in range(5):
        await throttle.admit("guessed@example.com", "10.0.0.1")
    refused: list[float] = []
    for _ in range(attempts):
        started = time.perf_counter()
        try:
            await throttle.admit("guessed@example.com", "10.0.0.1")
        except TooManyAttempts:
            refused.append(time.perf_counter() - started)
    stored = hash_password("a password")
    hashed: list[float] = []
    for _ in range(20):
        started = time.perf_counter()
        verify_password(stored, "a wrong guess")
        hashed.append(time.perf_counter() - started)
    return refused, hashed


async def measure(uri: str, user: str, password: str, events: int, checks: int) -> None:
    plain, wrapped = await per_event(events)
    print(f"subscription events, {events} through one feed")
    print(f"  plain, queued               {plain:6.2f} us per event")
    print(f"  authorized, queued          {wrapped:6.2f} us per event ({wrapped - plain:+.2f} us)")
    plain, wrapped = await per_waited_event(events)
    print(f"  plain, reader waiting       {plain:6.2f} us per event")
    print(f"  authorized, reader waiting  {wrapped:6.2f} us per event ({wrapped - plain:+.2f} us)")
    timings = await viewer_checks(uri, user, password, checks)
    print(f"viewer check against the graph, {checks} statements (per event, per subscriber)")
    print(f"  p50 {Timings.p(timings, 0.5):6.2f} ms   p95 {Timings.p(timings, 0.95):6.2f} ms")
    refused, hashed = await login_costs(checks)
    print("login attempt")
    print(f"  refused by the throttle  p50 {Timings.p(refused, 0.5) * 1000:8.1f} us")
    print(f"  one password check       p50 {Timings.p(hashed, 0.5) * 1000:8.1f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--checks", type=int, default=2000)
    neo4j_arguments(parser)
    args = parser.parse_args()
    with ExitStack() as stack:
        uri, user, password = scratch_or_given(stack, args)
        asyncio.run(measure(uri, user, password, args.events, args.checks))


if __name__ == "__main__":
    main()
