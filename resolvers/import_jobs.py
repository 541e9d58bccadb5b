"""CSV imports through the API, as jobs: `importCsv` reads the file and checks its header in
the request, then runs the import in the background and answers with its job, finished
if it finished within `import_wait_seconds`; a longer one is polled with `importJob(id)`,
which says how many rows are written so far. The job lives in the database, so a poll
may reach any replica of the API."""

from __future__ import annotations

import asyncio
import contextvars
import copy
import json
import logging
import secrets
from collections.abc import Coroutine
from dataclasses import asdict
from typing import Any

from kesher.codes import Code
from kesher.graph import import_jobs
from kesher.graph.driver import Graph, Row
from kesher.graph.errors import GraphError
from kesher.resolvers.attachments import UploadedFile
from kesher.resolvers.context import Context, Role
from kesher.resolvers.errors import Refusal
from kesher.resolvers.import_files import CsvFile, FileRefused
from kesher.resolvers.import_rows import Report
from kesher.resolvers.imports import IMPORT_KINDS, ImportKind, parse, run_import
from kesher.resolvers.writes import viewer_id

logger = logging.getLogger("kesher.imports")

PREFIX = "imp"

# The imports running in this process (a task only weakly held would be collected).
_running: set[asyncio.Task[None]] = set()


async def import_csv(
    context: Context,
    kind_name: str,
    mode: str,
    file: UploadedFile | None,
    text: str | None,
) -> Row | Refusal:
    actor = viewer_id(context)
    settings = context.settings
    if (file is None) == (text is None):
        return Refusal(Code.INVALID_INPUT, "file: give either a file or text.", "file")
    content: bytes | str = text or ""
    if text is not None and not _encodable(text):
        return Refusal(Code.INVALID_INPUT, "text: must be valid text.", "text")
    if file is not None:
        try:
            content = await file.read()
        finally:
            await file.close()
    kind = IMPORT_KINDS[kind_name]
    try:
        parsed = await asyncio.to_thread(parse, content, kind, settings.import_max_rows)
    except FileRefused as error:
        return Refusal(Code.INVALID_INPUT, error.message, error.field)
    job_id = f"{PREFIX}_{secrets.token_hex(12)}"
    values = {"kind": kind_name, "mode": mode, "rowsRead": len(parsed.rows)}
    await import_jobs.start(context.graph, job_id, actor, values)
    # The import outlives the request: a graph of its own, with the import's timeout,
    # and a context without the request's deadline.
    graph = copy.copy(context.graph)
    graph.timeout = settings.import_timeout_seconds
    task = _spawn(
        _run(graph, job_id, actor, kind, mode, parsed, settings.import_max_reported_rejects)
    )
    await asyncio.wait({task}, timeout=settings.import_wait_seconds)
    found = await import_jobs.job(context.graph, job_id, actor, admin=False)
    assert found is not None
    return found


async def job(context: Context, job_id: str) -> Row | None:
    """The job, to the user who started it or an ADMIN."""
    viewer = context.viewer
    actor = viewer_id(context)
    admin = viewer is not None and viewer.role is Role.ADMIN
    return await import_jobs.job(context.graph, job_id, actor, admin)


def _encodable(text: str) -> bool:
    """False for text holding lone surrogates, which no file can."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def rejects_of(row: Row) -> list[Row]:
    kept: list[Row] = json.loads(row.get("rejectsJson") or "[]")
    return kept


def _spawn(work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    task = asyncio.get_running_loop().create_task(work, context=contextvars.Context())
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


async def _run(
    graph: Graph,
    job_id: str,
    actor: str,
    kind: ImportKind,
    mode: str,
    parsed: CsvFile,
    max_rejects: int,
) -> None:
    async def progress(done: int) -> None:
        await import_jobs.note(graph, job_id, {"rowsWritten": done})

    try:
        report = await run_import(graph, actor, kind, mode, parsed, progress)
    except (FileRefused, GraphError) as error:
        await import_jobs.note(graph, job_id, _failed(error.message), finished=True)
    except Exception:
        logger.exception("import %s failed", job_id)
        problem = "The import failed unexpectedly; nothing was written."
        await import_jobs.note(graph, job_id, _failed(problem), finished=True)
    else:
        await import_jobs.note(graph, job_id, _done(report, max_rejects), finished=True)


def _failed(problem: str) -> Row:
    return {"state": "FAILED", "problem": problem, "written": False, "rowsWritten": 0}


def _done(report: Report, max_rejects: int) -> Row:
    written = report.created + report.updated if report.written else 0
    return {
        "state": "DONE",
        "created": report.created,
        "updated": report.updated,
        "rejected": len(report.rejects),
        "rejectsJson": json.dumps([asdict(reject) for reject in report.rejects[:max_rejects]]),
        "written": report.written,
        "rowsWritten": written,
    }
