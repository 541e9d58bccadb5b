"""Attachments (R4.1): an upload is read in chunks into a temporary file in the content
store (a folder of files named by their SHA-256, so identical content is kept once), its
type is read from its first bytes, and one write transaction attaches it to its record.

The content takes its place in the store inside that transaction, once every check has
passed, and nothing ever deletes placed content: a refused upload only drops its own
temporary file, so it cannot remove content that another upload of the same bytes, still
being committed, relies on."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote

import puremagic
from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import Selection

from kesher.codes import Code
from kesher.graph import attachments as graph_attachments
from kesher.graph import records as graph_records
from kesher.graph.driver import Graph, Row
from kesher.graph.items import ATTACHMENT
from kesher.resolvers.context import Context, Viewer
from kesher.resolvers.errors import Refusal
from kesher.resolvers.records import audience, audience_of
from kesher.resolvers.selection import shape_of
from kesher.resolvers.writes import viewer_id, write

logger = logging.getLogger("kesher.attachments")

PREFIX = "att"
CHUNK = 64 * 1024
FALLBACK_TYPE = "application/octet-stream"
MAX_NAME_LENGTH = 255


class UploadedFile(Protocol):
    """What a multipart file part offers (Starlette's `UploadFile`)."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Content:
    """An upload written to a temporary file in the store, not yet in its place."""

    sha256: str
    size: int
    content_type: str
    temporary: Path


@dataclass(frozen=True)
class Download:
    path: Path
    name: str
    content_type: str


def content_path(folder: Path, sha256: str) -> Path:
    return folder / sha256[:2] / sha256


async def upload(
    context: Context, record_id: str, file: UploadedFile, selections: Iterable[Selection]
) -> Row | Refusal:
    """Reads the file, then attaches it to the record and puts its content in place in one
    write transaction; a refusal leaves neither a node nor stored content behind."""
    actor = viewer_id(context)
    settings = context.settings
    content = await keep(file, settings.attachments_dir, settings.max_attachment_bytes)
    if isinstance(content, Refusal):
        return content
    attachment_id = f"{PREFIX}_{secrets.token_hex(12)}"
    shape = shape_of(ATTACHMENT, selections, settings)
    values = {
        "name": file_name(file.filename),
        "contentType": content.content_type,
        "size": content.size,
        "sha256": content.sha256,
    }
    target = content_path(settings.attachments_dir, content.sha256)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_attachments.attach(
            tx, audience(context), attachment_id, record_id, actor, values
        )
        # Every check has passed: the content goes in place before the commit.
        await asyncio.to_thread(_place, content.temporary, target)
        return await graph_records.card_in(
            context.graph, tx, audience(context), shape, attachment_id
        )

    try:
        return await write(context, work)
    finally:
        await asyncio.to_thread(content.temporary.unlink, missing_ok=True)


async def keep(file: UploadedFile, folder: Path, limit: int) -> Content | Refusal:
    """Writes the upload to a temporary file in the store, reading at most `limit + 1`
    bytes: one more than allowed is enough to refuse. The caller places or drops it."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    handle, name = await asyncio.to_thread(tempfile.mkstemp, dir=folder, prefix=".upload-")
    temporary = Path(name)
    kept = False
    try:
        with os.fdopen(handle, "wb") as sink:
            digest, size = hashlib.sha256(), 0
            while chunk := await file.read(min(CHUNK, limit + 1 - size)):
                size += len(chunk)
                if size > limit:
                    return Refusal(
                        Code.INVALID_INPUT, f"file: larger than the limit of {limit} bytes.", "file"
                    )
                digest.update(chunk)
                await asyncio.to_thread(sink.write, chunk)
            if size == 0:
                return Refusal(Code.INVALID_INPUT, "file: the file is empty.", "file")
            await asyncio.to_thread(_flush, sink)
        content_type = await asyncio.to_thread(detect_type, temporary)
        kept = True
        return Content(digest.hexdigest(), size, content_type, temporary)
    finally:
        await file.close()
        if not kept:
            await asyncio.to_thread(temporary.unlink, missing_ok=True)


def _flush(sink: BinaryIO) -> None:
    sink.flush()
    os.fsync(sink.fileno())


def _place(temporary: Path, target: Path) -> None:
    """Moves the written content to its place, unless that content is kept already (a
    retried transaction finds it placed, or an earlier upload kept the same bytes). Kept
    content has its time renewed, so that the orphan sweep (`kesher.resolvers.
    orphan_uploads`) does not take it while this upload commits."""
    if target.exists():
        with contextlib.suppress(FileNotFoundError):
            os.utime(target)
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temporary, target)


def detect_type(path: Path) -> str:
    """The media type the content's magic bytes show, whatever the client claimed."""
    try:
        found = puremagic.from_file(str(path), mime=True)
    except (puremagic.PureError, ValueError):
        return FALLBACK_TYPE
    return found or FALLBACK_TYPE


def file_name(given: str | None) -> str:
    """The name to keep: the client's, without folders or control characters."""
    base = (given or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return cleaned[:MAX_NAME_LENGTH] or "attachment"


async def download(
    graph: Graph, viewer: Viewer, folder: Path, attachment_id: str
) -> Download | None:
    """The stored file of an attachment, or None when there is no such attachment, the
    viewer may not see it (it is on an activity they may not see) or its content is
    missing from the store."""
    found = await graph_attachments.stored(graph, audience_of(viewer), attachment_id)
    if found is None:
        return None
    path = content_path(folder, found["sha256"])
    if not await asyncio.to_thread(path.is_file):
        logger.error("The content of attachment %s is missing from %s", attachment_id, folder)
        return None
    return Download(path=path, name=found["name"], content_type=found["contentType"])


def disposition(name: str) -> str:
    """A `Content-Disposition` that keeps any name (RFC 6266 with RFC 5987 encoding), with
    an ASCII fallback for old clients."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
