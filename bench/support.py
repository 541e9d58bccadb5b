"""What the benchmarks share: a Neo4j of their own with the benchmark graph loaded, the API
under uvicorn, and timing one request through HTTP against its Cypher run raw."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, LiteralString

import httpx
import neo4j
from neo4j import AsyncDriver, Driver, GraphDatabase, Query

from kesher.app import create_app
from kesher.graph.launcher import LocalNeo4j, free_port
from kesher.resolvers.context import Role, Viewer
from kesher.resolvers.tokens import issue
from kesher.seeds.loader import wipe
from kesher.settings import PROJECT_DIR, Settings

DATABASE = "neo4j"
SECRET = "bench-secret-" + "k" * 40


def signed_in(
    driver: Driver,
    user_id: str,
    role: Role,
    secret: str,
    ttl_seconds: int = 86_400,
    *,
    database: str = DATABASE,
) -> dict[str, str]:
    """The headers of a request made as `user_id`. Every request checks its viewer's User
    node (active, role and token version as the token says), so the node is created, or
    found and made active with this role and token version 0, before its token is issued."""
    now = datetime.now(UTC)
    driver.execute_query(
        "MERGE (u:User {id: $id}) "
        "ON CREATE SET u += {email: $id + '@bench.example.com', name: $id, handle: $id, "
        "passwordHash: '', createdAt: $now, updatedAt: $now} "
        "SET u.role = $role, u.active = true, u.tokenVersion = 0",
        id=user_id,
        role=role.value,
        now=now,
        database_=database,
    )
    token, _ = issue(Viewer(user_id, role), secret, ttl_seconds)
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Timings:
    """Seconds per request through the API and for its statement run raw."""

    api: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)

    @staticmethod
    def p(values: list[float], q: float) -> float:
        """The `q` quantile of `values`, in milliseconds."""
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def ratio(self) -> float:
        """API p50 over raw p50: the cost of everything around the statement."""
        return statistics.median(self.api) / statistics.median(self.raw)


def bench_neo4j(folder: str, settings: Settings) -> LocalNeo4j:
    """A Neo4j of the benchmark's own in `.kesher/<folder>`, kept between runs."""
    return LocalNeo4j(
        home=PROJECT_DIR / ".kesher" / folder,
        cache_dir=settings.cache_dir,
        version=settings.neo4j_version,
        bolt_port=free_port(),
        http_port=free_port(),
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
    )


@contextmanager
def running(server: LocalNeo4j) -> Iterator[LocalNeo4j]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sync_driver(server: LocalNeo4j) -> Driver:
    return GraphDatabase.driver(
        server.bolt_uri,
        auth=(server.user, server.password),
        notifications_min_severity="OFF",
    )


@dataclass(frozen=True)
class Holds:
    """A node count a loaded benchmark graph shows: `least` to `most` nodes of `label`."""

    label: LiteralString
    least: int
    most: int | None = None

    @classmethod
    def exactly(cls, label: LiteralString, count: int) -> Holds:
        return cls(label, count, count)

    def met_by(self, count: int) -> bool:
        return self.least <= count and (self.most is None or count <= self.most)


def node_counts(driver: Driver, labels: Sequence[LiteralString]) -> dict[str, int]:
    """How many nodes each label has (count-store lookups)."""
    columns = ", ".join(f"COUNT {{ (:{label}) }} AS {label}" for label in labels)
    records = driver.execute_query("RETURN " + columns, database_=DATABASE).records
    return {label: records[0][label] for label in labels}


def ensure_loaded(
    server: LocalNeo4j,
    expected: Sequence[Holds],
    load: Callable[[AsyncDriver], Awaitable[object]],
) -> None:
    """Empties the database and runs `load` unless it already holds what is `expected`."""
    with sync_driver(server) as driver:
        counts = node_counts(driver, [holds.label for holds in expected])
    if all(holds.met_by(counts[holds.label]) for holds in expected):
        print("   reusing the loaded graph", flush=True)
        return

    async def reload() -> None:
        async with neo4j.AsyncGraphDatabase.driver(
            server.bolt_uri, auth=(server.user, server.password)
        ) as driver:
            await wipe(driver, DATABASE)
            await load(driver)

    asyncio.run(reload())


@contextmanager
def api_server(neo: LocalNeo4j, workers: int = 1) -> Iterator[str]:
    """The API's base URL under uvicorn with `workers` worker processes, as `make run`
    starts it but without demo data."""
    with api_process(neo, workers) as (url, _):
        yield url


@contextmanager
def api_process(neo: LocalNeo4j, workers: int = 1) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The API under uvicorn: its base URL and the uvicorn process (with several workers,
    the parent of the worker processes)."""
    env = {
        "NEO4J_URI": neo.bolt_uri,
        "NEO4J_USER": neo.user,
        "NEO4J_PASSWORD": neo.password,
        "KESHER_ENVIRONMENT": "production",
        "KESHER_SECRET_KEY": SECRET,
    }
    with uvicorn_process("kesher.app:create_app", env, workers) as started:
        yield started


@contextmanager
def uvicorn_process(
    factory: str, env: Mapping[str, str], workers: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The ASGI app made by `factory` (`module:function`) under uvicorn, as `make run`
    serves Kesher (uvloop, httptools, no access log), with `env` added to this process's
    environment: its base URL, once `/readyz` answers 200, and the uvicorn process."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            factory,
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{factory} did not become ready")
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        process.wait(10)


@asynccontextmanager
async def app_client(server: LocalNeo4j) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app in-process (production settings, lifespan run), to ask it
    unmeasured things such as which statement a request sends. Its reminder scheduler is
    off: statements of its own would be taken for a request's."""
    settings = Settings(
        _env_file=None,
        neo4j_uri=server.bolt_uri,
        neo4j_user=server.user,
        neo4j_password=server.password,
        environment="production",
        secret_key=SECRET,
        reminder_interval_seconds=0,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.bench") as http:
            yield http


Statement = tuple[str, dict[str, Any]]


@contextmanager
def statements() -> Iterator[list[Statement]]:
    """The statements the app runs through the async driver meanwhile, with parameters:
    reads in auto-commit transactions (`AsyncSession.run`), writes in managed ones."""
    sent: list[Statement] = []
    originals = {kind: kind.run for kind in (neo4j.AsyncManagedTransaction, neo4j.AsyncSession)}

    def recording(original: Any) -> Any:
        async def run(
            self: Any, query: Any, parameters: dict[str, Any] | None = None, **kwargs: Any
        ) -> neo4j.AsyncResult:
            text = query.text if isinstance(query, neo4j.Query) else query
            sent.append((str(text), dict(parameters or {}, **kwargs)))
            result: neo4j.AsyncResult = await original(self, query, parameters, **kwargs)
            return result

        return run

    for kind, original in originals.items():
        kind.run = recording(original)  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        for kind, original in originals.items():
            kind.run = original  # type: ignore[method-assign]


async def sent_statement(
    http: httpx.AsyncClient, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], Statement]:
    """Asks the app in-process (see `app_client`) one GraphQL request: its answer (an
    answer with errors is raised) and the one statement it sent (more or none is raised)."""
    with statements() as sent:
        response = await http.post("/graphql", json=body, headers=headers)
    answer: dict[str, Any] = response.json()
    if "errors" in answer:
        raise RuntimeError(answer["errors"])
    if len(sent) != 1:
        raise RuntimeError(f"{len(sent)} statements for one request")
    return answer, sent[0]


def time_both(
    http: httpx.Client,
    driver: Driver,
    body: Mapping[str, Any],
    text: str,
    params: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> tuple[float, float, dict[str, Any]]:
    """Posts one GraphQL request, then runs its statement raw: the seconds each took, and
    the API's answer (an answer with errors is raised)."""
    started = time.perf_counter()
    response = http.post("/graphql", json=body, headers=headers)
    api = time.perf_counter() - started
    answer: dict[str, Any] = response.json()
    if "errors" in answer:
        raise RuntimeError(answer["errors"])
    started = time.perf_counter()
    # An auto-commit read, one round trip, as the app runs its reads.
    with driver.session(database=DATABASE, default_access_mode=neo4j.READ_ACCESS) as session:
        session.run(Query(text), dict(params)).fetch(2**31 - 1)
    raw = time.perf_counter() - started
    return api, raw, answer


# The scale the issues set their targets at.
TARGET_ACTIVITIES = 1_000_000


def at_target_scale(activities: int, asked_for_full_scale: bool) -> bool:
    """Whether figures may be reported: a graph below the target scale is an error when
    the full scale was asked for, and only a warning when a smaller graph was."""
    if activities >= TARGET_ACTIVITIES:
        return True
    if asked_for_full_scale:
        print(
            f"error: the graph holds {activities:,} activities, fewer than the "
            f"{TARGET_ACTIVITIES:,} the targets are set at: no figures reported; "
            "ask for more --customers.",
            file=sys.stderr,
        )
        return False
    print(
        f"   warning: the target scale is {TARGET_ACTIVITIES:,} activities; "
        "these figures are for a smaller graph.",
        flush=True,
    )
    return True


def neo4j_arguments(parser: argparse.ArgumentParser) -> None:
    """The options naming a Neo4j to measure on; without `--neo4j-uri`, a scratch one."""
    parser.add_argument("--neo4j-uri", help="a Neo4j to use (its database is wiped)")
    parser.add_argument("--neo4j-user", default="neo4j")
    parser.add_argument("--neo4j-password", default="")


def scratch_or_given(stack: ExitStack, args: argparse.Namespace) -> tuple[str, str, str]:
    """The URI, user and password of the Neo4j `args` name, or of a scratch one started in
    a temporary folder and stopped when `stack` closes."""
    if args.neo4j_uri is not None:
        return args.neo4j_uri, args.neo4j_user, args.neo4j_password
    settings = Settings(_env_file=None)
    server = LocalNeo4j(
        home=Path(stack.enter_context(tempfile.TemporaryDirectory())),
        cache_dir=settings.cache_dir,
        version=settings.neo4j_version,
        bolt_port=free_port(),
        http_port=free_port(),
        heap="1g",
        pagecache="512m",
    )
    server.start()
    stack.callback(server.stop)
    return server.bolt_uri, server.user, server.password


def summary(name: str, timings: list[float]) -> str:
    """`name`'s count, p50 and p95 in milliseconds."""
    quantiles = statistics.quantiles(timings, n=100)
    return (
        f"{name}: {len(timings)} requests, "
        f"p50 {quantiles[49] * 1000:.3f} ms, p95 {quantiles[94] * 1000:.3f} ms"
    )
