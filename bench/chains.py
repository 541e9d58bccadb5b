"""How fast is an activity list page with reference numbers, states and chain counts?
Through HTTP against the same Cypher run raw, on a graph of a million activities in
chains of up to 30.

It starts a local Neo4j of its own (`.kesher/bench-chains-<customers>`, kept, so a second
run reuses the loaded graph) and loads the generated benchmark data, chains and
reference numbers included, when the folder does not hold it yet. Then it asks for the
first page (50) of `activities` (open ones, the list's default), newest first, with each
row's reference number, state, attachments flag and counts of the offers, product
records, events and tasks in its chain: filtered by an owner (a user's whole history,
about 2,100 activities), and by a customer with a chain (its own history and where it
is a further customer). Each sample's one statement is recorded as `bench.activities`
does, then requests alternate, one at a time, through HTTP to the API under uvicorn and
straight through the driver. It prints p50 and p95 of each and API/raw p50 (target
≤ 1.25), with the number of activities, of chains and the longest chain.

    python -m bench.chains --customers 100000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
from typing import Any, LiteralString

from neo4j import Driver

from bench.activities import (
    Answer,
    Benchmark,
    Figures,
    Sample,
    expected,
    load,
    measure,
    recorded,
)
from bench.support import (
    DATABASE,
    SECRET,
    Holds,
    api_server,
    at_target_scale,
    bench_neo4j,
    ensure_loaded,
    node_counts,
    running,
    signed_in,
    sync_driver,
)
from kesher.resolvers.context import Role
from kesher.settings import Settings

DEFAULT_CUSTOMERS = 100_000
PAGE = 50

ACTIVITIES = f"""
query Activities($filter: ActivityFilter) {{
  activities(filter: $filter, orderBy: STARTS_AT_DESC, first: {PAGE}) {{
    edges {{
      node {{
        id ref kind subject startsAt state hasAttachments
        linkedCounts {{ offers productRecords events tasks }}
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

CHAINS = """
MATCH (c:Chain)
RETURN count(c) AS chains, max(COUNT { (c)<-[:IN_CHAIN]-(:Activity) }) AS longest
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--requests", type=int, default=300, help="measured per query and side")
    parser.add_argument("--warm-up", type=int, default=100, help="unmeasured requests first")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    server = bench_neo4j(f"bench-chains-{args.customers}", settings)
    print(f"\n== {args.customers:,} customers: Neo4j at {server.bolt_uri}", flush=True)
    with running(server):
        # A graph loaded before chains were generated has none: it is loaded again.
        ensure_loaded(server, [*expected(args.customers), Holds("Chain", 1)], load(args.customers))
        with sync_driver(server) as driver:
            driver.execute_query("CALL db.awaitIndexes(600)", database_=DATABASE)
            activities = node_counts(driver, ["Activity"])["Activity"]
            chains = driver.execute_query(CHAINS, database_=DATABASE).records[0]
            print(
                f"   {activities:,} activities, {chains['chains']:,} chains, "
                f"the longest of {chains['longest']}",
                flush=True,
            )
            if not at_target_scale(activities, args.customers >= DEFAULT_CUSTOMERS):
                return 1
            rng = random.Random(11)
            count = args.warm_up + args.requests
            benchmarks = asyncio.run(recorded(server, sampled(driver, count, rng)))
            with api_server(server) as url:
                results = [
                    measure(driver, url, benchmark, args.requests, args.warm_up)
                    for benchmark in benchmarks
                ]
    report(results, activities, chains["chains"], chains["longest"])
    return 0


def sampled(driver: Driver, count: int, rng: random.Random) -> list[Benchmark]:
    """`count` requests of each list, drawn from all over the graph."""
    # Any user may read the activity list, and its statement does not depend on who asks.
    headers = signed_in(driver, "usr_bench_reader", Role.MEMBER, SECRET)
    owners = _column(
        driver,
        "MATCH (u:User) WHERE EXISTS { (:Activity)-[:OWNED_BY]->(u) } RETURN u.id AS id",
    )
    customers = _column(
        driver,
        "MATCH (c:Customer) "
        "WHERE EXISTS { (c)<-[:ABOUT {primary: true}]-(:Activity)-[:IN_CHAIN]->(:Chain) } "
        "RETURN c.id AS id",
    )
    if not owners or not customers:
        raise RuntimeError("no user owns an activity, or no activity is in a chain")

    def listing(where: dict[str, Any]) -> Sample:
        return Sample({"query": ACTIVITIES, "variables": {"filter": where}}, headers)

    return [
        Benchmark(
            "activities, an owner, newest",
            [listing({"ownerIds": [rng.choice(owners)]}) for _ in range(count)],
            _edges,
        ),
        Benchmark(
            "activities, a customer, newest",
            [listing({"customerIds": [rng.choice(customers)]}) for _ in range(count)],
            _edges,
        ),
    ]


def _column(driver: Driver, text: LiteralString) -> list[str]:
    """The sorted `id` column of a statement's records."""
    records = driver.execute_query(text, database_=DATABASE).records
    return sorted(record["id"] for record in records)


def _edges(answer: Answer) -> int:
    return len(answer["data"]["activities"]["edges"])


def report(results: list[Figures], activities: int, chains: int, longest: int) -> None:
    print(
        f"\nactivity list pages of {PAGE} on {activities:,} activities in {chains:,} chains "
        f"(the longest of {longest}), one request at a time (ms)"
    )
    print(
        f"{'query':<32} {'rows':>6} {'API p50':>8} {'API p95':>8} {'raw p50':>8} "
        f"{'raw p95':>8} {'API/raw':>8}"
    )
    for f in results:
        print(
            f"{f.name:<32} {statistics.mean(f.rows):>6.1f} {f.p(f.api, 0.5):>8.2f} "
            f"{f.p(f.api, 0.95):>8.2f} {f.p(f.raw, 0.5):>8.2f} {f.p(f.raw, 0.95):>8.2f} "
            f"{f.ratio:>8.2f}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
