"""The records of a CSV import (customers, contacts, projects): each row created, or
updated when it names a record by id or external key, once what it refers to is found."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from kesher.codes import Code
from kesher.graph import imports as graph_imports
from kesher.graph.driver import Row
from kesher.resolvers.import_rows import Checked, Progress, Reject, Report
from kesher.resolvers.records import Kind


@dataclass
class Seen:
    """Which rows name which external keys and records, across the batches of a file."""

    keys: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def copy(self) -> Seen:
        return Seen(dict(self.keys), dict(self.ids))


@dataclass
class RecordPlan:
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


async def plan_records(
    tx: AsyncManagedTransaction,
    kind: Kind,
    candidates: Sequence[Checked],
    report: Report,
    seen: Seen,
) -> RecordPlan:
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

        def refuse(column: str, reason: str, code: Code, at: int = line) -> None:
            report.rejects.append(Reject(at, column, f"{column}: {reason}", code))

        target: str | None = None
        if keys.id is not None:
            record = known["ids"].get(keys.id)
            if record is None:
                refuse("id", f"no {what} has the id {keys.id!r}.", Code.NOT_FOUND)
                continue
            target = keys.id
            if not record[1]:
                refuse("id", f"the {what} {keys.id!r} is archived.", Code.ARCHIVED)
                continue
        if keys.external_key is not None:
            record = known["keys"].get(keys.external_key)
            if record is not None and target is not None and record[0] != target:
                refuse(
                    "externalKey",
                    f"another {what} has the key {keys.external_key!r}.",
                    Code.CONFLICT,
                )
                continue
            if record is not None and target is None:
                target = record[0]
                if not record[1]:
                    refuse("externalKey", f"the {what} {target!r} is archived.", Code.ARCHIVED)
                    continue
            earlier = seen.keys.setdefault(keys.external_key, line)
            if earlier != line:
                refuse("externalKey", f"repeats line {earlier}.", Code.CONFLICT)
                continue
        if target is not None:
            earlier = seen.ids.setdefault(target, line)
            if earlier != line:
                refuse(
                    "id", f"the row of line {earlier} already changes this {what}.", Code.CONFLICT
                )
                continue
        given: Any = candidate.model
        owner = getattr(given, "owner_id", None)
        if owner is not None:
            user = known["owners"].get(owner)
            if user is None:
                refuse("ownerId", f"no user has the id {owner!r}.", Code.NOT_FOUND)
                continue
            if not user[1]:
                refuse("ownerId", f"the user {owner!r} is deactivated.", Code.FORBIDDEN)
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
                    customer_column, f"no customer has the {by} {customer_given!r}.", Code.NOT_FOUND
                )
                continue
            if not customer[1]:
                refuse(
                    customer_column, f"the customer {customer_given!r} is archived.", Code.ARCHIVED
                )
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
    return RecordPlan(label, rows)


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
