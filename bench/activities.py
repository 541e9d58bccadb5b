"""How fast are the calendar and the activity list? Through HTTP against the same Cypher
run raw, on a graph of a million activities.

It starts a local Neo4j of its own (`.kesher/bench-activities-<customers>`, kept, so a
second run reuses the loaded graph) and loads the generated benchmark data with its
activities when the folder does not hold it yet. Then it asks, as sampled users would:
`calendar` for a month of ten users (a manager and nine they manage), and the first
page of `activities` filtered by an owner and a month, by a type and kinds (newest
first), and by a word of real subjects. The statements these send depend on the
selection, so each sample is first asked of the app in-process, unmeasured, and the one
statement it sends is recorded. Then requests alternate, one at a time: the sample
through HTTP to the API under uvicorn, and its recorded statement run straight through
the driver. It prints p50 and p95 of each and API/raw p50 (target ≤ 1.25).

    python -m bench.activities --customers 100000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

import httpx
from dateutil.relativedelta import relativedelta
from neo4j import AsyncDriver, Driver

from bench.support import (
    DATABASE,
    SECRET,
    Holds,
    Timings,
    api_server,
    app_client,
    at_target_scale,
    bench_neo4j,
    ensure_loaded,
    node_counts,
    running,
    sent_statement,
    signed_in,
    sync_driver,
    time_both,
)
from kesher.graph.launcher import LocalNeo4j
from kesher.resolvers.context import Role
from kesher.seeds.activities import ACTIVITIES_PER_CUSTOMER
from kesher.seeds.cli import BENCH_SEED, run_seed
from kesher.seeds.generator import DEFAULT_UNTIL
from kesher.settings import Settings

DEFAULT_CUSTOMERS = 100_000
# Calendar months are drawn from the last two years of the generated history.
MONTHS = 24
PAGE = 50

CALENDAR = """
query Calendar($users: [ID!]!, $from: DateTime!, $to: DateTime!) {
  calendar(userIds: $users, from: $from, to: $to) {
    user { id name }
    occurrences {
      id startsAt endsAt originalStart
      activity {
        id kind subject allDay
        type { name colour }
        status { name category }
        customer { id name }
      }
    }
    truncated
  }
}
"""

ACTIVITIES = f"""
query Activities($filter: ActivityFilter, $search: String, $orderBy: ActivityOrder!) {{
  activities(filter: $filter, search: $search, orderBy: $orderBy, first: {PAGE}) {{
    edges {{
      node {{
        id kind subject startsAt endsAt
        owner {{ name }}
        customer {{ name }}
        type {{ name }}
        status {{ name }}
      }}
    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

Answer = dict[str, Any]
Filter = dict[str, Any]


@dataclass(frozen=True)
class Sample:
    """One request of a measured query, and the statement the API sends for it."""

    body: dict[str, Any]
    headers: dict[str, str]
    text: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Benchmark:
    """One row of the table: a query, its samples, and how to count an answer's rows."""

    name: str
    samples: list[Sample]
    rows: Callable[[Answer], int]


@dataclass(kw_only=True)
class Figures(Timings):
    name: str
    rows: list[int] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--requests", type=int, default=300, help="measured per query and side")
    parser.add_argument("--warm-up", type=int, default=100, help="unmeasured requests first")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    server = bench_neo4j(f"bench-activities-{args.customers}", settings)
    print(f"\n== {args.customers:,} customers: Neo4j at {server.bolt_uri}", flush=True)
    with running(server):
        ensure_loaded(server, expected(args.customers), load(args.customers))
        with sync_driver(server) as driver:
            # A freshly loaded graph may still be filling its full-text index.
            driver.execute_query("CALL db.awaitIndexes(600)", database_=DATABASE)
            activities = node_counts(driver, ["Activity"])["Activity"]
            print(f"   {activities:,} activities in the graph", flush=True)
            if not at_target_scale(activities, args.customers >= DEFAULT_CUSTOMERS):
                return 1
            rng = random.Random(7)
            count = args.warm_up + args.requests
            benchmarks = asyncio.run(recorded(server, sampled(driver, count, rng)))
            with api_server(server) as url:
                results = [
                    measure(driver, url, benchmark, args.requests, args.warm_up)
                    for benchmark in benchmarks
                ]
    report(results, activities)
    return 0


def expected(customers: int) -> list[Holds]:
    """The benchmark graph of `customers` customers, with about as many activities as the
    generator gives them on average."""
    return [
        Holds.exactly("Customer", customers),
        Holds("ActivityType", 1),
        Holds("ActivityStatus", 1),
        Holds("Activity", int(0.9 * ACTIVITIES_PER_CUSTOMER * customers)),
    ]


def load(customers: int) -> Callable[[AsyncDriver], Awaitable[object]]:
    return partial(run_seed, database=DATABASE, customers=customers, seed=BENCH_SEED, progress=True)


def sampled(driver: Driver, count: int, rng: random.Random) -> list[Benchmark]:
    """`count` requests of each query, drawn from all over the graph."""
    months = _months(DEFAULT_UNTIL, MONTHS)
    types, subjects = _open_activities(driver)
    # Any user may read the activity list, and its statement does not depend on who asks.
    reader = signed_in(driver, "usr_bench_reader", Role.MEMBER, SECRET)
    by_owner = [_listing(reader, where) for where in _by_owner(driver, count, rng, months)]
    by_type = [_listing(reader, where) for where in _by_type(types, count, rng)]
    searches = [_listing(reader, None, word) for word in _searches(subjects, count, rng)]
    return [
        Benchmark("calendar, a month x 10 users", _calendars(driver, count, rng, months), _lanes),
        Benchmark("activities, owner + month", by_owner, _edges),
        Benchmark("activities, type + kinds, newest", by_type, _edges),
        Benchmark("activities, search a word", searches, _edges),
    ]


def _calendars(
    driver: Driver, count: int, rng: random.Random, months: list[tuple[str, str]]
) -> list[Sample]:
    """A month of a manager's calendar beside nine of the users they manage, as the
    manager."""
    records = driver.execute_query(
        "MATCH (m:User {role: 'MANAGER'}) "
        "WITH m, COLLECT { MATCH (m)-[:MANAGES]->(u:User) RETURN u.id ORDER BY u.id } AS managed "
        "WHERE size(managed) > 0 RETURN m.id AS id, managed ORDER BY id",
        database_=DATABASE,
    ).records
    if not records:
        raise RuntimeError("no manager manages anyone: the graph has no calendar access")
    headers = {
        record["id"]: signed_in(driver, record["id"], Role.MANAGER, SECRET) for record in records
    }
    samples = []
    for _ in range(count):
        manager = rng.choice(records)
        managed: list[str] = manager["managed"]
        users = [manager["id"], *rng.sample(managed, min(9, len(managed)))]
        starts, ends = rng.choice(months)
        variables = {"users": users, "from": starts, "to": ends}
        samples.append(Sample({"query": CALENDAR, "variables": variables}, headers[manager["id"]]))
    return samples


def _by_owner(
    driver: Driver, count: int, rng: random.Random, months: list[tuple[str, str]]
) -> list[Filter]:
    """An owner's activities overlapping a month."""
    records = driver.execute_query(
        "MATCH (u:User) WHERE EXISTS { (:Activity)-[:OWNED_BY]->(u) } "
        "RETURN u.id AS id ORDER BY id",
        database_=DATABASE,
    ).records
    if not records:
        raise RuntimeError("no user owns an activity")
    owners = [record["id"] for record in records]
    samples = []
    for _ in range(count):
        starts, ends = rng.choice(months)
        samples.append({"ownerIds": [rng.choice(owners)], "from": starts, "to": ends})
    return samples


def _by_type(types: list[tuple[str, str]], count: int, rng: random.Random) -> list[Filter]:
    """A type with a kind it is used for, and sometimes a second kind."""
    kinds = sorted({kind for _, kind in types})
    samples = []
    for _ in range(count):
        type_id, kind = rng.choice(types)
        chosen = sorted({kind, rng.choice(kinds)})
        samples.append({"typeIds": [type_id], "kinds": chosen})
    return samples


def _searches(subjects: list[str], count: int, rng: random.Random) -> list[str]:
    """Words of real subjects."""
    words = sorted({word for subject in subjects for word in _WORD.findall(subject)})
    if not words:
        raise RuntimeError("no open activity has a subject to search for")
    return [rng.choice(words) for _ in range(count)]


def _listing(headers: dict[str, str], where: Filter | None, search: str | None = None) -> Sample:
    """The first page of the activity list, newest first (a search: by relevance)."""
    variables = {"filter": where, "search": search, "orderBy": "STARTS_AT_DESC"}
    return Sample({"query": ACTIVITIES, "variables": variables}, headers)


_WORD = re.compile(r"[^\W\d_]{4,}")


def _open_activities(driver: Driver) -> tuple[list[tuple[str, str]], list[str]]:
    """From a sample of open activities: the (type id, kind) pairs in use, and subjects."""
    total = node_counts(driver, ["Activity"])["Activity"]
    records = driver.execute_query(
        # The type is read in a subquery: with the type in the MATCH, the planner starts
        # from the nine type nodes and draws rand() once for each of them.
        "MATCH (a:Activity) WHERE rand() < $share AND a.closedAt IS NULL "
        "RETURN COLLECT { MATCH (a)-[:HAS_TYPE]->(t:ActivityType) RETURN t.id }[0] AS type, "
        "a.kind AS kind, a.subject AS subject",
        share=min(1.0, 20_000 / max(1, total)),
        database_=DATABASE,
    ).records
    if not records:
        raise RuntimeError("the graph has no open activities")
    pairs = sorted({(record["type"], record["kind"]) for record in records})
    return pairs, sorted({record["subject"] for record in records})


def _months(until: datetime, count: int) -> list[tuple[str, str]]:
    """The `count` calendar months before `until`, as [from, to) in ISO 8601."""
    first = until.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = [first - relativedelta(months=back) for back in range(count, 0, -1)]
    return [(start.isoformat(), (start + relativedelta(months=1)).isoformat()) for start in starts]


def _lanes(answer: Answer) -> int:
    return sum(len(lane["occurrences"]) for lane in answer["data"]["calendar"])


def _edges(answer: Answer) -> int:
    return len(answer["data"]["activities"]["edges"])


async def recorded(server: LocalNeo4j, benchmarks: list[Benchmark]) -> list[Benchmark]:
    """The benchmarks with each sample's statement, as the app sends it: each sample is
    asked of the app in-process once and must send exactly one statement; most must
    find something."""
    result = []
    async with app_client(server) as http:
        for benchmark in benchmarks:
            samples, found = [], 0
            for sample in benchmark.samples:
                try:
                    answer, (text, params) = await sent_statement(http, sample.body, sample.headers)
                except RuntimeError as error:
                    raise RuntimeError(f"{benchmark.name}: {error}") from error
                samples.append(replace(sample, text=text, params=params))
                found += benchmark.rows(answer) > 0
            if found <= len(samples) / 2:
                raise RuntimeError(
                    f"{benchmark.name}: only {found} of {len(samples)} samples found rows"
                )
            result.append(replace(benchmark, samples=samples))
    return result


def measure(driver: Driver, url: str, benchmark: Benchmark, requests: int, warm_up: int) -> Figures:
    figures = Figures(name=benchmark.name)
    samples = benchmark.samples
    with httpx.Client(base_url=url) as http:
        for i in range(warm_up + requests):
            sample = samples[i % len(samples)]
            api, raw, answer = time_both(
                http, driver, sample.body, sample.text, sample.params, sample.headers
            )
            if i >= warm_up:
                figures.api.append(api)
                figures.raw.append(raw)
                figures.rows.append(benchmark.rows(answer))
    print(
        f"   {benchmark.name}: API p50 {figures.p(figures.api, 0.5):.2f} ms, "
        f"raw p50 {figures.p(figures.raw, 0.5):.2f} ms, ratio {figures.ratio:.2f}",
        flush=True,
    )
    return figures


def report(results: list[Figures], activities: int) -> None:
    print(f"\ncalendar and activities on {activities:,} activities, one request at a time (ms)")
    print(
        f"{'query':<34} {'rows':>6} {'API p50':>8} {'API p95':>8} {'raw p50':>8} "
        f"{'raw p95':>8} {'API/raw':>8}"
    )
    for f in results:
        print(
            f"{f.name:<34} {statistics.mean(f.rows):>6.1f} {f.p(f.api, 0.5):>8.2f} "
            f"{f.p(f.api, 0.95):>8.2f} {f.p(f.raw, 0.5):>8.2f} {f.p(f.raw, 0.95):>8.2f} "
            f"{f.ratio:>8.2f}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
