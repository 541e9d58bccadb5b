"""`kesher import FILE --kind customers`: a CSV import from the command line, with a
progress bar, straight against the database (no API, no deadline). Links are recorded as
made by the oldest active ADMIN."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from neo4j import AsyncDriver
from tqdm import tqdm

from kesher.graph.catalog import load_keys
from kesher.graph.driver import Graph
from kesher.resolvers.import_files import FileRefused
from kesher.resolvers.import_rows import Report
from kesher.resolvers.imports import IMPORT_KINDS, parse, run_import

KINDS = tuple(name.lower() for name in IMPORT_KINDS)


async def import_file(
    driver: AsyncDriver,
    database: str,
    path: Path,
    kind_name: str,
    mode: str,
    *,
    max_rows: int,
    transaction_seconds: float,
    progress: bool,
    out: TextIO | None = None,
) -> int:
    """Imports the file and prints its report; the exit status: 0 when the import did what
    it was asked (a dry run or a per-row import may still report refused rows), 1 when the
    file was refused or an all-or-nothing import wrote nothing."""
    kind = IMPORT_KINDS[kind_name.upper()]
    graph = Graph(driver, database, transaction_seconds)
    await load_keys(graph)
    try:
        content = await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        print(f"kesher: {path}: {error.strerror}.", file=sys.stderr)
        return 1
    try:
        parsed = await asyncio.to_thread(parse, content, kind, max_rows)
    except FileRefused as error:
        print(f"kesher: {path}: {error.message} Nothing was imported.", file=sys.stderr)
        return 1
    # The bar moves a chunk of rows at a time: each move is drawn.
    with tqdm(
        total=len(parsed.rows),
        unit="row",
        desc="written",
        disable=not progress,
        file=sys.stderr,
        mininterval=0,
    ) as bar:

        async def advance(done: int) -> None:
            bar.update(done - bar.n)

        try:
            report = await run_import(graph, None, kind, mode, parsed, advance)
        except FileRefused as error:
            print(f"kesher: {error.message} Nothing was imported.", file=sys.stderr)
            return 1
    _print(report, mode, out or sys.stdout)
    return 1 if mode == "ALL_OR_NOTHING" and not report.written else 0


def _print(report: Report, mode: str, out: TextIO) -> None:
    for reject in report.rejects:
        column = f" [{reject.column}]" if reject.column else ""
        print(f"line {reject.line}{column}: {reject.reason}", file=out)
    read, refused = f"{report.rows_read} rows read", f"{len(report.rejects)} refused"
    if report.written:
        summary = f"{read}: {report.created} created, {report.updated} updated, {refused}."
    elif mode == "DRY_RUN":
        summary = (
            f"{read}: {report.created} to create, {report.updated} to update, {refused} "
            "(a dry run: nothing was written)."
        )
    else:
        summary = f"{read}: {refused}, so nothing was written."
    print(summary, file=out)
