"""Importing customers, contacts, projects and relationships from a CSV file.

Each row is checked by the same rules, with the same messages, as the single-record
mutations (`kesher.resolvers.inputs`); what it refers to (owners, customers, records by id
or external key, relationship types) is looked up in one statement; then the accepted
rows are written in chunks, all in one transaction. A dry run writes nothing; an
all-or-nothing import writes nothing when any row is refused; a per-row import writes
the accepted rows and reports the refused ones.

Columns are the API's field names. A record row creates a record, or updates one named by
its `id` or by an `externalKey` (the caller's own key for the record, unique per kind)
already in the database; contacts and projects name their customer by `customerId` or by
its `customerKey`. A relationship row names its type by `typeKey` and its two ends,
`from` (the type's first kind, e.g. the father) and `to`, each by id or by key.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, LiteralString

import email_validator
from neo4j import AsyncManagedTransaction
from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from kesher.graph import imports as graph_imports
from kesher.graph import records as graph_records
from kesher.graph.catalog import InvalidKey, check_key, load_keys
from kesher.graph.driver import Graph, Row
from kesher.graph.relationships import new_relationship_id
from kesher.resolvers import inputs
from kesher.resolvers.errors import Refusal, validate
from kesher.resolvers.import_files import CsvFile, FileRefused, FileRow, read, text_of
from kesher.resolvers.records import CONTACTS, CUSTOMERS, PROJECTS, Kind

MODES = ("DRY_RUN", "ALL_OR_NOTHING", "PER_ROW")

# The rows a per-row import checks and writes in one transaction.
PER_ROW_BATCH = 20_000

# Called with the number of rows written so far, after each chunk.
Progress = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Reject:
    """A refused row: its first line in the file, the column at fault (when one is), why,
    and the code a single mutation would have refused it with."""

    line: int
    column: str | None
    reason: str
    code: str = "INVALID_INPUT"


@dataclass
class Report:
    rows_read: int
    created: int = 0
    updated: int = 0
    rejects: list[Reject] = field(default_factory=list)
    written: bool = False


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


class RowKeys(inputs.Input):
    """The columns a record row has beside its kind's input."""

    id: inputs.Id | None = None
    external_key: inputs.Id | None = None
    customer_key: inputs.Id | None = None


class LinkRow(inputs.Input):
    type_key: inputs.TypeKey
    from_id: inputs.Id | None = None
    from_key: inputs.Id | None = None
    to_id: inputs.Id | None = None
    to_key: inputs.Id | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    note: inputs.Note | None = None


@dataclass(frozen=True)
class Checked:
    """A row that passed the checks that need no database."""

    line: int
    model: BaseModel
    keys: RowKeys | None = None
    # The input's fields (snake case) whose columns the header names: what an update sets.
    columns: frozenset[str] = frozenset()


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
        return _rejected(row.line, link) if isinstance(link, Refusal) else _link(row, link)
    for name in EXPORTED:
        cells.pop(name, None)
    keys = validate(
        RowKeys,
        {name: cells.pop(name) for name in ("id", "externalKey", "customerKey") if name in cells},
    )
    if isinstance(keys, Refusal):
        return _rejected(row.line, keys)
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
        return _rejected(row.line, refusal)
    if email is not None:
        checked = checked.model_copy(update={"email": email})
    return Checked(row.line, checked, keys)


def _link(row: FileRow, checked: LinkRow) -> Checked | Reject:
    for end in ("from", "to"):
        given = [name for name in (f"{end}Id", f"{end}Key") if name in row.cells]
        if len(given) != 1:
            reason = "give one of" if not given else "give only one of"
            return Reject(row.line, f"{end}Id", f"{end}Id: {reason} {end}Id and {end}Key.")
    try:
        check_key(checked.type_key)
    except InvalidKey as error:
        return Reject(row.line, "typeKey", f"typeKey: {error}")
    if checked.starts_on and checked.ends_on and checked.starts_on > checked.ends_on:
        return Reject(row.line, "endsOn", "endsOn: a link cannot end before it starts.")
    return Checked(row.line, checked)


def _rejected(line: int, refusal: Refusal) -> Reject:
    return Reject(line, refusal.field, refusal.message, refusal.code)


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
    seen = _Seen()
    done = 0
    for batch in batches:

        async def work(
            tx: AsyncManagedTransaction,
            batch: list[Checked] = batch,
            before: _Seen = seen,
            done: int = done,
        ) -> tuple[Report, _Seen]:
            # A retried transaction starts again from what the earlier batches saw.
            batch_seen = before.copy()
            actor = await _actor(tx, actor_id, required=kind.records is None)
            attempt = Report(rows_read=0)
            if kind.records is not None:
                plan: _Plan = await _plan_records(tx, kind.records, batch, attempt, batch_seen)
            else:
                plan = await _plan_links(tx, batch, attempt, actor)
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
    if kind.records is None and report.written:
        await load_keys(graph)
    return report


@dataclass
class _Seen:
    """Which rows name which external keys and records, across the batches of a file."""

    keys: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def copy(self) -> _Seen:
        return _Seen(dict(self.keys), dict(self.ids))


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
    rows = await graph_imports.look_up(
        tx,
        "OPTIONAL MATCH (u:User {role: 'ADMIN', active: true}) "
        "WITH u ORDER BY u.createdAt LIMIT 1 RETURN u.id AS id",
        {},
    )
    if rows["id"] is None:
        if not required:
            return ""
        raise FileRefused("file: the database has no active ADMIN to import as.")
    return str(rows["id"])


class _Plan:
    async def write(
        self, tx: AsyncManagedTransaction, actor: str, progress: Progress | None
    ) -> None:
        raise NotImplementedError


@dataclass
class _RecordPlan(_Plan):
    label: LiteralString
    rows: list[Row]

    async def write(
        self, tx: AsyncManagedTransaction, actor: str, progress: Progress | None
    ) -> None:
        done = 0
        for new, text in (
            (True, graph_imports.create_records(self.label)),
            (False, graph_imports.update_records(self.label)),
        ):
            rows = [row for row in self.rows if row["new"] is new]
            for chunk in graph_imports.chunks(rows):
                await graph_imports.rows_of(tx, text, {"rows": chunk})
                done += len(chunk)
                if progress is not None:
                    await progress(done)


async def _plan_records(
    tx: AsyncManagedTransaction,
    kind: Kind,
    candidates: Sequence[Checked],
    report: Report,
    seen: _Seen,
) -> _RecordPlan:
    label = kind.label.name
    wanted: dict[str, set[str]] = {
        name: set() for name in ("ids", "keys", "owners", "customerIds", "customerKeys")
    }
    for candidate in candidates:
        keys = candidate.keys
        assert keys is not None
        model: Any = candidate.model
        for name, value in (
            ("ids", keys.id),
            ("keys", keys.external_key),
            ("owners", getattr(model, "owner_id", None)),
            ("customerKeys", keys.customer_key),
            (
                "customerIds",
                getattr(model, "customer_id", None) if keys.customer_key is None else None,
            ),
        ):
            if value is not None:
                wanted[name].add(value)
    found = await graph_imports.look_up(
        tx,
        graph_imports.records_lookup(label),
        {name: sorted(values) for name, values in wanted.items()},
    )
    known = {name: {row[0]: (row[1], row[2]) for row in found[name]} for name in wanted}
    what = label.lower()
    rows: list[Row] = []
    for candidate in candidates:
        keys = candidate.keys
        assert keys is not None
        line = candidate.line

        def refuse(column: str, reason: str, code: str, at: int = line) -> None:
            report.rejects.append(Reject(at, column, f"{column}: {reason}", code))

        target: str | None = None
        if keys.id is not None:
            record = known["ids"].get(keys.id)
            if record is None:
                refuse("id", f"no {what} has the id {keys.id!r}.", "NOT_FOUND")
                continue
            target = keys.id
            if not record[1]:
                refuse("id", f"the {what} {keys.id!r} is archived.", "ARCHIVED")
                continue
        if keys.external_key is not None:
            record = known["keys"].get(keys.external_key)
            if record is not None and target is not None and record[0] != target:
                refuse(
                    "externalKey", f"another {what} has the key {keys.external_key!r}.", "CONFLICT"
                )
                continue
            if record is not None and target is None:
                target = record[0]
                if not record[1]:
                    refuse("externalKey", f"the {what} {target!r} is archived.", "ARCHIVED")
                    continue
            earlier = seen.keys.setdefault(keys.external_key, line)
            if earlier != line:
                refuse("externalKey", f"repeats line {earlier}.", "CONFLICT")
                continue
        if target is not None:
            earlier = seen.ids.setdefault(target, line)
            if earlier != line:
                refuse("id", f"the row of line {earlier} already changes this {what}.", "CONFLICT")
                continue
        given: Any = candidate.model
        owner = getattr(given, "owner_id", None)
        if owner is not None:
            user = known["owners"].get(owner)
            if user is None:
                refuse("ownerId", f"no user has the id {owner!r}.", "NOT_FOUND")
                continue
            if not user[1]:
                refuse("ownerId", f"the user {owner!r} is deactivated.", "FORBIDDEN")
                continue
        customer_column = "customerKey" if keys.customer_key is not None else "customerId"
        customer_given = getattr(given, "customer_id", None)
        link: str | None = owner
        if customer_given is not None:
            table = known["customerKeys" if keys.customer_key is not None else "customerIds"]
            customer = table.get(customer_given)
            by = "key" if keys.customer_key is not None else "id"
            if customer is None:
                refuse(
                    customer_column, f"no customer has the {by} {customer_given!r}.", "NOT_FOUND"
                )
                continue
            if not customer[1]:
                refuse(customer_column, f"the customer {customer_given!r} is archived.", "ARCHIVED")
                continue
            link = customer[0]
        names = (
            type(given).model_fields.keys()
            if target is None
            else candidate.columns
            & (given.model_fields_set | {n for n in candidate.columns if _clearable(given, n)})
        )
        values = _values(kind, given, names)
        if keys.external_key is not None:
            values["externalKey"] = keys.external_key
        if target is None:
            report.created += 1
        else:
            report.updated += 1
        rows.append(
            {
                "id": target or f"{kind.prefix}_{secrets.token_hex(12)}",
                "new": target is None,
                "values": values,
                "link": link,
            }
        )
    return _RecordPlan(label, rows)


# Each kind's input fields as graph properties; None for a field that sets a link.
_PROPERTIES: dict[str, dict[str, str | None]] = {}


def _values(kind: Kind, model: BaseModel, names: Iterable[str]) -> dict[str, Any]:
    """The graph property values of these fields, as `split` gives them (e-mail in lower
    case, links left out), at a fraction of its cost per row."""
    properties = _PROPERTIES.get(kind.label.name)
    if properties is None:
        properties = {
            name: None
            if to_camel(name) in kind.links
            else kind.label.properties.get(name, to_camel(name))
            for name in type(model).model_fields
        }
        _PROPERTIES[kind.label.name] = properties
    values: dict[str, Any] = {}
    for name in names:
        prop = properties[name]
        if prop is None:
            continue
        value = getattr(model, name)
        values[prop] = str(value).lower() if name == "email" and value is not None else value
    return values


def _clearable(model: BaseModel, name: str) -> bool:
    """An optional field with no default but none: an empty cell clears it."""
    info = type(model).model_fields[name]
    return info.default is None and not info.is_required()


@dataclass
class _LinkPlan(_Plan):
    by_type: dict[str, list[Row]]

    async def write(
        self, tx: AsyncManagedTransaction, actor: str, progress: Progress | None
    ) -> None:
        done = 0
        for key, rows in self.by_type.items():
            text = graph_imports.write_links(key)
            for chunk in graph_imports.chunks(rows):
                params = {"rows": chunk, "actor": actor, "key": key}
                await graph_imports.rows_of(tx, text, params)
                done += len(chunk)
                if progress is not None:
                    await progress(done)


async def _plan_links(
    tx: AsyncManagedTransaction, candidates: Sequence[Checked], report: Report, actor: str
) -> _LinkPlan:
    ids: set[str] = set()
    keys: dict[str, set[str]] = {label: set() for label in graph_imports.RECORD_LABELS}
    links: list[tuple[int, LinkRow]] = []
    for candidate in candidates:
        assert isinstance(candidate.model, LinkRow)
        links.append((candidate.line, candidate.model))
        for value in (candidate.model.from_id, candidate.model.to_id):
            if value is not None:
                ids.add(value)
    found = await graph_imports.look_up(
        tx,
        graph_imports.RELATIONSHIPS_LOOKUP,
        {
            "ids": sorted(ids),
            "labels": ["Customer", "Contact", "Project", "ExternalParty"],
            **{f"{label.lower()}Keys": [] for label in graph_imports.RECORD_LABELS},
        },
    )
    types = {row["key"]: row for row in found["types"]}
    for _, link in links:
        type_row = types.get(link.type_key)
        if type_row is not None:
            for value, kind in ((link.from_key, "fromKind"), (link.to_key, "toKind")):
                if value is not None:
                    keys[type_row[kind]].add(value)
    if any(keys.values()):
        by_keys = await graph_imports.look_up(
            tx,
            graph_imports.RELATIONSHIPS_LOOKUP,
            {
                "ids": [],
                "labels": [],
                **{f"{label.lower()}Keys": sorted(keys[label]) for label in keys},
            },
        )
        found |= {f"{label.lower()}Keys": by_keys[f"{label.lower()}Keys"] for label in keys}
    # By id: the label, whether live, the name; by key: the id, whether live, the name.
    by_id = {row[0]: (row[1], row[2], row[3]) for row in found["ids"]}
    by_key = {
        label: {row[0]: (row[1], row[2], row[3]) for row in found[f"{label.lower()}Keys"]}
        for label in graph_imports.RECORD_LABELS
    }
    accepted: list[tuple[int, Row, Row]] = []
    for line, link in links:
        type_row = types.get(link.type_key)
        if type_row is None:
            report.rejects.append(
                Reject(
                    line,
                    "typeKey",
                    f"typeKey: no relationship type has the key {link.type_key!r}.",
                    "NOT_FOUND",
                )
            )
            continue
        ends: list[tuple[str, str, bool]] = []
        for end, kind in (("from", "fromKind"), ("to", "toKind")):
            wanted = type_row[kind]
            given_id, given_key = getattr(link, f"{end}_id"), getattr(link, f"{end}_key")
            column = f"{end}Id" if given_id is not None else f"{end}Key"
            if given_id is not None:
                record = by_id.get(given_id)
                label = record[0] if record else None
            else:
                record = by_key[wanted].get(given_key)
                label = wanted if record else None
            if record is None:
                by = "id" if given_id is not None else "key"
                what = "record or party" if given_id is not None else wanted.lower()
                reason = f"no {what} has the {by} {given_id or given_key!r}."
                report.rejects.append(Reject(line, column, f"{column}: {reason}", "NOT_FOUND"))
                break
            allowed = (wanted, "ExternalParty") if end == "to" else (wanted,)
            if label not in allowed:
                reason = (
                    f"{link.type_key} joins {type_row['fromKind'].lower()} and "
                    f"{type_row['toKind'].lower()}; this end must be a {wanted.lower()}, "
                    f"not a {str(label).lower()}."
                )
                report.rejects.append(Reject(line, column, f"{column}: {reason}", "KIND_MISMATCH"))
                break
            if not record[1]:
                reason = f"{given_id or given_key!r} is archived."
                report.rejects.append(Reject(line, column, f"{column}: {reason}", "ARCHIVED"))
                break
            end_id = given_id if given_id is not None else record[0]
            ends.append((end_id, str(record[2]), label != "ExternalParty"))
        else:
            if ends[0][0] == ends[1][0]:
                report.rejects.append(
                    Reject(line, "toId", "toId: a record cannot be linked to itself.")
                )
                continue
            row = {
                "line": line,
                "source": ends[0][0],
                "target": ends[1][0],
                "sourceName": ends[0][1],
                "targetName": ends[1][1],
                "sourceRecord": ends[0][2],
                "targetRecord": ends[1][2],
                "startsOn": link.starts_on,
                "endsOn": link.ends_on,
                "note": link.note,
            }
            accepted.append((line, type_row, row))
    by_type: dict[str, list[Row]] = {}
    for _, type_row, row in accepted:
        by_type.setdefault(type_row["key"], []).append(row)
    checked: dict[str, list[Row]] = {}
    for key, rows in by_type.items():
        type_row = types[key]
        counts: dict[int, Row] = {}
        text = graph_imports.link_checks(key, bool(type_row["symmetric"]))
        for chunk in graph_imports.chunks(rows):
            for answer in await graph_imports.rows_of(tx, text, {"rows": list(chunk)}):
                counts[answer["line"]] = answer
        checked[key] = [
            _written(type_row, row) for row in _within_limits(type_row, rows, counts, report)
        ]
        report.created += len(checked[key])
    return _LinkPlan(checked)


def _written(type_row: Row, row: Row) -> Row:
    """The row as its link is written: with its id and an audit line on each end that is
    a record, as adding one link writes."""
    relationship_id = new_relationship_id(row["source"])
    key = type_row["key"]
    lines = []
    if row["sourceRecord"]:
        summary = f"Linked as {type_row['label']} {row['targetName']}"
        lines.append(graph_imports.audit_line(row["source"], key, relationship_id, summary))
    if row["targetRecord"]:
        summary = f"Linked as {type_row['reciprocalLabel']} {row['sourceName']}"
        lines.append(graph_imports.audit_line(row["target"], key, relationship_id, summary))
    return {
        "id": relationship_id,
        "source": row["source"],
        "target": row["target"],
        "startsOn": row["startsOn"],
        "endsOn": row["endsOn"],
        "note": row["note"],
        "lines": lines,
    }


def _within_limits(
    type_row: Row, rows: Sequence[Row], existing: Mapping[int, Row], report: Report
) -> list[Row]:
    """The rows that neither repeat a link (in the database or earlier in the file) nor
    take an end past its type's limit."""
    key = type_row["key"]
    symmetric = bool(type_row["symmetric"])
    today = date.today()
    pairs: dict[tuple[str, ...], list[Row]] = {}
    from_source: Counter[str] = Counter()
    at_target: Counter[str] = Counter()
    kept: list[Row] = []
    for row in rows:
        line, source, target = row["line"], row["source"], row["target"]
        found = existing.get(line, {})
        pair = tuple(sorted((source, target))) if symmetric else (source, target)
        current = row["endsOn"] is None or row["endsOn"] >= today
        earlier = [other for other in pairs.get(pair, ()) if current and _overlap(row, other)]
        if found.get("duplicate") or earlier:
            where = f" (line {earlier[0]['line']})" if earlier else ""
            reason = f"toId: these two already have a {key} link over the same time{where}."
            report.rejects.append(Reject(line, "toId", reason, "CONFLICT"))
            continue
        reached = [
            limit
            for count, counter, end, limit in (
                ("fromSource", from_source, source, type_row["limitPerSource"]),
                ("atTarget", at_target, target, type_row["limitPerTarget"]),
            )
            if current and limit is not None and found.get(count, 0) + counter[end] >= limit
        ]
        if reached:
            reason = (
                f"typeKey: {key} allows {reached[0]} link(s) per record on that side, and "
                "that record has them already."
            )
            report.rejects.append(Reject(line, "typeKey", reason, "LIMIT_REACHED"))
            continue
        kept.append(row)
        if current:
            pairs.setdefault(pair, []).append(row)
            from_source[source] += 1
            at_target[target] += 1
    return kept


def _overlap(one: Row, other: Row) -> bool:
    """Whether two links' periods share a day (an open end has no limit)."""
    return (
        one["endsOn"] is None or other["startsOn"] is None or other["startsOn"] <= one["endsOn"]
    ) and (other["endsOn"] is None or one["startsOn"] is None or one["startsOn"] <= other["endsOn"])
