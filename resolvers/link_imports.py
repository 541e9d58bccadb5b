"""The relationships of a CSV import: each row's type and two ends found, then refused as
adding one link would refuse it (its kinds, itself, a repeat over the same time, its
type's limits), counting the rows before it in the file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from neo4j import AsyncManagedTransaction

from kesher.codes import Code
from kesher.graph import imports as graph_imports
from kesher.graph.catalog import InvalidKey, check_key
from kesher.graph.driver import Row
from kesher.graph.kinds import PARTY_LABELS, RECORD_LABELS
from kesher.graph.relationships import new_relationship_id
from kesher.resolvers import inputs
from kesher.resolvers.import_files import FileRow
from kesher.resolvers.import_rows import Checked, Progress, Reject, Report


class LinkRow(inputs.Input):
    type_key: inputs.TypeKey
    from_id: inputs.Id | None = None
    from_key: inputs.Id | None = None
    to_id: inputs.Id | None = None
    to_key: inputs.Id | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    note: inputs.Note | None = None


def check_link_row(row: FileRow, checked: LinkRow) -> Checked | Reject:
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


@dataclass
class LinkPlan:
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


async def plan_links(
    tx: AsyncManagedTransaction, candidates: Sequence[Checked], report: Report, actor: str
) -> LinkPlan:
    ids: set[str] = set()
    keys: dict[str, set[str]] = {label: set() for label in RECORD_LABELS}
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
            "labels": list(PARTY_LABELS),
            **{f"{label.lower()}Keys": [] for label in RECORD_LABELS},
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
        for label in RECORD_LABELS
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
                    Code.NOT_FOUND,
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
                report.rejects.append(Reject(line, column, f"{column}: {reason}", Code.NOT_FOUND))
                break
            allowed = (wanted, "ExternalParty") if end == "to" else (wanted,)
            if label not in allowed:
                reason = (
                    f"{link.type_key} joins {type_row['fromKind'].lower()} and "
                    f"{type_row['toKind'].lower()}; this end must be a {wanted.lower()}, "
                    f"not a {str(label).lower()}."
                )
                report.rejects.append(
                    Reject(line, column, f"{column}: {reason}", Code.KIND_MISMATCH)
                )
                break
            if not record[1]:
                reason = f"{given_id or given_key!r} is archived."
                report.rejects.append(Reject(line, column, f"{column}: {reason}", Code.ARCHIVED))
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
    return LinkPlan(checked)


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
            report.rejects.append(Reject(line, "toId", reason, Code.CONFLICT))
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
            report.rejects.append(Reject(line, "typeKey", reason, Code.LIMIT_REACHED))
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
