"""Importing customers, contacts, projects and relationships from a CSV file.

Each row is checked by the same rules, with the same messages, as the single-record
mutations (`kesher.resolvers.inputs`); what it refers to (owners, customers, records by id
or external key, relationship types) is looked up in one statement; then the accepted
rows are written in chunks. A dry run writes nothing; an all-or-nothing import writes in
one transaction, and nothing when any row is refused; a per-row import writes the
accepted rows, a transaction per 20,000 rows, and reports the refused ones.

Columns are the API's field names. A record row creates a record, or updates one named by
its `id` or by an `externalKey` (the caller's own key for the record, unique per kind)
already in the database; contacts and projects name their customer by `customerId` or by
its `customerKey`. A relationship row names its type by `typeKey` and its two ends,
`from` (the type's first kind, e.g. the father) and `to`, each by id or by key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import email_validator
from neo4j import AsyncManagedTransaction

from kesher.graph import imports as graph_imports
from kesher.graph import records as graph_records
from kesher.graph.driver import Graph
from kesher.resolvers.errors import Refusal, validate
from kesher.resolvers.import_files import CsvFile, FileRefused, FileRow, read, text_of
from kesher.resolvers.import_rows import Checked, Plan, Progress, Reject, Report, RowKeys, rejected
from kesher.resolvers.link_imports import LinkRow, check_link_row, plan_links
from kesher.resolvers.record_imports import Seen, plan_records
from kesher.resolvers.records import CONTACTS, CUSTOMERS, PROJECTS, Kind

MODES = ("DRY_RUN", "ALL_OR_NOTHING", "PER_ROW")

# The rows a per-row import checks and writes in one transaction.
PER_ROW_BATCH = 20_000

# Columns an export adds that an import of its file leaves alone.
EXPORTED = ("createdAt", "updatedAt")


@dataclass(frozen=True)
class ImportKind:
    """One kind of row: its columns, and the groups of which the header must name one."""

    name: str
    columns: tuple[str, ...]
    required: tuple[tuple[str, ...], ...]
    records: Kind | None = None


IMPORT_KINDS: Mapping[str, ImportKind] = {
    "CUSTOMERS": ImportKind(
        "CUSTOMERS",
        (
            "id",
            "externalKey",
            "name",
            "status",
            "email",
            "phone",
            "website",
            "city",
            "ownerId",
            *EXPORTED,
        ),
        (("name",),),
        CUSTOMERS,
    ),
    "CONTACTS": ImportKind(
        "CONTACTS",
        (
            "id",
            "externalKey",
            "customerId",
            "customerKey",
            "firstName",
            "lastName",
            "email",
            "phone",
            "title",
            *EXPORTED,
        ),
        (("firstName",), ("customerId", "customerKey")),
        CONTACTS,
    ),
    "PROJECTS": ImportKind(
        "PROJECTS",
        (
            "id",
            "externalKey",
            "customerId",
            "customerKey",
            "name",
            "status",
            "description",
            *EXPORTED,
        ),
        (("name",), ("customerId", "customerKey")),
        PROJECTS,
    ),
    "RELATIONSHIPS": ImportKind(
        "RELATIONSHIPS",
        ("typeKey", "fromId", "fromKey", "toId", "toKey", "startsOn", "endsOn", "note"),
        (("typeKey",), ("fromId", "fromKey"), ("toId", "toKey")),
    ),
}


def parse(content: bytes | str, kind: ImportKind, max_rows: int) -> CsvFile:
    """The file's rows; `FileRefused` when it cannot be read as a whole."""
    text = text_of(content) if isinstance(content, bytes) else content
    parsed = read(text, kind.columns, max_rows)
    for group in kind.required:
        if not set(group) & set(parsed.columns):
            names = " or ".join(group)
            raise FileRefused(
                f"{group[0]}: the header must have a {names} column.", field=group[0], line=1
            )
    return parsed


# An e-mail address every rule of `EmailStr` (the `email_validator` library) accepts as it
# is, but for the case of its domain: plain ASCII, dotted, an alphabetic top-level name,
# no IDNA label, within the lengths. Checking an import's addresses with the library costs
# about half a millisecond each; these are checked here, and any other goes to it.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SPECIAL_DOMAINS = tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES)


def plain_email(text: str) -> str | None:
    """The address, when it is plainly one `EmailStr` accepts; None to ask the library."""
    address = text.strip()
    if len(address) > 254 or "--" in address.partition("@")[2]:
        return None
    if not _PLAIN_EMAIL.fullmatch(address) or len(address.partition("@")[0]) > 64:
        return None
    domain = address.partition("@")[2].lower()
    if any(domain == name or domain.endswith("." + name) for name in _SPECIAL_DOMAINS):
        return None
    return address


def check_row(kind: ImportKind, row: FileRow) -> Checked | Reject:
    """The row's own checks, as the single-record mutation makes them."""
    if row.overflow:
        return Reject(row.line, None, "The row has more cells than the header has columns.")
    cells: dict[str, Any] = dict(row.cells)
    if kind.records is None:
        link = validate(LinkRow, cells)
        return rejected(row.line, link) if isinstance(link, Refusal) else check_link_row(row, link)
    for name in EXPORTED:
        cells.pop(name, None)
    keys = validate(
        RowKeys,
        {name: cells.pop(name) for name in ("id", "externalKey", "customerKey") if name in cells},
    )
    if isinstance(keys, Refusal):
        return rejected(row.line, keys)
    by_key = keys.customer_key is not None
    if by_key:
        if "customerId" in cells:
            return Reject(
                row.line, "customerKey", "customerKey: give customerId or customerKey, not both."
            )
        cells["customerId"] = keys.customer_key
    email = plain_email(cells["email"]) if "email" in cells else None
    if email is not None:
        del cells["email"]
    checked = validate(kind.records.create, cells)
    if isinstance(checked, Refusal):
        refusal = checked
        if by_key and refusal.field == "customerId":
            message = "customerKey" + refusal.message.removeprefix("customerId")
            refusal = Refusal(refusal.code, message, "customerKey")
        return rejected(row.line, refusal)
    if email is not None:
        checked = checked.model_copy(update={"email": email})
    return Checked(row.line, checked, keys)


async def run_import(
    graph: Graph,
    actor_id: str | None,
    kind: ImportKind,
    mode: str,
    parsed: CsvFile,
    progress: Progress | None = None,
) -> Report:
    """Checks every row of a `parse`d file, then writes as `mode` says: all or nothing in
    one transaction; row by row in a transaction per chunk of rows, each checking its rows
    against the database as it is then, so a long import holds no more than a chunk's
    changes at once. `actor_id` is the signed-in user (links record who made them); None
    on the command line, where links are made by the oldest active ADMIN."""
    report = Report(rows_read=len(parsed.rows))
    candidates: list[Checked] = []
    for row in parsed.rows:
        checked = check_row(kind, row)
        if isinstance(checked, Reject):
            report.rejects.append(checked)
        else:
            candidates.append(
                Checked(checked.line, checked.model, checked.keys, _columns(parsed, checked))
            )
    refused_early = bool(report.rejects)
    batches = (
        [
            candidates[start : start + PER_ROW_BATCH]
            for start in range(0, len(candidates), PER_ROW_BATCH)
        ]
        if mode == "PER_ROW"
        else [candidates]
    )
    seen = Seen()
    done = 0
    for batch in batches:

        async def work(
            tx: AsyncManagedTransaction,
            batch: list[Checked] = batch,
            before: Seen = seen,
            done: int = done,
        ) -> tuple[Report, Seen]:
            # A retried transaction starts again from what the earlier batches saw.
            batch_seen = before.copy()
            actor = await _actor(tx, actor_id, required=kind.records is None)
            attempt = Report(rows_read=0)
            if kind.records is not None:
                plan: Plan = await plan_records(tx, kind.records, batch, attempt, batch_seen)
            else:
                plan = await plan_links(tx, batch, attempt, actor)
            refused = refused_early or bool(attempt.rejects)
            if mode == "DRY_RUN" or (mode == "ALL_OR_NOTHING" and refused):
                return attempt, batch_seen

            async def advance(rows: int) -> None:
                if progress is not None:
                    await progress(done + rows)

            await plan.write(tx, actor, advance)
            attempt.written = True
            return attempt, batch_seen

        try:
            attempt, seen = await graph.write(work)
        except Exception as error:
            if graph_imports.too_large(error):
                raise FileRefused(
                    f"file: {len(batch)} rows are more than one transaction of this database "
                    "may hold (its transaction memory limit); nothing was written. Import "
                    "smaller files, or PER_ROW, which writes a chunk at a time."
                ) from error
            raise
        done += len(batch)
        report.created += attempt.created
        report.updated += attempt.updated
        report.rejects += attempt.rejects
        report.written = report.written or attempt.written
    report.rejects.sort(key=lambda reject: reject.line)
    if not report.written:
        report.created = report.created if mode == "DRY_RUN" else 0
        report.updated = report.updated if mode == "DRY_RUN" else 0
    return report


def _columns(parsed: CsvFile, checked: Checked) -> frozenset[str]:
    fields = type(checked.model).model_fields
    header = set(parsed.columns)
    if "customerKey" in header:
        header.add("customerId")
    return frozenset(name for name, info in fields.items() if info.alias in header)


async def _actor(tx: AsyncManagedTransaction, actor_id: str | None, required: bool) -> str:
    """Who imports: the signed-in user, else the oldest active ADMIN, whom links need (they
    record who made them); records do not, so "" stands for no one."""
    if actor_id is not None:
        await graph_records.require_actor(tx, actor_id)
        return actor_id
    admin = await graph_imports.oldest_admin(tx)
    if admin is None:
        if not required:
            return ""
        raise FileRefused("file: the database has no active ADMIN to import as.")
    return admin
