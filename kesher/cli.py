"""The `kesher` command: run the service, manage the local Neo4j, seed and export, back up
and restore."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TypeVar

from neo4j import AsyncDriver
from pydantic import SecretStr

from kesher.seeds.activities import ACTIVITIES_PER_CUSTOMER
from kesher.settings import Settings

T = TypeVar("T")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kesher", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the API (starts a local Neo4j without NEO4J_URI)")
    run.add_argument("--host", help="default: KESHER_HOST, else 127.0.0.1")
    run.add_argument("--port", type=int, help="default: KESHER_PORT, else PORT, else 8000")
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--no-demo", action="store_true", help="do not seed demo data")
    run.add_argument(
        "--keep-neo4j", action="store_true", help="leave the local Neo4j running on exit"
    )

    neo4j = commands.add_parser("neo4j", help="the local Neo4j server")
    neo4j.add_argument("action", choices=("start", "stop", "status"))

    seed = commands.add_parser(
        "seed", help="load generated customers, contacts, projects, links and activities"
    )
    seed.add_argument("--customers", type=int, default=1000)
    seed.add_argument("--seed", type=int, default=1)
    seed.add_argument(
        "--activities-per-customer", type=float, default=ACTIVITIES_PER_CUSTOMER, metavar="N"
    )
    seed.add_argument(
        "--history",
        type=int,
        default=1,
        metavar="K",
        help="each customer's history K times as long (K times the activities)",
    )

    bench = commands.add_parser(
        "bench-load", help="wipe the database, load generated data, print the load rate"
    )
    bench.add_argument("--customers", type=int, default=100_000)
    bench.add_argument(
        "--activities-per-customer", type=float, default=ACTIVITIES_PER_CUSTOMER, metavar="N"
    )
    bench.add_argument(
        "--warm-up",
        type=int,
        default=50_000,
        help="customers loaded (and wiped) first so the JIT has compiled Neo4j's write path",
    )
    bench.add_argument(
        "--wipe",
        action="store_true",
        help="allow wiping the database at NEO4J_URI (without NEO4J_URI a separate local "
        "Neo4j in .kesher/bench-neo4j is used and your data is left alone)",
    )

    importing = commands.add_parser(
        "import",
        help="import customers, contacts, projects or relationships from a CSV file "
        "(all or nothing unless --dry-run or --per-row)",
    )
    importing.add_argument(
        "file", type=Path, help="a UTF-8 CSV file whose first line names the columns"
    )
    importing.add_argument("--kind", required=True, choices=_import_kinds())
    importing_mode = importing.add_mutually_exclusive_group()
    importing_mode.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    importing_mode.add_argument(
        "--per-row", action="store_true", help="write the good rows and report the others"
    )

    commands.add_parser("schema", help="print the GraphQL schema (SDL)")

    backup = commands.add_parser(
        "backup", help="write the database and the attachment files to one tar.gz archive"
    )
    backup.add_argument("file", type=Path, help="the archive to write (FILE.tar.gz)")

    restore = commands.add_parser(
        "restore", help="load a `kesher backup` archive into an empty database"
    )
    restore.add_argument("file", type=Path, help="the archive to read")
    restore.add_argument(
        "--force", action="store_true", help="empty a database that holds data, then restore"
    )

    args = parser.parse_args(argv)
    _exit_on_termination()
    settings = Settings()
    if args.command == "schema":
        from kesher.schema.schema import build_schema

        print(build_schema(settings).as_str())
        return 0
    if args.command == "neo4j":
        from kesher.graph.launcher import command

        return command(args.action, settings)
    if args.command == "run":
        return _run(settings, args)
    if args.command == "seed":
        from kesher.seeds.cli import DatabaseNotEmpty, run_seed

        settings, _ = _ensure_neo4j(settings)
        try:
            _with_driver(
                settings,
                lambda driver: run_seed(
                    driver,
                    settings.neo4j_database,
                    args.customers,
                    args.seed,
                    progress=True,
                    activities_per_customer=args.activities_per_customer,
                    history=args.history,
                ),
            )
        except DatabaseNotEmpty as error:
            print(f"kesher: {error}; seeding adds to an empty database only.", file=sys.stderr)
            return 1
        return 0
    if args.command == "import":
        return _import(settings, args)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(settings, args)
    if args.command == "bench-load":
        from kesher.seeds.cli import run_bench_load

        if settings.neo4j_uri and not args.wipe:
            print(
                f"kesher: bench-load empties the database at {settings.neo4j_uri}; "
                "pass --wipe if that is meant.",
                file=sys.stderr,
            )
            return 1
        if not settings.neo4j_uri:
            settings = settings.model_copy(
                update={
                    "neo4j_home": settings.neo4j_home.parent / "bench-neo4j",
                    "neo4j_bolt_port": settings.neo4j_bolt_port + 10,
                    "neo4j_http_port": settings.neo4j_http_port + 10,
                }
            )
        settings, stop = _ensure_neo4j(settings)
        try:
            _with_driver(
                settings,
                lambda driver: run_bench_load(
                    driver,
                    settings.neo4j_database,
                    args.customers,
                    args.warm_up,
                    args.activities_per_customer,
                ),
            )
        finally:
            if stop is not None:
                stop()
        return 0
    return 2


def _import_kinds() -> tuple[str, ...]:
    from kesher.import_command import KINDS

    return KINDS


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from kesher.import_command import import_file

    mode = "DRY_RUN" if args.dry_run else "PER_ROW" if args.per_row else "ALL_OR_NOTHING"
    settings, stop = _ensure_neo4j(settings)
    try:
        return _with_driver(
            settings,
            lambda driver: import_file(
                driver,
                settings.neo4j_database,
                args.file,
                args.kind,
                mode,
                max_rows=settings.import_max_rows,
                transaction_seconds=settings.import_timeout_seconds,
                progress=sys.stderr.isatty(),
            ),
        )
    finally:
        if stop is not None:
            stop()


def _exit_on_termination() -> None:
    """Makes SIGTERM (systemd, Docker, `kill`) and SIGHUP (a closed terminal) end the
    command as an exception would, so that its `finally` blocks stop the local Neo4j it
    started. Python's default for both ends the process on the spot, and uvicorn, which
    handles SIGTERM while it serves, raises it again once it has shut down."""

    def exit_with_signal(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, exit_with_signal)


def _ensure_neo4j(settings: Settings) -> tuple[Settings, Callable[[], None] | None]:
    """The settings to reach Neo4j: NEO4J_URI as given, else a local server started now.

    Returns a function that stops the local server, when one was started.
    """
    if settings.neo4j_uri:
        return settings, None
    from kesher.graph.launcher import LocalNeo4j, Neo4jStartError

    local = LocalNeo4j.from_settings(settings)
    was_running = local.is_running()
    try:
        local.start()
    except Neo4jStartError as error:
        sys.exit(f"kesher: {error}")
    print(f"Neo4j {settings.neo4j_version}: {local.bolt_uri}  Browser: {local.browser_url}")
    # uvicorn workers read their settings from the environment.
    os.environ.update(
        NEO4J_URI=local.bolt_uri, NEO4J_USER=local.user, NEO4J_PASSWORD=local.password
    )
    return settings.model_copy(
        update={
            "neo4j_uri": local.bolt_uri,
            "neo4j_user": local.user,
            "neo4j_password": SecretStr(local.password),
        }
    ), None if was_running else local.stop


def _backup_or_restore(settings: Settings, args: argparse.Namespace) -> int:
    from kesher.backup.commands import (
        ArchiveRefused,
        DatabaseNotEmpty,
        RestoreIncomplete,
        backup,
        restore,
    )

    settings, stop = _ensure_neo4j(settings)
    database, attachments = settings.neo4j_database, settings.attachments_dir
    progress = sys.stderr.isatty()
    try:
        if args.command == "backup":
            _with_driver(
                settings,
                lambda driver: backup(driver, database, attachments, args.file, progress),
                bootstrap=False,
            )
        else:
            _with_driver(
                settings,
                lambda driver: restore(
                    driver, database, attachments, args.file, args.force, progress
                ),
                bootstrap=False,
            )
    except (ArchiveRefused, DatabaseNotEmpty) as error:
        print(f"kesher: restore refused, nothing was changed: {error}.", file=sys.stderr)
        return 1
    except RestoreIncomplete as error:
        print(f"kesher: {error}; restore again with --force.", file=sys.stderr)
        return 1
    finally:
        if stop is not None:
            stop()
    return 0


def _with_driver(
    settings: Settings, work: Callable[[AsyncDriver], Awaitable[T]], bootstrap: bool = True
) -> T:
    """Runs `work` with a driver, after applying the constraints and indexes unless
    `bootstrap` is False (a backup reads as it finds; a restore applies them itself)."""
    from kesher.graph.constraints import apply_constraints
    from kesher.graph.driver import connect

    async def go() -> T:
        assert settings.neo4j_uri is not None
        driver = connect(
            settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password.get_secret_value()
        )
        try:
            if bootstrap:
                await apply_constraints(driver, settings.neo4j_database)
            return await work(driver)
        finally:
            await driver.close()

    return asyncio.run(go())


def _run(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from kesher.http_protocol import TimedHttpProtocol
    from kesher.seeds.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo

    host = args.host or settings.host
    port = args.port or settings.port
    settings, stop = _ensure_neo4j(settings)
    try:
        if not args.no_demo:
            seeded = _with_driver(
                settings, lambda driver: seed_demo(driver, settings.neo4j_database)
            )
            if seeded:
                print(f"Loaded the demo data. Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
            else:
                print(
                    "The database already holds data, so no demo data was loaded; "
                    f"{DEMO_EMAIL} / {DEMO_PASSWORD} works if an earlier run loaded it."
                )
        print(f"GraphQL: http://{host}:{port}/graphql")
        uvicorn.run(
            "kesher.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=args.workers,
            log_level="info",
            http=TimedHttpProtocol,
            limit_concurrency=settings.http_max_connections,
        )
    finally:
        if stop is not None and not args.keep_neo4j:
            print("Stopping the local Neo4j.")
            stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
