"""Orphan uploads: content in the attachment store that no attachment refers to, and the
temporary files of uploads that never finished. A process killed in the middle of an
upload leaves its temporary file behind, and one killed between placing the content and
the commit leaves content whose attachment never came to be.

Each API process sweeps the store when it starts and then every interval, removing such
files once they are older than a setting: an upload under way places its content before
its commit, and a re-upload of content already kept renews the file's time (see
`kesher.resolvers.attachments`), so a file that young may be about to be referred to."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from kesher.graph import attachments as graph_attachments
from kesher.graph.driver import Graph

logger = logging.getLogger("kesher.attachments")

TEMPORARY_PREFIX = ".upload-"
_HASH = re.compile(r"^[0-9a-f]{64}$")
# Hashes asked about per statement.
BATCH = 1000


async def remove_orphans(graph: Graph, folder: Path, older_than: float) -> int:
    """Removes the store's orphans older than `older_than` seconds; how many it removed."""
    cutoff = time.time() - older_than
    temporary, content = await asyncio.to_thread(_old_files, folder, cutoff)
    removed = await asyncio.to_thread(_remove_if_old, temporary, cutoff)
    for start in range(0, len(content), BATCH):
        batch = content[start : start + BATCH]
        kept = await graph_attachments.referenced(graph, [path.name for path in batch])
        orphans = [path for path in batch if path.name not in kept]
        removed += await asyncio.to_thread(_remove_if_old, orphans, cutoff)
    return removed


def _old_files(folder: Path, cutoff: float) -> tuple[list[Path], list[Path]]:
    """The temporary files and the content files last written before `cutoff`."""
    if not folder.is_dir():
        return [], []
    temporary = [
        path for path in folder.glob(TEMPORARY_PREFIX + "*") if _written_before(path, cutoff)
    ]
    content = [
        path
        for path in folder.glob("[0-9a-f][0-9a-f]/*")
        if _HASH.match(path.name) and path.name[:2] == path.parent.name
        if _written_before(path, cutoff)
    ]
    return temporary, content


def _written_before(path: Path, cutoff: float) -> bool:
    try:
        return path.is_file() and path.stat().st_mtime < cutoff
    except OSError:
        return False


def _remove_if_old(paths: list[Path], cutoff: float) -> int:
    """Removes the files still older than `cutoff`: one an upload renewed since it was
    listed is left alone."""
    removed = 0
    for path in paths:
        if not _written_before(path, cutoff):
            continue
        with contextlib.suppress(FileNotFoundError):
            size = path.stat().st_size
            path.unlink()
            removed += 1
            logger.info("Removed the orphan upload %s (%d bytes).", path, size)
    return removed


async def _loop(graph: Graph, folder: Path, older_than: float, interval: float) -> None:
    while True:
        try:
            await remove_orphans(graph, folder, older_than)
        except Exception:  # a failed sweep is logged; the next one tries again
            logger.exception("Sweeping orphan uploads failed; trying again in %s s.", interval)
        await asyncio.sleep(interval)


@asynccontextmanager
async def sweeping(
    graph: Graph, folder: Path, older_than: float, interval: float
) -> AsyncIterator[None]:
    """Sweeps the store at once and then every `interval` seconds while the block runs."""
    task = asyncio.create_task(
        _loop(graph, folder, older_than, interval), name="kesher-orphan-uploads"
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
