"""Where a request's Python time goes, in one process: the app (lifespan run, production
settings), its httpx client and the driver, asked one benchmark question again and again
under cProfile against the benchmark graph of `--customers`. Prints the CPU milliseconds
per request (client and app: once without the profiler, once under it) and the top
functions by own time and by cumulative time.

    python -m bench.cpu_profile --question card [--full]

`--full` answers every query the full way through Strawberry (`compiled_queries` off),
to compare with the prepared path.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import time
from typing import Any

from bench import peer
from bench.questions import QUESTIONS
from bench.suite import prepare
from bench.support import SECRET, app_client, bench_neo4j, running, signed_in, sync_driver
from kesher.graph.launcher import LocalNeo4j
from kesher.resolvers.context import Role
from kesher.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--question", default="card", choices=[q.key for q in QUESTIONS])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    if args.full:
        # app_client reads its settings from the environment, as the service does.
        os.environ["KESHER_COMPILED_QUERIES"] = "false"
    question = next(q for q in QUESTIONS if q.key == args.question)
    settings = Settings(_env_file=None)
    server = peer.with_apoc(bench_neo4j(f"bench-suite-{args.customers}", settings), settings)
    with running(server), sync_driver(server) as driver:
        prepare(server, args.customers)
        headers = signed_in(driver, "bench-admin", Role.ADMIN, SECRET)
        samples = question.samples(driver, args.samples, random.Random("cpu-profile"))
        bodies = [{"query": question.kesher, "variables": v} for v in samples]
        asyncio.run(_profile(server, bodies, headers, args.rounds, args.top))


async def _profile(
    server: LocalNeo4j, bodies: list[dict[str, Any]], headers: dict[str, str], rounds: int, top: int
) -> None:
    async with app_client(server) as http:
        # Warm up: Neo4j plans each statement once, the app prepares each document once.
        for body in bodies * 2:
            await http.post("/graphql", json=body, headers=headers)

        async def ask_all() -> float:
            started = time.process_time()
            for body in bodies * rounds:
                answer = (await http.post("/graphql", json=body, headers=headers)).json()
                if "errors" in answer:
                    raise RuntimeError(answer["errors"])
            return (time.process_time() - started) * 1000 / (len(bodies) * rounds)

        bare = await ask_all()
        profile = cProfile.Profile()
        profile.enable()
        profiled = await ask_all()
        profile.disable()
        print(f"CPU ms per request: {bare:.2f} ({profiled:.2f} under the profiler)")
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    main()
