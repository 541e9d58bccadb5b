"""What do metrics, the access line and the request id cost a small query? Times
`{ me { id name } }` through the app in-process (httpx over ASGI, the whole middleware
stack and one Cypher read) and prints p50 and p95.

With `--compare` it makes two apps in one process, one as served and one without the
metrics middleware and the Neo4j timer, and alternates requests between them, so that
both see the same load on the machine.

It uses the Neo4j at NEO4J_URI, else starts a local one of its own on free ports in a
temporary folder. To compare with a tree without the instruments, run this file with that
tree's `kesher` first on the path:

    python bench/observability.py --requests 3000
    python bench/observability.py --requests 7500 --compare
    git archive <commit> | tar -x -C /tmp/base && PYTHONPATH=/tmp/base \
        python bench/observability.py --requests 3000
    python bench/observability.py --requests 7500 --compare
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import neo4j
from pydantic import SecretStr

import kesher
from bench.support import signed_in, summary
from kesher.app import create_app
from kesher.graph.launcher import LocalNeo4j, free_port
from kesher.resolvers.context import Role
from kesher.settings import Settings

SECRET = "bench-secret-key-" + "x" * 32
ME = "query Me { me { id name } }"


def _add_user(settings: Settings) -> dict[str, str]:
    auth = neo4j.basic_auth(settings.neo4j_user, settings.neo4j_password.get_secret_value())
    assert settings.neo4j_uri is not None
    with neo4j.GraphDatabase.driver(settings.neo4j_uri, auth=auth) as driver:
        return signed_in(
            driver, "usr_bench", Role.MEMBER, SECRET, 3600, database=settings.neo4j_database
        )


async def _timed(http: httpx.AsyncClient, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = await http.post("/graphql", json={"query": ME}, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert "errors" not in response.json()
    return elapsed


async def measure(settings: Settings, requests: int, warm_up: int) -> list[float]:
    headers = _add_user(settings)
    app = create_app(settings)
    timings: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for index in range(warm_up + requests):
                elapsed = await _timed(http, headers)
                if index >= warm_up:
                    timings.append(elapsed)
    return timings


async def compare(settings: Settings, requests: int, warm_up: int) -> dict[str, list[float]]:
    """Alternates requests between the app as served and one without its metrics."""
    headers = _add_user(settings)
    served, bare = create_app(settings), create_app(settings)
    bare.user_middleware = [
        middleware
        for middleware in bare.user_middleware
        if getattr(middleware.cls, "__name__", "") != "ObservedRequests"
    ]
    timings: dict[str, list[float]] = {"with metrics": [], "without metrics": []}
    async with served.router.lifespan_context(served), bare.router.lifespan_context(bare):
        bare.state.graph.timed = None
        apps = {"with metrics": served, "without metrics": bare}
        clients = {
            name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
            for name, app in apps.items()
        }
        for index in range(warm_up + requests):
            for name, http in clients.items():
                elapsed = await _timed(http, headers)
                if index >= warm_up:
                    timings[name].append(elapsed)
        for http in clients.values():
            await http.aclose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warm-up", type=int, default=300)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument(
        "--log-level", default="WARNING", help="INFO writes an access line a request"
    )
    args = parser.parse_args()
    settings = Settings(
        _env_file=None, secret_key=SECRET, reminder_interval_seconds=0, log_level=args.log_level
    )
    server = None
    if not settings.neo4j_uri:
        defaults = Settings(_env_file=None)
        server = LocalNeo4j(
            home=Path(tempfile.mkdtemp(prefix="kesher-bench-observability-")),
            cache_dir=defaults.cache_dir,
            version=defaults.neo4j_version,
            bolt_port=free_port(),
            http_port=free_port(),
            heap="1g",
            pagecache="512m",
        )
        server.start()
        settings = settings.model_copy(
            update={
                "neo4j_uri": server.bolt_uri,
                "neo4j_user": server.user,
                "neo4j_password": SecretStr(server.password),
            }
        )
    try:
        if args.compare:
            for name, timings in asyncio.run(
                compare(settings, args.requests, args.warm_up)
            ).items():
                print(summary(name, timings))
        else:
            timings = asyncio.run(measure(settings, args.requests, args.warm_up))
            print(summary(str(Path(kesher.__file__).parent.parent), timings))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
