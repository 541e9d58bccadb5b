"""Does a calendar cost more when its users have more history? The raw calendar statement
for a month x 10 users, on the same customers with the usual history and with each
user's history five times as long.

For each history length it starts a local Neo4j of its own
(`.kesher/bench-calendar-<customers>-x<k>`, kept, so a second run reuses the loaded
graph) and loads the generated benchmark data with `--history k` when the folder does not
hold it yet. The samples are those of `make bench-activities` (a manager and nine users
they manage, a month of the last two years), each asked of the app in-process once to
record the one statement it sends; then each recorded statement is run raw, one at a
time. Beside it, as the figure before the calendar buckets, the same statement reading
each user's whole history (`(:Activity)-[:OWNED_BY|WITH_USER]->(u)`) is run on the same
graph. It prints p50 and p95 of each, the p50 ratio between the longest and the usual
history (target ≤ 1.2) and whether p50 ≤ 8 ms is met.

`--refile` times the backfill of an existing graph: every bucket is dropped and the
activities are filed again as a database from before the buckets is at its first start.

    python -m bench.calendar_history --customers 100000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import neo4j
from neo4j import AsyncDriver, Driver, Query

from bench.activities import MONTHS, Benchmark, _calendars, _lanes, _months, recorded
from bench.support import (
    DATABASE,
    Holds,
    Timings,
    bench_neo4j,
    ensure_loaded,
    node_counts,
    running,
    sync_driver,
)
from kesher.graph.calendar_buckets import backfill
from kesher.graph.launcher import LocalNeo4j
from kesher.seeds.activities import ACTIVITIES_PER_CUSTOMER
from kesher.seeds.cli import BENCH_SEED, run_seed
from kesher.seeds.generator import DEFAULT_UNTIL
from kesher.settings import Settings

DEFAULT_CUSTOMERS = 100_000
TARGET_RATIO = 1.2
TARGET_P50_MS = 8.0

# The bucket read of the calendar statement, and the whole-history read it replaced.
_BUCKETS = re.compile(
    r"UNWIND (\$\w+) AS month\n\s*MATCH \((\w+):Activity\)-\[:ON_CALENDAR\]->"
    r"\(:CalendarMonth \{key: u\.id \+ '\|' \+ month\}\)"
)


def whole_history(text: str) -> str:
    """The calendar statement as it read before the buckets."""
    before, found = _BUCKETS.subn(r"MATCH (\2:Activity)-[:OWNED_BY|WITH_USER]->(u)", text)
    if found != 1:
        raise RuntimeError("the calendar statement no longer reads its buckets as expected")
    return before


@dataclass
class Figures:
    history: int
    activities: int
    buckets: list[float]
    whole: list[float]

    def line(self) -> str:
        p = Timings.p
        return (
            f"{self.history:>7}x {self.activities:>12,} {p(self.buckets, 0.5):>10.2f} "
            f"{p(self.buckets, 0.95):>10.2f} {p(self.whole, 0.5):>10.2f} "
            f"{p(self.whole, 0.95):>10.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument(
        "--histories", default="1,5", help="history lengths to compare, the usual one first"
    )
    parser.add_argument("--requests", type=int, default=300, help="measured per statement")
    parser.add_argument("--warm-up", type=int, default=100, help="unmeasured runs first")
    parser.add_argument("--refile", action="store_true", help="time the backfill as well")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    results = []
    for history in (int(k) for k in args.histories.split(",")):
        server = bench_neo4j(f"bench-calendar-{args.customers}-x{history}", settings)
        print(
            f"\n== {args.customers:,} customers, {history}x history: {server.bolt_uri}", flush=True
        )
        with running(server):
            ensure_loaded(server, expected(args.customers, history), load(args.customers, history))
            if args.refile:
                refiled(server)
            with sync_driver(server) as driver:
                results.append(measure(server, driver, history, args.requests, args.warm_up))
    report(results)
    return 0


def expected(customers: int, history: int) -> list[Holds]:
    return [
        Holds.exactly("Customer", customers),
        Holds("ActivityType", 1),
        Holds(
            "Activity",
            int(0.9 * ACTIVITIES_PER_CUSTOMER * customers * history),
            int(1.1 * ACTIVITIES_PER_CUSTOMER * customers * history),
        ),
    ]


def load(customers: int, history: int) -> Callable[[AsyncDriver], Awaitable[object]]:
    return partial(
        run_seed,
        database=DATABASE,
        customers=customers,
        seed=BENCH_SEED,
        progress=True,
        history=history,
    )


def refiled(server: LocalNeo4j) -> None:
    """Drops every bucket and its marker, then times the backfill."""

    async def refile() -> None:
        async with neo4j.AsyncGraphDatabase.driver(
            server.bolt_uri, auth=(server.user, server.password)
        ) as driver:
            async with driver.session(database=DATABASE) as session:
                # CALL { ... } IN TRANSACTIONS runs in an auto-commit transaction only.
                dropped = await session.run(
                    "MATCH (m:CalendarMonth) "
                    "CALL (m) { DETACH DELETE m } IN TRANSACTIONS OF 1000 ROWS"
                )
                await dropped.consume()
            await driver.execute_query("MATCH (b:CalendarBackfill) DELETE b", database_=DATABASE)
            records, _, _ = await driver.execute_query(
                "RETURN COUNT { (:Activity) } AS n", database_=DATABASE
            )
            started = time.perf_counter()
            await backfill(driver, DATABASE)
            seconds = time.perf_counter() - started
            total = records[0]["n"]
            print(
                f"   backfill: {total:,} activities filed in {seconds:.1f} s "
                f"({seconds / total * 100_000:.1f} s per 100,000 activities)",
                flush=True,
            )

    asyncio.run(refile())


def measure(
    server: LocalNeo4j, driver: Driver, history: int, requests: int, warm_up: int
) -> Figures:
    driver.execute_query("CALL db.awaitIndexes(600)", database_=DATABASE)
    activities = node_counts(driver, ["Activity"])["Activity"]
    print(f"   {activities:,} activities in the graph", flush=True)
    rng = random.Random(7)
    samples = _calendars(driver, warm_up + requests, rng, _months(DEFAULT_UNTIL, MONTHS))
    benchmark = asyncio.run(
        recorded(server, [Benchmark("calendar, a month x 10 users", samples, _lanes)])
    )[0]
    figures = Figures(history, activities, [], [])
    for i, sample in enumerate(benchmark.samples):
        buckets = _raw(driver, sample.text, sample.params)
        whole = _raw(driver, whole_history(sample.text), sample.params)
        if i >= warm_up:
            figures.buckets.append(buckets)
            figures.whole.append(whole)
    print(
        f"   raw p50 {Timings.p(figures.buckets, 0.5):.2f} ms through the buckets, "
        f"{Timings.p(figures.whole, 0.5):.2f} ms reading the whole history",
        flush=True,
    )
    return figures


def _raw(driver: Driver, text: str, params: Mapping[str, Any]) -> float:
    """Seconds for one auto-commit read of the statement, as the app runs its reads."""
    started = time.perf_counter()
    with driver.session(database=DATABASE, default_access_mode=neo4j.READ_ACCESS) as session:
        session.run(Query(text), dict(params)).fetch(2**31 - 1)
    return time.perf_counter() - started


def report(results: list[Figures]) -> None:
    print("\nraw calendar statement, a month x 10 users, one at a time (ms)")
    print(
        f"{'history':>8} {'activities':>12} {'p50':>10} {'p95':>10} "
        f"{'p50 before':>10} {'p95 before':>10}"
    )
    for figures in results:
        print(figures.line())
    usual, longest = results[0], results[-1]
    p50 = Timings.p(usual.buckets, 0.5)
    if len(results) > 1:
        ratio = Timings.p(longest.buckets, 0.5) / p50
        before = Timings.p(longest.whole, 0.5) / Timings.p(usual.whole, 0.5)
        met = "met" if ratio <= TARGET_RATIO else "missed"
        print(
            f"p50 at {longest.history}x over {usual.history}x history: {ratio:.2f} "
            f"(target <= {TARGET_RATIO}: {met}; before the buckets {before:.2f})"
        )
    met = "met" if p50 <= TARGET_P50_MS else "missed"
    print(f"p50 at {usual.history}x history: {p50:.2f} ms (target <= {TARGET_P50_MS} ms: {met})")


if __name__ == "__main__":
    raise SystemExit(main())
