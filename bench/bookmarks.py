"""What does the bookmark manager cost? Times a small write and the read of what it wrote
through `Graph` (the layer every request goes through), alternating between a graph whose
sessions share a bookmark manager (as served) and one without bookmarks, so that both see
the same load on the machine; prints p50 and p95 of each.

It uses the Neo4j at NEO4J_URI, else starts a local one of its own on free ports in a
temporary folder:

    python -m bench.bookmarks --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
import time
from pathlib import Path

import neo4j

from bench.support import summary
from kesher.graph.driver import Graph, connect, tx_rows
from kesher.graph.launcher import LocalNeo4j, free_port
from kesher.settings import Settings

WRITE = "CREATE (:Customer {id: $id, name: 'Bookmark bench'})"
READ = "MATCH (c:Customer {id: $id}) RETURN c.name AS name"
CLEAN = "MATCH (c:Customer {name: 'Bookmark bench'}) DETACH DELETE c"


async def measure(
    uri: str, user: str, password: str, database: str, requests: int, warm_up: int
) -> dict[str, dict[str, list[float]]]:
    """Seconds of each write and each read after it, with and without bookmarks."""
    driver = connect(uri, user, password)
    try:
        with_bookmarks = Graph(driver, database, timeout=60)
        without = Graph(driver, database, timeout=60)
        without.bookmarks = None
        timings: dict[str, dict[str, list[float]]] = {
            "with bookmarks": {"write": [], "read": []},
            "without bookmarks": {"write": [], "read": []},
        }
        for i in range(warm_up + requests):
            for name, graph in (("with bookmarks", with_bookmarks), ("without bookmarks", without)):
                record_id = f"cus_{secrets.token_hex(8)}"

                async def create(tx: neo4j.AsyncManagedTransaction, record_id: str) -> None:
                    await tx_rows(tx, WRITE, {"id": record_id})

                started = time.perf_counter()
                await graph.write(create, record_id)
                written = time.perf_counter()
                rows = await graph.rows(READ, {"id": record_id})
                read = time.perf_counter()
                if rows != [{"name": "Bookmark bench"}]:
                    raise RuntimeError(f"the read after the write did not see it: {rows}")
                if i >= warm_up:
                    timings[name]["write"].append(written - started)
                    timings[name]["read"].append(read - written)
        await driver.execute_query(CLEAN, database_=database)
        return timings
    finally:
        await driver.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured pairs per side")
    parser.add_argument("--warm-up", type=int, default=200, help="unmeasured pairs first")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    server = None
    uri, user, password = (
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
    )
    if not uri:
        server = LocalNeo4j(
            home=Path(tempfile.mkdtemp(prefix="kesher-bench-bookmarks-")),
            cache_dir=settings.cache_dir,
            version=settings.neo4j_version,
            bolt_port=free_port(),
            http_port=free_port(),
            heap="1g",
            pagecache="512m",
        )
        server.start()
        uri, user, password = server.bolt_uri, server.user, server.password
    try:
        timings = asyncio.run(
            measure(uri, user, password, settings.neo4j_database, args.requests, args.warm_up)
        )
    finally:
        if server is not None:
            server.stop()
    for name, kinds in timings.items():
        for kind, values in kinds.items():
            print(summary(f"{kind:<5} {name}", values))


if __name__ == "__main__":
    main()
