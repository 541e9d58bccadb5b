"""Checks that Kesher and the peer answer every question of the suite the same.

It starts a local Neo4j of its own (`.kesher/bench-peer-check`, kept, so a second run
reuses the loaded graph), loads the benchmark data (with activities and chains) when the
folder does not hold it yet, starts Kesher under uvicorn and the peer on Node, and asks
each question's samples of both: their canonical answers must be equal. It prints, per
question, how many samples agreed and the median time of one request on each side (a
first look, not the benchmark), and exits non-zero when any sample disagrees.

    python -m bench.questions --customers 2000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from typing import Any

import httpx

from bench.activities import expected, load
from bench.peer import peer_server, with_apoc
from bench.questions import QUESTIONS, Question, System, Variables
from bench.support import (
    DATABASE,
    SECRET,
    Holds,
    api_server,
    bench_neo4j,
    ensure_loaded,
    running,
    signed_in,
    sync_driver,
)
from kesher.graph.launcher import LocalNeo4j
from kesher.resolvers.context import Role
from kesher.settings import Settings

MOST_CUSTOMERS = 10_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=20, help="requests per question")
    parser.add_argument("--only", nargs="+", help="these questions (keys) only")
    args = parser.parse_args()
    if args.customers > MOST_CUSTOMERS:
        parser.error(f"the check loads at most {MOST_CUSTOMERS:,} customers")
    questions = [q for q in QUESTIONS if not args.only or q.key in args.only]
    settings = Settings(_env_file=None)
    # The peer needs APOC in the database; Kesher does not use it.
    server = with_apoc(bench_neo4j("bench-peer-check", settings), settings)
    print(f"\n== {args.customers:,} customers: Neo4j at {server.bolt_uri}", flush=True)
    with running(server):
        return check(server, args.customers, args.samples, questions)


def check(server: LocalNeo4j, customers: int, count: int, questions: list[Question]) -> int:
    """Loads the graph when needed, asks both systems and reports; 1 on disagreement."""
    graph = [*expected(customers), Holds("Chain", 1), Holds("RelationshipType", 1)]
    ensure_loaded(server, graph, load(customers))
    with sync_driver(server) as driver:
        driver.execute_query("CALL db.awaitIndexes(600)", database_=DATABASE)
        rng = random.Random(5)
        samples = {q.key: q.samples(driver, count, rng) for q in questions}
    # An administrator may read every calendar; the peer has no authorisation at all.
    with sync_driver(server) as driver:
        headers = signed_in(driver, "usr_bench_admin", Role.ADMIN, SECRET)
    with (
        api_server(server) as kesher_url,
        peer_server(server.bolt_uri, server.user, server.password, DATABASE) as peer_url,
        httpx.Client(base_url=kesher_url, timeout=60) as kesher,
        httpx.Client(base_url=peer_url, timeout=60) as peer,
    ):
        kesher.headers.update(headers)
        clients: dict[System, httpx.Client] = {"kesher": kesher, "peer": peer}
        failed = 0
        print(
            f"\n{'question':<52} {'agreed':>9} {'rows':>6} {'Kesher ms':>10} {'peer ms':>8}",
            flush=True,
        )
        for question in questions:
            failed += _ask(question, samples[question.key], clients)
    return 1 if failed else 0


def _ask(question: Question, samples: list[Variables], clients: dict[Any, httpx.Client]) -> int:
    """Asks each sample of both systems; prints the line and the first disagreement, and
    returns how many disagreed."""
    seconds: dict[System, list[float]] = {"kesher": [], "peer": []}
    agreed, rows = 0, []
    first_difference = ""
    for variables in samples:
        answers = {}
        for system in ("kesher", "peer"):
            document = question.kesher if system == "kesher" else question.peer
            data, took = _post(clients[system], document, variables, f"{question.key}/{system}")
            seconds[system].append(took)
            answers[system] = question.answer(system, data, variables)
        if answers["kesher"] == answers["peer"]:
            agreed += 1
            rows.append(question.size(answers["kesher"]))
        elif not first_difference:
            first_difference = (
                f"   {question.key} {variables}:\n     Kesher {answers['kesher']}\n"
                f"     peer   {answers['peer']}"
            )
    median = {system: statistics.median(values) * 1000 for system, values in seconds.items()}
    mean_rows = statistics.mean(rows) if rows else 0.0
    print(
        f"{question.key + ': ' + question.title:<52} {agreed:>4} of {len(samples):<4} "
        f"{mean_rows:>6.1f} {median['kesher']:>10.1f} {median['peer']:>8.1f}",
        flush=True,
    )
    if first_difference:
        print(first_difference[:4000], file=sys.stderr, flush=True)
    return len(samples) - agreed


def _post(
    client: httpx.Client, document: str, variables: Variables, what: str
) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": document, "variables": variables})
    took = time.perf_counter() - started
    answer = response.json()
    if response.status_code != 200 or answer.get("errors"):
        raise RuntimeError(f"{what}: {response.status_code} {answer.get('errors') or answer}")
    data: dict[str, Any] = answer["data"]
    return data, took


if __name__ == "__main__":
    raise SystemExit(main())
