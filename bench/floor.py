"""How close can a Python HTTP service come to raw Cypher on this machine? Each question of
the suite asked three ways, taking turns as the suite's systems do: its statement run
raw through the driver, the same statement through the floor (`bench.floor_app`: uvicorn
and the driver, no GraphQL, no authentication, the records answered as JSON), and the
GraphQL request through Kesher. Both servers run with the same number of workers.

What the floor adds to raw Cypher is what any Python service pays here (HTTP on both
ends, the driver in another process, the answer encoded), before any work of its own;
what Kesher adds to the floor is its own (GraphQL, the viewer check, the statement
built, the answer completed). A target on Kesher over raw Cypher below the floor's
ratio cannot be met by a Python service on this machine.

    python -m bench.floor --customers 1000000 [--questions card calendar]
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

import orjson

from bench import load, peer
from bench.questions import QUESTIONS
from bench.suite import DEFAULT_CUSTOMERS, Prepared, _admin, prepare, record
from bench.support import (
    DATABASE,
    api_server,
    bench_neo4j,
    running,
    sync_driver,
    uvicorn_process,
)
from kesher.graph.driver import connect
from kesher.graph.launcher import LocalNeo4j
from kesher.settings import Settings

SYSTEMS = ("raw", "floor", "kesher")


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments().parse_args(argv)
    questions = [q for q in QUESTIONS if not args.questions or q.key in args.questions]
    settings = Settings(_env_file=None)
    # The suite's Neo4j, configured as the suite runs it (APOC for the peer included).
    server = peer.with_apoc(bench_neo4j(f"bench-suite-{args.customers}", settings), settings)
    print(f"\n== {args.customers:,} customers: Neo4j at {server.bolt_uri}", flush=True)
    with running(server):
        prepare(server, args.customers)
        with sync_driver(server) as driver:
            driver.execute_query("CALL db.awaitIndexes(600)", database_=DATABASE)
            headers = _admin(driver)
            samples = {
                q.key: q.samples(driver, args.samples, random.Random(f"suite:{q.key}"))
                for q in questions
            }
        with load.runner() as loop, tempfile.TemporaryDirectory() as folder:
            prepared = loop.run(record(server, questions, samples, headers))
            kept = Path(folder) / "statements.pickle"
            everything = [s for p in prepared for s in p.statements]
            kept.write_bytes(pickle.dumps(everything))
            env = {
                "FLOOR_STATEMENTS": str(kept),
                "NEO4J_URI": server.bolt_uri,
                "NEO4J_USER": server.user,
                "NEO4J_PASSWORD": server.password,
            }
            with (
                api_server(server, args.workers) as kesher_url,
                uvicorn_process("bench.floor_app:create_app", env, args.workers) as (floor_url, _),
            ):
                lines = loop.run(
                    _measure(
                        server, prepared, kesher_url + "/graphql", floor_url + "/", headers, args
                    )
                )
    print("\n" + "\n".join(lines), flush=True)
    return 0


async def _measure(
    server: LocalNeo4j,
    prepared: list[Prepared],
    kesher_url: str,
    floor_url: str,
    headers: dict[str, str],
    args: argparse.Namespace,
) -> list[str]:
    graph = connect(server.bolt_uri, server.user, server.password)
    lines = [
        f"p50 in ms and requests per second; {args.workers} workers each; "
        f"{args.requests} requests per system and concurrency",
        "",
        "| question | c | raw p50 | floor p50 | Kesher p50 | floor / raw | Kesher / raw "
        "| Kesher / floor | raw req/s | floor req/s | Kesher req/s | floor / raw req/s "
        "| Kesher / raw req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    offset = 0
    try:
        for p in prepared:
            floor_bodies = [orjson.dumps({"i": offset + i}) for i in range(len(p.statements))]
            offset += len(p.statements)
            async with load.session(1) as http:
                found = await load.post(http, floor_url, floor_bodies[0], load.json_headers({}))
                if not found["data"]:
                    raise RuntimeError(f"{p.question.key}: the floor found no rows")
            await load.each_once(load.raw_call(graph, p.statements), len(p.statements), 4)
            for c in args.concurrency:
                async with load.session(c) as http:
                    calls = {
                        "raw": load.raw_call(graph, p.statements),
                        "floor": load.http_call(http, floor_url, floor_bodies, {}),
                        "kesher": load.http_call(http, kesher_url, p.kesher, headers),
                    }
                    runs = await load.take_turns(calls, args.requests, c, args.warm_up, args.rounds)
                raw, floor, kesher = (runs[s] for s in SYSTEMS)
                line = (
                    f"| {p.question.title} | {c} | {raw.p(0.5):.2f} | {floor.p(0.5):.2f} "
                    f"| {kesher.p(0.5):.2f} | {floor.p(0.5) / raw.p(0.5):.2f} "
                    f"| {kesher.p(0.5) / raw.p(0.5):.2f} | {kesher.p(0.5) / floor.p(0.5):.2f} "
                    f"| {raw.per_second:.0f} | {floor.per_second:.0f} | {kesher.per_second:.0f} "
                    f"| {floor.per_second / raw.per_second:.2f} "
                    f"| {kesher.per_second / raw.per_second:.2f} |"
                )
                print("   " + line, flush=True)
                lines.append(line)
    finally:
        await graph.close()
    return lines


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--samples", type=int, default=200, help="drawn per question")
    parser.add_argument("--requests", type=int, default=300, help="measured per run")
    parser.add_argument("--warm-up", type=int, default=50, help="unmeasured requests first")
    parser.add_argument("--rounds", type=int, default=3, help="the systems take turns this often")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument(
        "--questions", nargs="+", choices=[q.key for q in QUESTIONS], help="only these"
    )
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
