"""What does the viewer's check cost a read? A customer card read
through `Graph.rows` as a request reads it, plain and with the viewer's check in front of
the statement (`kesher.graph.viewer_guard`), alternating one at a time so both see the
same server. Prints p50 and p95 of each and the p50 difference.

It uses the Neo4j at `--neo4j-uri` (its database is wiped) or starts a local one of its
own in a temporary folder.

    python -m bench.viewer_guard --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import time
from contextlib import ExitStack

from bench.support import Timings, neo4j_arguments, scratch_or_given
from kesher.graph import records as graph_records
from kesher.graph.driver import Graph, connect
from kesher.graph.model import CUSTOMER
from kesher.graph.shapes import Shape
from kesher.graph.viewer_guard import ViewerCheck, checking

SEED = (
    "CREATE (:User {id: 'usr_bench_guard', email: 'guard@example.com', name: 'Guard', "
    "role: 'MEMBER', active: true, tokenVersion: 3}) "
    "CREATE (c:Customer {id: 'cus_bench_guard', name: 'Acme', createdAt: datetime(), "
    "updatedAt: datetime()}) "
    "WITH c UNWIND range(1, 20) AS i "
    "CREATE (:Contact {id: 'con_bench_' + i, name: 'Contact ' + i, createdAt: datetime(), "
    "updatedAt: datetime()})-[:WORKS_AT]->(c)"
)


async def measure(uri: str, user: str, password: str, requests: int) -> None:
    driver = connect(uri, user, password)
    try:
        await driver.execute_query("MATCH (n) DETACH DELETE n", database_="neo4j")
        await driver.execute_query(SEED, database_="neo4j")
        graph = Graph(driver, "neo4j", 10.0)
        shape = Shape(CUSTOMER, fields=frozenset({"name"}))
        check = ViewerCheck("usr_bench_guard", "MEMBER", 3)
        plain: list[float] = []
        guarded: list[float] = []
        for _ in range(50):  # warm the plans and the pool
            await graph_records.card(graph, None, shape, "cus_bench_guard")
            with checking(check):
                await graph_records.card(graph, None, shape, "cus_bench_guard")
        for _ in range(requests):
            started = time.perf_counter()
            await graph_records.card(graph, None, shape, "cus_bench_guard")
            plain.append(time.perf_counter() - started)
            with checking(check):
                started = time.perf_counter()
                await graph_records.card(graph, None, shape, "cus_bench_guard")
                guarded.append(time.perf_counter() - started)
    finally:
        await driver.close()
    print(f"customer card, {requests} reads each")
    print(f"  plain    p50 {Timings.p(plain, 0.5):6.2f} ms   p95 {Timings.p(plain, 0.95):6.2f} ms")
    print(
        f"  guarded  p50 {Timings.p(guarded, 0.5):6.2f} ms   p95 {Timings.p(guarded, 0.95):6.2f} ms"
    )
    print(f"  p50 overhead {Timings.p(guarded, 0.5) - Timings.p(plain, 0.5):+.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    neo4j_arguments(parser)
    args = parser.parse_args()
    with ExitStack() as stack:
        uri, user, password = scratch_or_given(stack, args)
        asyncio.run(measure(uri, user, password, args.requests))


if __name__ == "__main__":
    main()
