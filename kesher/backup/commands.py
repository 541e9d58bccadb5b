"""The `kesher backup` and `kesher restore` commands; the only module here that prints.

Neo4j Community has no online backup, so a backup is logical: every node, with its
outgoing relationships, read in pages (memory stays bounded however large the graph),
and the attachment files the attachments refer to. It reads while the service may be
writing, one page at a time: for an exact copy, back up while nobody writes.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from neo4j import AsyncDriver
from tqdm import tqdm

from kesher import __version__
from kesher.backup import archive
from kesher.backup.archive import ArchiveRefused, Part, Unpacked
from kesher.backup.values import UnknownValue, as_instant, decode, encode
from kesher.graph import backup as graph
from kesher.graph.constraints import apply_constraints
from kesher.resolvers.attachments import content_path
from kesher.resolvers.orphan_uploads import TEMPORARY_PREFIX

T = TypeVar("T")

# Nodes read per statement (with their outgoing relationships); nodes or relationships
# written per transaction.
PAGE = 2000
BATCH = 2000


class DatabaseNotEmpty(Exception):
    """A restore adds to an empty database only, unless told to replace what it holds."""


async def backup(
    driver: AsyncDriver, database: str, attachments_dir: Path, target: Path, progress: bool
) -> dict[str, Any]:
    """Writes every node, relationship and attached file to the archive `target`; returns
    the manifest (without the parts)."""
    started = time.perf_counter()
    nodes_total, relationships_total = await graph.totals(driver, database)
    await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
    folder = Path(
        await asyncio.to_thread(tempfile.mkdtemp, prefix=".kesher-backup-", dir=target.parent)
    )
    try:
        nodes = await asyncio.to_thread(Part, folder, archive.NODES)
        relationships = await asyncio.to_thread(Part, folder, archive.RELATIONSHIPS)
        labels: Counter[str] = Counter()
        types: Counter[str] = Counter()
        hashes: set[str] = set()
        with _bar(nodes_total + relationships_total, "backup", progress) as bar:
            after = ""
            while page := await graph.page(driver, database, after, PAGE):
                node_rows = [_node_row(row, labels, hashes) for row in page]
                relationship_rows = [
                    _relationship_row(row["key"], outgoing, types)
                    for row in page
                    for outgoing in row["outgoing"]
                ]
                await asyncio.to_thread(nodes.write, node_rows)
                await asyncio.to_thread(relationships.write, relationship_rows)
                after = page[-1]["key"]
                bar.update(len(node_rows) + len(relationship_rows))
        files, missing = await asyncio.to_thread(_attachment_files, attachments_dir, hashes)
        manifest = {
            "format": archive.FORMAT,
            "formatVersion": archive.FORMAT_VERSION,
            "kesherVersion": __version__,
            "createdAt": datetime.now(UTC).isoformat(),
            "database": database,
            "counts": {
                "nodes": nodes.lines,
                "relationships": relationships.lines,
                "attachments": len(files),
                "labels": dict(sorted(labels.items())),
                "relationshipTypes": dict(sorted(types.items())),
            },
            "missingAttachments": missing,
        }
        size = await asyncio.to_thread(
            archive.write_archive, target, [nodes, relationships], files, manifest
        )
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
    seconds = time.perf_counter() - started
    for sha256 in missing:
        print(f"kesher: the attachment file {sha256} is missing from the store", file=sys.stderr)
    print(
        f"Backed up {nodes.lines:,} nodes, {relationships.lines:,} relationships and "
        f"{len(files):,} attachment files to {target} ({size:,} bytes) in {seconds:.1f} s."
    )
    return manifest


async def restore(
    driver: AsyncDriver,
    database: str,
    attachments_dir: Path,
    source: Path,
    force: bool,
    progress: bool,
) -> dict[str, Any]:
    """Loads the archive `source` into the database and its files into the attachment
    store. The archive is checked whole first, and the database must hold no data unless
    `force` (then it is emptied): a refusal (ArchiveRefused, DatabaseNotEmpty) changes
    nothing. Returns the counts found in the database afterwards."""
    started = time.perf_counter()
    await asyncio.to_thread(attachments_dir.mkdir, parents=True, exist_ok=True)
    folder = Path(
        await asyncio.to_thread(
            tempfile.mkdtemp, prefix=".kesher-restore-", dir=attachments_dir.parent
        )
    )
    try:
        unpacked = await asyncio.to_thread(archive.unpack, source, folder)
        if not force and await graph.holds_data(driver, database):
            raise DatabaseNotEmpty(
                f"database {database!r} already holds data; pass --force to replace it"
            )
        counts = unpacked.manifest.get("counts", {})
        await graph.clear(driver, database)
        await graph.prepare_restore(driver, database)
        total = counts.get("nodes", 0) + counts.get("relationships", 0)
        try:
            with _bar(total, "restore", progress) as bar:
                await _load(unpacked, archive.NODES, bar, _node_values, driver, database, True)
                await _load(
                    unpacked,
                    archive.RELATIONSHIPS,
                    bar,
                    _relationship_values,
                    driver,
                    database,
                    False,
                )
        except (graph.MissingEnds, UnknownValue) as error:
            raise RestoreIncomplete(
                f"the archive's content could not be loaded: {error}"
            ) from error
        await apply_constraints(driver, database)
        await graph.finish_restore(driver, database)
        placed = 0
        for sha256 in unpacked.attachments:
            placed += await asyncio.to_thread(
                archive.place_attachment,
                unpacked,
                sha256,
                content_path(attachments_dir, sha256),
                attachments_dir / f"{TEMPORARY_PREFIX}restore-{sha256}",
            )
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
    labels, types = await graph.counts(driver, database)
    _check_counts(counts, labels, types)
    nodes, relationships = await graph.totals(driver, database)
    seconds = time.perf_counter() - started
    print(f"Restored {source} (made {unpacked.manifest.get('createdAt')}) in {seconds:.1f} s:")
    print(f"  nodes            {nodes:>12,}")
    for label, count in sorted(labels.items()):
        print(f"    {label:<26} {count:>10,}")
    print(f"  relationships    {relationships:>12,}")
    for name, count in sorted(types.items()):
        print(f"    {name:<26} {count:>10,}")
    print(f"  attachment files {len(unpacked.attachments):>12,} ({placed:,} new in the store)")
    return {"labels": labels, "relationshipTypes": types}


async def _load(
    unpacked: Unpacked,
    part: str,
    bar: tqdm[Any],
    shape: Callable[[dict[str, Any]], dict[str, Any]],
    driver: AsyncDriver,
    database: str,
    nodes: bool,
) -> None:
    batches = unpacked.rows(part, BATCH)
    while batch := await asyncio.to_thread(_next, batches):
        rows = [shape(row) for row in batch]
        if nodes:
            await graph.create_nodes(driver, database, rows)
        else:
            await graph.create_relationships(driver, database, rows)
        bar.update(len(rows))


def _next(batches: Iterator[list[T]]) -> list[T]:
    return next(batches, [])


def _node_row(row: dict[str, Any], labels: Counter[str], hashes: set[str]) -> dict[str, Any]:
    # An interrupted restore's temporary label and key are no part of the data.
    kept = [label for label in row["labels"] if label != graph.RESTORE_LABEL]
    labels.update(kept)
    properties = row["properties"]
    if "Attachment" in kept and isinstance(properties.get("sha256"), str):
        hashes.add(properties["sha256"])
    return {
        "key": row["key"],
        "labels": kept,
        "properties": {
            name: encode(value) for name, value in properties.items() if name != graph.RESTORE_KEY
        },
    }


def _relationship_row(start: str, row: dict[str, Any], types: Counter[str]) -> dict[str, Any]:
    types[row["type"]] += 1
    return {
        "type": row["type"],
        "start": start,
        "end": row["end"],
        "properties": {name: encode(value) for name, value in row["properties"].items()},
    }


def _node_values(row: dict[str, Any]) -> dict[str, Any]:
    return {"key": row["key"], "labels": row["labels"], **_properties(row["properties"])}


def _relationship_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": row["type"],
        "start": row["start"],
        "end": row["end"],
        **_properties(row["properties"]),
    }


def _properties(encoded: dict[str, Any]) -> dict[str, Any]:
    """The values to send: date-times with a zone or offset as `[name, seconds since the
    epoch, nanoseconds, zone]` for the statement to build, the rest as the driver's."""
    properties: dict[str, Any] = {}
    datetimes: list[list[Any]] = []
    for name, value in encoded.items():
        instant = as_instant(value)
        if instant is None:
            properties[name] = decode(value)
        else:
            datetimes.append([name, *instant])
    return {"properties": properties, "datetimes": datetimes}


def _attachment_files(folder: Path, hashes: set[str]) -> tuple[dict[str, Path], list[str]]:
    """The stored file of each content hash attachments refer to, and the hashes whose
    file is missing."""
    files: dict[str, Path] = {}
    missing: list[str] = []
    for sha256 in sorted(hashes):
        path = content_path(folder, sha256)
        if path.is_file():
            files[sha256] = path
        else:
            missing.append(sha256)
    return files, missing


def _check_counts(counts: dict[str, Any], labels: dict[str, int], types: dict[str, int]) -> None:
    """The database holds what the manifest counted; the service's start-up may have
    added reference-number sequences, the reminder lock and the calendar buckets (with
    their marker) an older archive lacks."""
    expected: dict[str, int] = counts.get("labels", {})
    wrong = sorted(
        label
        for label in expected.keys() | labels.keys()
        if (labels.get(label, 0) < expected.get(label, 0))
        or (labels.get(label, 0) > expected.get(label, 0) and label not in _START_UP_LABELS)
    )
    wrong += sorted(
        name
        for name in types.keys() | counts.get("relationshipTypes", {}).keys()
        if types.get(name, 0) < counts.get("relationshipTypes", {}).get(name, 0)
        or (
            types.get(name, 0) > counts.get("relationshipTypes", {}).get(name, 0)
            and name not in _START_UP_TYPES
        )
    )
    if wrong:
        raise RestoreIncomplete(
            "the database does not hold what the archive counted, for " + ", ".join(wrong)
        )


_START_UP_LABELS = frozenset({"RefSequence", "ReminderLock", "CalendarMonth", "CalendarBackfill"})
_START_UP_TYPES = frozenset({"ON_CALENDAR"})


class RestoreIncomplete(Exception):
    """The database does not hold what the archive counted after a restore."""


def _bar(total: int, what: str, progress: bool) -> tqdm[Any]:
    return tqdm(total=total, desc=what, unit=" rows", disable=not progress, unit_scale=True)


__all__ = ["ArchiveRefused", "DatabaseNotEmpty", "RestoreIncomplete", "backup", "restore"]
