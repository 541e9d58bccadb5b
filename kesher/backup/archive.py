"""The backup archive: one tar.gz holding the nodes and the relationships as JSON Lines,
the attachment files, and a manifest that names the format, counts what was backed up
and gives the SHA-256 of every part. Everything here is file work, run in a thread.

    manifest.json
    nodes.jsonl             {"key", "labels", "properties"} a line
    relationships.jsonl     {"type", "start", "end", "properties"} a line
    attachments/<sha256>    each attachment's content, named by its hash
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

FORMAT = "kesher-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
NODES = "nodes.jsonl"
RELATIONSHIPS = "relationships.jsonl"
ATTACHMENTS = "attachments/"
_ATTACHMENT = re.compile(r"^attachments/[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


class ArchiveRefused(Exception):
    """An archive a restore will not use: damaged, foreign or of another format version."""


class Part:
    """A JSON Lines part written to a folder, hashed as it is written."""

    def __init__(self, folder: Path, name: str) -> None:
        self.name = name
        self.path = folder / name
        self._file = self.path.open("wb")
        self._hash = hashlib.sha256()
        self.bytes = 0
        self.lines = 0

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            line = orjson.dumps(row) + b"\n"
            self._file.write(line)
            self._hash.update(line)
            self.bytes += len(line)
            self.lines += 1

    def close(self) -> dict[str, Any]:
        """Closes the file; the manifest's entry for it."""
        self._file.close()
        return {"sha256": self._hash.hexdigest(), "bytes": self.bytes}


class _Hashing:
    """A file read through, hashed on the way (what tarfile reads an added file with)."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self.hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)
        self.hash.update(chunk)
        return chunk


def write_archive(
    target: Path, parts: list[Part], attachments: dict[str, Path], manifest: dict[str, Any]
) -> int:
    """Writes the archive next to `target` and then moves it there, so that an interrupted
    backup never leaves a partial archive under the name. The manifest goes last, with
    the hashes of the attachment files as they were read. Returns the archive's size."""
    entries = {part.name: part.close() for part in parts}
    partial = target.with_name(f".{target.name}.partial")
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            for part in parts:
                archive.add(part.path, arcname=part.name, recursive=False)
            for sha256, path in sorted(attachments.items()):
                name = ATTACHMENTS + sha256
                info = archive.gettarinfo(path, arcname=name)
                with path.open("rb") as file:
                    reader = _Hashing(file)
                    archive.addfile(info, reader)
                entries[name] = {"sha256": reader.hash.hexdigest(), "bytes": info.size}
            text = orjson.dumps({**manifest, "parts": entries}, option=orjson.OPT_INDENT_2)
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(text)
            info.mtime = int(os.path.getmtime(parts[0].path))
            archive.addfile(info, _Bytes(text))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk = bytes(self._data[self._at : end])
        self._at += len(chunk)
        return chunk


@dataclass
class Unpacked:
    """A verified archive, unpacked into a folder."""

    folder: Path
    manifest: dict[str, Any]
    attachments: list[str] = field(default_factory=list)

    def rows(self, name: str, size: int) -> Iterator[list[dict[str, Any]]]:
        """The part's lines as rows, `size` at a time."""
        batch: list[dict[str, Any]] = []
        with (self.folder / name).open("rb") as file:
            for line in file:
                batch.append(orjson.loads(line))
                if len(batch) == size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def attachment(self, sha256: str) -> Path:
        return self.folder / ATTACHMENTS / sha256


def unpack(source: Path, folder: Path) -> Unpacked:
    """Unpacks the archive into `folder` and checks it whole: a Kesher backup of this
    format version, every part the manifest names present with its SHA-256, nothing
    else in it. Raises ArchiveRefused naming the reason."""
    if not source.is_file():
        raise ArchiveRefused(f"{source} is not a file")
    found: dict[str, dict[str, Any]] = {}
    try:
        with tarfile.open(source, "r|gz") as archive:
            for member in archive:
                found[member.name] = _unpack_member(archive, member, folder)
    except (tarfile.TarError, zlib.error, EOFError, OSError) as error:
        raise ArchiveRefused(f"{source} is not a readable tar.gz archive ({error})") from error
    manifest = _manifest(folder, found)
    listed: dict[str, Any] = manifest.get("parts") or {}
    for name, entry in listed.items():
        if name not in found:
            raise ArchiveRefused(f"the part {name} the manifest lists is missing")
        if found[name]["sha256"] != entry.get("sha256"):
            raise ArchiveRefused(f"the part {name} is damaged: its SHA-256 does not match")
    unlisted = sorted(set(found) - set(listed) - {MANIFEST})
    if unlisted:
        raise ArchiveRefused(f"the archive holds {unlisted[0]}, which the manifest does not list")
    for name in (NODES, RELATIONSHIPS):
        if name not in listed:
            raise ArchiveRefused(f"the archive has no {name}")
    attachments = [
        name.removeprefix(ATTACHMENTS) for name in listed if name.startswith(ATTACHMENTS)
    ]
    for sha256 in attachments:
        if listed[ATTACHMENTS + sha256]["sha256"] != sha256:
            raise ArchiveRefused(f"the attachment {sha256} is damaged: its content differs")
    return Unpacked(folder, manifest, attachments)


def _unpack_member(
    archive: tarfile.TarFile, member: tarfile.TarInfo, folder: Path
) -> dict[str, Any]:
    name = member.name
    if name not in (MANIFEST, NODES, RELATIONSHIPS) and not _ATTACHMENT.match(name):
        raise ArchiveRefused(f"the archive holds {name!r}, which is no part of a Kesher backup")
    if not member.isfile():
        raise ArchiveRefused(f"the archive's {name} is not a file")
    source = archive.extractfile(member)
    assert source is not None
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("wb") as sink:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            sink.write(chunk)
    return {"sha256": digest.hexdigest(), "bytes": member.size}


def _manifest(folder: Path, found: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if MANIFEST not in found:
        raise ArchiveRefused("the archive has no manifest.json: it is not a Kesher backup")
    try:
        manifest = orjson.loads((folder / MANIFEST).read_bytes())
    except orjson.JSONDecodeError as error:
        raise ArchiveRefused(f"the manifest is not JSON ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveRefused("the manifest does not name the format kesher-backup")
    version = manifest.get("formatVersion")
    if version != FORMAT_VERSION:
        raise ArchiveRefused(
            f"the archive is of format version {version}; this Kesher reads version "
            f"{FORMAT_VERSION}"
        )
    return manifest


def place_attachment(unpacked: Unpacked, sha256: str, target: Path, temporary: Path) -> bool:
    """Moves an unpacked attachment into the content store at `target`, through the
    store's `temporary` name, unless the store already holds it; whether it was placed."""
    if target.is_file():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = temporary
    shutil.move(unpacked.attachment(sha256), partial)
    os.replace(partial, target)
    return True
