"""How fast are duplicate candidates, network analytics and the neighbourhood timeline on
a graph of 100,000 customers?

It starts a local Neo4j of its own (`.kesher/bench-analytics-<customers>`, kept, so a
second run reuses the loaded graph) and loads the generated benchmark data (customers
with their contacts, projects, typed links and `--activities-per-customer` activities)
when the folder does not hold it yet. Then, through HTTP to the API under uvicorn, one
request at a time, it asks for: the first page (50) of duplicateCandidates of customers
and of contacts; networkAnalytics over every link and over the catalog links alone, with
the first 20 groups (5 members each), connectors and single-threaded accounts; and the
timeline (first 50) of random customers one and two links out. It prints p50 and p95 of
each, with the rows found.

    python -m bench.analytics --customers 100000
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
from neo4j import Driver

from bench.support import (
    DATABASE,
    SECRET,
    Holds,
    Timings,
    api_server,
    bench_neo4j,
    ensure_loaded,
    node_counts,
    running,
    signed_in,
    sync_driver,
)
from kesher.resolvers.context import Role
from kesher.seeds.cli import BENCH_SEED, run_seed
from kesher.settings import Settings

DEFAULT_CUSTOMERS = 100_000
DEFAULT_ACTIVITIES = 3.0

CANDIDATES = """
query Candidates($kind: MergeableKind!) {
  duplicateCandidates(kind: $kind, first: 50) {
    edges { node { first { id name } second { id name } reasons } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

NETWORK = """
query Network($types: [String!], $structural: Boolean!) {
  networkAnalytics(typeKeys: $types, includeStructural: $structural) {
    links truncated
    groups(first: 20) {
      edges { node { size customers members(first: 5) { edges { node { name } } } } }
    }
    connectors(first: 20) { edges { node { party { name } pieces } } }
    singleThreaded(first: 20) { edges { node { customer { name } contact { name } } } }
  }
}
"""

TIMELINE = """
query Timeline($id: ID!, $hops: Int!) {
  timeline(customerId: $id, hops: $hops, first: 50) {
    edges { node { id kind at summary hops record { name } path { typeKey role } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

Answer = dict[str, Any]


@dataclass(frozen=True)
class Benchmark:
    name: str
    bodies: list[dict[str, Any]]
    rows: Callable[[Answer], int]


@dataclass(kw_only=True)
class Figures(Timings):
    name: str
    rows: list[int] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--activities-per-customer", type=float, default=DEFAULT_ACTIVITIES)
    parser.add_argument("--requests", type=int, default=40, help="measured per query")
    parser.add_argument("--warm-up", type=int, default=5, help="unmeasured requests first")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    server = bench_neo4j(f"bench-analytics-{args.customers}", settings)
    print(f"\n== {args.customers:,} customers: Neo4j at {server.bolt_uri}", flush=True)
    load = partial(
        run_seed,
        database=DATABASE,
        customers=args.customers,
        seed=BENCH_SEED,
        progress=True,
        activities_per_customer=args.activities_per_customer,
    )
    with running(server):
        ensure_loaded(server, [Holds.exactly("Customer", args.customers)], load)
        with sync_driver(server) as driver:
            driver.execute_query("CALL db.awaitIndexes(600)", database_=DATABASE)
            counts = node_counts(driver, ["Customer", "Contact", "Activity", "Note"])
            print("   " + ", ".join(f"{n:,} {label}" for label, n in counts.items()), flush=True)
            benchmarks = sampled(driver, args.warm_up + args.requests, random.Random(17))
            # An ADMIN sees every activity, so a timeline shows what the graph holds.
            headers = signed_in(driver, "usr_bench_analyst", Role.ADMIN, SECRET)
            with api_server(server) as url:
                results = [
                    measure(url, headers, benchmark, args.requests, args.warm_up)
                    for benchmark in benchmarks
                ]
    report(results, args.customers)
    return 0


def sampled(driver: Driver, count: int, rng: random.Random) -> list[Benchmark]:
    keys = [
        record["key"]
        for record in driver.execute_query(
            "MATCH (t:RelationshipType) RETURN t.key AS key ORDER BY key", database_=DATABASE
        ).records
    ]
    customers = [
        record["id"]
        for record in driver.execute_query(
            "MATCH (c:Customer) WHERE EXISTS { (c)<-[:ABOUT]-(:Activity) } "
            "RETURN c.id AS id ORDER BY id",
            database_=DATABASE,
        ).records
    ]
    if not keys or not customers:
        raise RuntimeError("the graph has no relationship types or no customer with activities")

    def timeline(hops: int) -> list[dict[str, Any]]:
        return [
            {"query": TIMELINE, "variables": {"id": rng.choice(customers), "hops": hops}}
            for _ in range(count)
        ]

    return [
        Benchmark(
            "duplicateCandidates, customers",
            [{"query": CANDIDATES, "variables": {"kind": "CUSTOMER"}}],
            lambda a: len(a["data"]["duplicateCandidates"]["edges"]),
        ),
        Benchmark(
            "duplicateCandidates, contacts",
            [{"query": CANDIDATES, "variables": {"kind": "CONTACT"}}],
            lambda a: len(a["data"]["duplicateCandidates"]["edges"]),
        ),
        Benchmark(
            "networkAnalytics, all links",
            [{"query": NETWORK, "variables": {"types": None, "structural": True}}],
            lambda a: a["data"]["networkAnalytics"]["links"],
        ),
        Benchmark(
            "networkAnalytics, catalog links",
            [{"query": NETWORK, "variables": {"types": keys, "structural": False}}],
            lambda a: a["data"]["networkAnalytics"]["links"],
        ),
        Benchmark(
            "timeline, 1 link out",
            timeline(1),
            lambda a: len(a["data"]["timeline"]["edges"]),
        ),
        Benchmark(
            "timeline, 2 links out",
            timeline(2),
            lambda a: len(a["data"]["timeline"]["edges"]),
        ),
    ]


def measure(
    url: str, headers: dict[str, str], benchmark: Benchmark, requests: int, warm_up: int
) -> Figures:
    figures = Figures(name=benchmark.name)
    with httpx.Client(base_url=url, timeout=60) as http:
        for i in range(warm_up + requests):
            body = benchmark.bodies[i % len(benchmark.bodies)]
            started = time.perf_counter()
            response = http.post("/graphql", json=body, headers=headers)
            elapsed = time.perf_counter() - started
            answer: Answer = response.json()
            if "errors" in answer:
                # A fresh server reads its store from disk: a warm-up request may run out
                # of time, a measured one may not.
                if i < warm_up:
                    continue
                raise RuntimeError(f"{benchmark.name}: {answer['errors']}")
            if i >= warm_up:
                figures.api.append(elapsed)
                figures.rows.append(benchmark.rows(answer))
    print(
        f"   {benchmark.name}: p50 {figures.p(figures.api, 0.5):.1f} ms, "
        f"p95 {figures.p(figures.api, 0.95):.1f} ms",
        flush=True,
    )
    return figures


def report(results: list[Figures], customers: int) -> None:
    print(f"\nanalytics on {customers:,} customers, one request at a time through HTTP (ms)")
    print(f"{'query':<34} {'rows':>8} {'p50':>8} {'p95':>8}")
    for f in results:
        print(
            f"{f.name:<34} {statistics.mean(f.rows):>8.1f} "
            f"{f.p(f.api, 0.5):>8.1f} {f.p(f.api, 0.95):>8.1f}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
