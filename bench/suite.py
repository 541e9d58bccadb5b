"""The benchmark suite: each question a CRM asks of the graph, answered by Kesher through
HTTP, by the very statement Kesher sends run raw through the driver (the limit), by the
same statement through a bare Python HTTP app with the same driver (the floor,
`bench.floor_app`: what any service on this stack pays here), and by @neo4j/graphql over the
same database (the peer), one request at a time and sixteen at once.

It starts a Neo4j of its own (`.kesher/bench-suite-<customers>`, kept, so a second run
reuses the loaded graph) and seeds it with the generator when the folder does not hold
the graph yet: customers with contacts and projects, typed links, activities
(ACTIVITIES_PER_CUSTOMER on average, so a million customers have 5.5 million) in
chains. Then, for each question of `bench.questions`, it draws samples, asks each of the
app in-process to record the one statement Kesher sends for it, starts Kesher under
uvicorn (production settings, `--workers` processes) and the peer, checks that both give
the same answer to the first few samples, and measures: every system in turn, in rounds,
at each concurrency, after warm-up requests. The table goes to `bench/results/latest.md`
and `bench/results/<customers>.md` (figures in `<customers>.json`).

    python -m bench.suite --customers 10000
    python -m bench.suite --customers 10000 --profile slowest
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from neo4j import AsyncDriver, Driver

from bench import load, peer
from bench.floor_app import floor_server
from bench.profiling import profile
from bench.questions import QUESTIONS, Question
from bench.report import LARGE, Figure, Results, census, machine, markdown, write
from bench.support import (
    DATABASE,
    SECRET,
    Holds,
    Statement,
    api_server,
    app_client,
    bench_neo4j,
    ensure_loaded,
    node_counts,
    running,
    sent_statement,
    signed_in,
    sync_driver,
)
from kesher.graph.driver import connect
from kesher.graph.launcher import LocalNeo4j
from kesher.resolvers.context import Role
from kesher.seeds.cli import BENCH_SEED, run_seed
from kesher.settings import Settings

DEFAULT_CUSTOMERS = 10_000
ACTIVITIES_PER_CUSTOMER = 5.5
# The activities the large scale must have.
LARGE_ACTIVITIES = 5_000_000
SYSTEMS = ("raw", "floor", "kesher", "peer")
PEER_PACKAGE = Path(__file__).resolve().parent / "peer" / "package.json"


@dataclass(frozen=True)
class Prepared:
    """A question's samples, as request bodies for each server and as the statement
    Kesher sends for each; `first` is the index of its first statement among all the
    questions' (the floor's body names a statement by that index)."""

    question: Question
    variables: list[dict[str, Any]]
    kesher: list[bytes]
    peer: list[bytes]
    statements: list[Statement]
    rows: float
    first: int = 0

    @property
    def floor(self) -> list[bytes]:
        return [orjson.dumps({"i": self.first + i}) for i in range(len(self.statements))]


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments().parse_args(argv)
    questions = [q for q in QUESTIONS if not args.questions or q.key in args.questions]
    settings = Settings(_env_file=None)
    # The peer needs APOC core in the database; Kesher does not use it.
    server = peer.with_apoc(bench_neo4j(f"bench-suite-{args.customers}", settings), settings)
    print(f"\n== {args.customers:,} customers: Neo4j at {server.bolt_uri}", flush=True)
    with running(server):
        seeding = prepare(server, args.customers)
        with sync_driver(server) as driver:
            # A freshly loaded graph may still be filling its indexes.
            driver.execute_query("CALL db.awaitIndexes(600)", database_=DATABASE)
            activities = node_counts(driver, ["Activity"])["Activity"]
            print(f"   {activities:,} activities in the graph", flush=True)
            if args.customers >= LARGE and activities < LARGE_ACTIVITIES:
                raise SystemExit(
                    f"the graph has {activities:,} activities, fewer than {LARGE_ACTIVITIES:,}"
                )
            if args.profile:
                key = args.profile if args.profile != "slowest" else slowest(args.customers)
                chosen = next(q for q in QUESTIONS if q.key == key)
                profile(server, driver, chosen, _admin(driver), args)
                return 0
            started = time.perf_counter()
            results = measure_all(server, driver, questions, args)
            results.seeding_seconds, results.seeded_now = seeding
            results.measuring_seconds = time.perf_counter() - started
    if args.questions:
        # Figures of some questions only are not a report of the suite: nothing is kept.
        print("\n" + markdown(results), flush=True)
    else:
        print("\n" + write(results), flush=True)
    return 0


def _arguments() -> argparse.ArgumentParser:
    keys = [q.key for q in QUESTIONS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="uvicorn worker processes (default: one per core, as a user would run it)",
    )
    parser.add_argument("--samples", type=int, default=200, help="drawn per question")
    parser.add_argument("--requests", type=int, default=300, help="measured per run")
    parser.add_argument("--warm-up", type=int, default=50, help="unmeasured requests first")
    parser.add_argument("--rounds", type=int, default=3, help="the systems take turns this often")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--check", type=int, default=5, help="samples both systems must agree on")
    parser.add_argument(
        "--questions", nargs="+", choices=keys, help="only these (printed, not kept)"
    )
    parser.add_argument(
        "--profile",
        choices=[*keys, "slowest"],
        help="instead of measuring, profile Kesher answering this question (slowest: the "
        "one furthest from raw Cypher in the last results at this scale)",
    )
    parser.add_argument("--seconds", type=int, default=30, help="how long to profile")
    return parser


def expected(customers: int) -> list[Holds]:
    """The suite's graph of `customers` customers."""
    activities = ACTIVITIES_PER_CUSTOMER * customers
    return [
        Holds.exactly("Customer", customers),
        Holds("Contact", 1),
        Holds("Project", 1),
        Holds("RelationshipType", 1),
        Holds("Activity", int(0.95 * activities), int(1.05 * activities)),
        Holds("Chain", 1),
    ]


def prepare(server: LocalNeo4j, customers: int) -> tuple[float | None, bool]:
    """Seeds the graph unless it is there. The seconds seeding took (from an earlier run
    when the graph is reused, None when not known), and whether it was seeded now."""
    holds = expected(customers)
    with sync_driver(server) as driver:
        counts = node_counts(driver, [h.label for h in holds])
    # Kept beside the graph, so a report on a reused graph can say how long it took.
    kept = server.home / "seeding-seconds"
    if all(h.met_by(counts[h.label]) for h in holds):
        print("   reusing the loaded graph", flush=True)
        return (float(kept.read_text()) if kept.exists() else None), False
    kept.unlink(missing_ok=True)
    started = time.perf_counter()
    seed = partial(
        run_seed,
        database=DATABASE,
        customers=customers,
        seed=BENCH_SEED,
        progress=True,
        activities_per_customer=ACTIVITIES_PER_CUSTOMER,
    )
    ensure_loaded(server, holds, seed)
    seconds = time.perf_counter() - started
    kept.write_text(f"{seconds:.1f}\n")
    print(f"   seeded in {seconds / 60:.1f} min", flush=True)
    return seconds, True


def measure_all(
    server: LocalNeo4j, driver: Driver, questions: list[Question], args: argparse.Namespace
) -> Results:
    headers = _admin(driver)
    samples = {
        q.key: q.samples(driver, args.samples, random.Random(f"suite:{q.key}")) for q in questions
    }
    peer.ensure_installed()
    with load.runner() as loop:
        prepared = loop.run(record(server, questions, samples, headers))
        everything = [statement for p in prepared for statement in p.statements]
        with (
            api_server(server, args.workers) as kesher_url,
            floor_server(server, everything, args.workers) as floor_url,
            peer.peer_server(
                server.bolt_uri, server.user, server.password, DATABASE, args.workers
            ) as peer_url,
        ):
            urls = {
                "kesher": kesher_url + "/graphql",
                "floor": floor_url,
                "peer": peer_url + "/graphql",
            }
            loop.run(check(prepared, urls, headers, args.check))
            graph = connect(server.bolt_uri, server.user, server.password)
            try:
                figures = loop.run(measure(prepared, urls, headers, graph, args))
            finally:
                loop.run(graph.close())
    return Results(
        scale=args.customers,
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(driver, server.heap, server.pagecache, args.workers, _peer_description()),
        graph=census(driver),
        seeding_seconds=None,
        seeded_now=False,
        measuring_seconds=0.0,
        questions={p.question.key: {"title": p.question.title, "rows": p.rows} for p in prepared},
        figures=figures,
    )


async def record(
    server: LocalNeo4j,
    questions: list[Question],
    samples: dict[str, list[dict[str, Any]]],
    headers: dict[str, str],
) -> list[Prepared]:
    """Each sample asked of the app in-process once, unmeasured: the one statement it
    sends, and how many rows it finds (most samples must find some)."""
    prepared = []
    first = 0
    async with app_client(server) as http:
        for q in questions:
            sent, rows = [], []
            for variables in samples[q.key]:
                body = {"query": q.kesher, "variables": variables}
                try:
                    answer, statement = await sent_statement(http, body, headers)
                except RuntimeError as error:
                    raise RuntimeError(f"{q.key} with {variables}: {error}") from error
                sent.append(statement)
                rows.append(q.rows(answer["data"], variables))
            found = sum(count > 0 for count in rows)
            if found <= len(rows) / 2:
                raise RuntimeError(f"{q.key}: only {found} of {len(rows)} samples found rows")
            prepared.append(
                Prepared(
                    question=q,
                    variables=samples[q.key],
                    kesher=[load.encoded(q.kesher, v) for v in samples[q.key]],
                    peer=[load.encoded(q.peer, v) for v in samples[q.key]],
                    statements=sent,
                    rows=sum(rows) / len(rows),
                    first=first,
                )
            )
            first += len(sent)
            print(f"   {q.key}: {len(sent)} samples recorded, {found} find rows", flush=True)
    return prepared


class Disagreement(RuntimeError):
    """Kesher and the peer answered a sample differently: their figures are not of the
    same question."""


async def check(
    prepared: list[Prepared], urls: dict[str, str], headers: dict[str, str], count: int
) -> None:
    """Kesher and the peer must give the same answer to the first `count` samples."""
    send = {"kesher": load.json_headers(headers), "peer": load.json_headers({})}
    async with load.session(2) as http:
        for p in prepared:
            floor = await load.post(http, urls["floor"], p.floor[0], send["peer"])
            if not floor["data"]:
                raise Disagreement(f"{p.question.key}: the floor found no rows for sample 0")
            for i in range(min(count, len(p.variables))):
                mine = await load.post(http, urls["kesher"], p.kesher[i], send["kesher"])
                theirs = await load.post(http, urls["peer"], p.peer[i], send["peer"])
                ours = p.question.answer("kesher", mine["data"], p.variables[i])
                peers = p.question.answer("peer", theirs["data"], p.variables[i])
                if ours != peers:
                    raise Disagreement(
                        f"{p.question.key}, sample {i} {json.dumps(p.variables[i])}:\n"
                        f"  Kesher: {_short(ours)}\n  peer:   {_short(peers)}"
                    )
            print(f"   {p.question.key}: Kesher and the peer agree", flush=True)


async def measure(
    prepared: list[Prepared],
    urls: dict[str, str],
    headers: dict[str, str],
    graph: AsyncDriver,
    args: argparse.Namespace,
) -> list[Figure]:
    figures = []
    for p in prepared:
        # Every sample's statement once, so the page cache is as warm for the first
        # system measured as for the last.
        await load.each_once(load.raw_call(graph, p.statements), len(p.statements), 4)
        for c in args.concurrency:
            async with load.session(c) as http:
                calls = {
                    "raw": load.raw_call(graph, p.statements),
                    "floor": load.http_call(http, urls["floor"], p.floor, {}),
                    "kesher": load.http_call(http, urls["kesher"], p.kesher, headers),
                    "peer": load.http_call(http, urls["peer"], p.peer, {}),
                }
                runs = await load.take_turns(calls, args.requests, c, args.warm_up, args.rounds)
            for system in SYSTEMS:
                run = runs[system]
                figures.append(
                    Figure(
                        question=p.question.key,
                        system=system,
                        concurrency=c,
                        p50=run.p(0.5),
                        p95=run.p(0.95),
                        p99=run.p(0.99),
                        per_second=run.per_second,
                        client_cpu_ms=run.cpu_ms,
                        requests=len(run.latencies),
                    )
                )
            print(
                f"   {p.question.key} c={c}: "
                + ", ".join(
                    f"{system} p50 {runs[system].p(0.5):.2f} ms {runs[system].per_second:.0f}/s"
                    for system in SYSTEMS
                ),
                flush=True,
            )
    return figures


def slowest(customers: int) -> str:
    """The question whose Kesher p50 is furthest above raw Cypher's in the last results
    at this scale."""
    results = Results.load(customers)
    if results is None:
        raise SystemExit(f"no results at {customers:,} customers yet: run the suite first")
    ratios = {
        key: max(results.ratio(key, "kesher", "raw", c) or 0.0 for c in results.concurrencies)
        for key in results.questions
    }
    key = max(ratios, key=lambda k: ratios[k])
    print(f"   the slowest question relative to raw Cypher: {key} ({ratios[key]:.2f})")
    return key


def _admin(driver: Driver) -> dict[str, str]:
    """Kesher's requests are made as an ADMIN of the graph, who may read every record
    and calendar: the peer has no authorization to compare with."""
    records = driver.execute_query(
        "MATCH (u:User {role: 'ADMIN', active: true}) RETURN u.id AS id ORDER BY id LIMIT 1",
        database_=DATABASE,
    ).records
    if not records:
        raise RuntimeError("the graph has no active ADMIN")
    return signed_in(driver, records[0]["id"], Role.ADMIN, SECRET)


def _peer_description() -> str:
    try:
        dependencies = json.loads(PEER_PACKAGE.read_text())["dependencies"]
    except (OSError, ValueError, KeyError):
        return "@neo4j/graphql"
    return ", ".join(
        f"{name} {dependencies[name]}"
        for name in ("@neo4j/graphql", "@apollo/server", "neo4j-driver")
        if name in dependencies
    )


def _short(value: object, limit: int = 1500) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + " …"


if __name__ == "__main__":
    raise SystemExit(main())
