"""How fast is the relation map? Through HTTP against the same Cypher run raw, at two
scales of the benchmark graph.

For each scale it starts a local Neo4j of its own (`.kesher/bench-<customers>`, kept, so a
second run reuses the loaded graph), loads the generated benchmark data with its
relationships when the folder does not hold it yet, starts the API under uvicorn and asks
`relationMap` around sampled customers at depth 2 and 3: once through HTTP, once as the
very statement the API builds, run straight through the driver. Requests alternate, one
at a time. It prints p50 and p95 of each and the ratios the targets are set on:
API/raw p50 (≤ 1.25) and the large scale's API p50 over the small one's (≤ 1.3).

    python -m bench.relation_map --scales 10000 1000000
"""

from __future__ import annotations

import argparse
import random
import statistics
from dataclasses import dataclass, field
from functools import partial

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
    running,
    signed_in,
    sync_driver,
    time_both,
)
from kesher.graph.catalog import CATALOG_KEYS
from kesher.graph.relation_map import MapRequest, map_statement
from kesher.resolvers.context import Role
from kesher.seeds.cli import BENCH_SEED, run_seed
from kesher.settings import Settings

MAP = """
query Map($roots: [ID!]!, $depth: Int!) {
  relationMap(rootIds: $roots, depth: $depth) {
    nodes { depth party { id kind name } }
    edges { id source target typeKey label reciprocalLabel colour }
    truncated
  }
}
"""


@dataclass(kw_only=True)
class Figures(Timings):
    scale: int
    depth: int
    nodes: list[int] = field(default_factory=list)
    edges: list[int] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--depths", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--requests", type=int, default=300, help="measured per depth and side")
    parser.add_argument("--warm-up", type=int, default=100, help="unmeasured requests first")
    args = parser.parse_args()
    results: list[Figures] = []
    for scale in args.scales:
        results += measure_scale(scale, args.depths, args.requests, args.warm_up)
    report(results, args.scales)
    return 0


def measure_scale(scale: int, depths: list[int], requests: int, warm_up: int) -> list[Figures]:
    settings = Settings(_env_file=None)
    server = bench_neo4j(f"bench-{scale}", settings)
    print(f"\n== {scale:,} customers: Neo4j at {server.bolt_uri}", flush=True)
    with running(server):
        # The graph without activities, as it was before they were generated.
        expected = [
            Holds.exactly("Customer", scale),
            Holds("RelationshipType", 1),
            Holds.exactly("Activity", 0),
        ]
        seed = partial(
            run_seed,
            database=DATABASE,
            customers=scale,
            seed=BENCH_SEED,
            progress=True,
            activities_per_customer=0.0,
        )
        ensure_loaded(server, expected, seed)
        with sync_driver(server) as driver:
            roots = sample_roots(driver, max(depths) * (requests + warm_up))
            keys = frozenset(
                driver.execute_query("RETURN " + CATALOG_KEYS, database_=DATABASE).records[0][0]
            )
            with api_server(server) as url:
                return [
                    measure(driver, url, keys, settings, scale, depth, roots, requests, warm_up)
                    for depth in depths
                ]


def sample_roots(driver: Driver, count: int) -> list[str]:
    """Customers from all over the graph that have at least one relationship."""
    keys = driver.execute_query("RETURN " + CATALOG_KEYS, database_=DATABASE).records[0][0]
    types = "|".join(keys)
    total = driver.execute_query("RETURN COUNT { (:Customer) } AS n", database_=DATABASE)
    share = min(1.0, 3 * count / total.records[0]["n"])
    records = driver.execute_query(
        f"MATCH (c:Customer) WHERE rand() < $share AND EXISTS {{ (c)-[:{types}]-() }} "
        "RETURN c.id AS id",
        share=share,
        database_=DATABASE,
    ).records
    ids = [record["id"] for record in records]
    random.Random(7).shuffle(ids)
    return (ids * (count // max(1, len(ids)) + 1))[:count]


def measure(
    driver: Driver,
    url: str,
    keys: frozenset[str],
    settings: Settings,
    scale: int,
    depth: int,
    roots: list[str],
    requests: int,
    warm_up: int,
) -> Figures:
    headers = signed_in(driver, "usr_bench_admin", Role.ADMIN, SECRET, 3600)
    figures = Figures(scale=scale, depth=depth)
    with httpx.Client(base_url=url, headers=headers) as http:
        for i, root in enumerate(roots[: warm_up + requests]):
            request = MapRequest((root,), depth, settings.map_default_limit)
            text, params = map_statement(request, keys, settings.map_links_per_level)
            body = {"query": MAP, "variables": {"roots": [root], "depth": depth}}
            api, raw, answer = time_both(http, driver, body, text, params)
            if i >= warm_up:
                figures.api.append(api)
                figures.raw.append(raw)
                figures.nodes.append(len(answer["data"]["relationMap"]["nodes"]))
                figures.edges.append(len(answer["data"]["relationMap"]["edges"]))
    print(
        f"   depth {depth}: API p50 {figures.p(figures.api, 0.5):.2f} ms, "
        f"raw p50 {figures.p(figures.raw, 0.5):.2f} ms, ratio {figures.ratio:.2f}",
        flush=True,
    )
    return figures


def report(results: list[Figures], scales: list[int]) -> None:
    print("\nrelationMap, one request at a time (ms)")
    print(
        f"{'customers':>10} {'depth':>5} {'nodes':>6} {'edges':>6} {'API p50':>8} "
        f"{'API p95':>8} {'raw p50':>8} {'raw p95':>8} {'API/raw':>8}"
    )
    for f in results:
        print(
            f"{f.scale:>10,} {f.depth:>5} {statistics.mean(f.nodes):>6.1f} "
            f"{statistics.mean(f.edges):>6.1f} {f.p(f.api, 0.5):>8.2f} {f.p(f.api, 0.95):>8.2f} "
            f"{f.p(f.raw, 0.5):>8.2f} {f.p(f.raw, 0.95):>8.2f} {f.ratio:>8.2f}"
        )
    if len(scales) > 1:
        small, large = min(scales), max(scales)
        for depth in sorted({f.depth for f in results}):
            of = {f.scale: f for f in results if f.depth == depth}
            growth = statistics.median(of[large].api) / statistics.median(of[small].api)
            raw_growth = statistics.median(of[large].raw) / statistics.median(of[small].raw)
            print(f"depth {depth}: {large:,}/{small:,} p50 API {growth:.2f}, raw {raw_growth:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
