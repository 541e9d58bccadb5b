"""How fast is a CSV import? Writes a file of generated customers (Hebrew names, e-mails,
cities, external keys) and one of as many contacts naming them by key, then imports each
all or nothing the way `kesher import` does (read, check every row, look up what rows
name, write in chunks in one transaction) and prints rows per second. Smaller imports of
both run first and are wiped, so that the JIT has compiled Neo4j's write path.

Then the customers again, row by row (a transaction per 20,000 rows), into an emptied
database. It uses the Neo4j `--neo4j-uri` names (its database is wiped), else a scratch
one with a heap of `--heap` (the local Neo4j's default is 4g; one all-or-nothing
transaction of 100,000 rows needs more than the 1g scratch servers of the other benches):

    python -m bench.csv_import --rows 100000 --heap 3g
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from neo4j import AsyncDriver

from bench.support import neo4j_arguments, scratch_or_given
from kesher.graph.constraints import apply_constraints
from kesher.graph.driver import connect
from kesher.graph.launcher import LocalNeo4j, free_port
from kesher.import_command import import_file
from kesher.seeds.loader import wipe
from kesher.settings import Settings

DATABASE = "neo4j"
FIRST = ("דוד", "שרה", "Avi", "Noa", "Yosef", "מיכל", "Eitan", "Tamar")
LAST = ("כהן", "לוי", "Mizrahi", "Peretz", "Biton", "אברהם", "Friedman", "Katz")
CITIES = ("תל אביב", "ירושלים", "Haifa", "Beersheba", "Eilat", None)
STATUSES = ("LEAD", "PROSPECT", "ACTIVE", "FORMER")


def customers_file(rows: int, seed: int) -> bytes:
    random_ = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("externalKey", "name", "status", "email", "phone", "city"))
    for i in range(rows):
        name = f"{random_.choice(LAST)} {random_.choice(FIRST)} {i}"
        writer.writerow(
            (
                f"C-{i}",
                name,
                random_.choice(STATUSES),
                f"office{i}@customer.example",
                f"+972-3-{i:07d}",
                random_.choice(CITIES) or "",
            )
        )
    return out.getvalue().encode("utf-8-sig")


def contacts_file(rows: int, customers: int, seed: int) -> bytes:
    random_ = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("externalKey", "customerKey", "firstName", "lastName", "email", "title"))
    for i in range(rows):
        writer.writerow(
            (
                f"P-{i}",
                f"C-{random_.randrange(customers)}",
                random_.choice(FIRST),
                random_.choice(LAST),
                f"person{i}@contact.example",
                "מנהל רכש",
            )
        )
    return out.getvalue().encode("utf-8-sig")


async def measure(uri: str, user: str, password: str, rows: int, warm_up: int) -> None:
    driver = connect(uri, user, password)
    folder = Path(tempfile.mkdtemp(prefix="kesher-bench-csv-"))
    try:
        await wipe(driver, DATABASE)
        await apply_constraints(driver, DATABASE)
        if warm_up:
            for kind, content in (
                ("customers", customers_file(warm_up, seed=2)),
                ("contacts", contacts_file(warm_up, warm_up, seed=2)),
            ):
                warm = folder / f"warm-{kind}.csv"
                warm.write_bytes(content)
                await _import(driver, warm, kind, "ALL_OR_NOTHING", quiet=True)
            await wipe(driver, DATABASE)
        customers = customers_file(rows, seed=1)
        for kind, content, mode in (
            ("customers", customers, "ALL_OR_NOTHING"),
            ("contacts", contacts_file(rows, rows, seed=1), "ALL_OR_NOTHING"),
            ("customers", customers, "PER_ROW"),
        ):
            if mode == "PER_ROW":
                await wipe(driver, DATABASE)
            path = folder / f"{kind}.csv"
            path.write_bytes(content)
            seconds = await _import(driver, path, kind, mode, quiet=False)
            size = len(content) / 1_000_000
            print(
                f"{kind}, {mode}: {rows:,} rows ({size:.1f} MB) in {seconds:.1f} s: "
                f"{rows / seconds:,.0f} rows/s",
                flush=True,
            )
    finally:
        await driver.close()


async def _import(driver: AsyncDriver, path: Path, kind: str, mode: str, quiet: bool) -> float:
    started = time.perf_counter()
    status = await import_file(
        driver,
        DATABASE,
        path,
        kind,
        mode,
        max_rows=10_000_000,
        transaction_seconds=3600,
        progress=False,
        out=io.StringIO() if quiet else _Summary(),
    )
    if status != 0:
        raise RuntimeError(f"the import of {path} wrote nothing")
    return time.perf_counter() - started


class _Summary(io.StringIO):
    """Passes the import's summary line on to the terminal."""

    def write(self, text: str) -> int:
        print(f"   {text}", end="", flush=True)
        return len(text)


def _neo4j(stack: ExitStack, args: argparse.Namespace) -> tuple[str, str, str]:
    if args.neo4j_uri is not None:
        return scratch_or_given(stack, args)
    settings = Settings(_env_file=None)
    server = LocalNeo4j(
        home=Path(stack.enter_context(tempfile.TemporaryDirectory())),
        cache_dir=settings.cache_dir,
        version=settings.neo4j_version,
        bolt_port=free_port(),
        http_port=free_port(),
        heap=args.heap,
        pagecache="1g",
    )
    server.start()
    stack.callback(server.stop)
    return server.bolt_uri, server.user, server.password


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per file")
    parser.add_argument(
        "--warm-up", type=int, default=50_000, help="customers and contacts imported, then wiped"
    )
    parser.add_argument("--heap", default="3g", help="the scratch Neo4j's heap")
    neo4j_arguments(parser)
    args = parser.parse_args()
    with ExitStack() as stack:
        uri, user, password = _neo4j(stack, args)
        asyncio.run(measure(uri, user, password, args.rows, args.warm_up))


if __name__ == "__main__":
    main()
