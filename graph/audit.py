"""Audit lines: who changed what on a record, and when.

A line is `(:AuditLine {id, createdAt, action, field, before, after, summary})` with
`-[:ON]->(record)` and `-[:BY]->(:User)` (the actor). `before` and `after` are the old and
new values as strings; `summary` says the change in a sentence for a person.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.driver import Row, tx_rows
from kesher.graph.errors import NotFound
from kesher.graph.events import RecordChanged, emit
from kesher.graph.parties import find_party

# The labels a line may be about. A record is found by id under each (a unique-index seek
# apiece), not by its id's prefix: a promoted free-text party keeps its `ext_` id.
AUDITED_LABELS: tuple[LiteralString, ...] = ("Customer", "Contact", "Project", "Activity", "User")

_RECORD: LiteralString = find_party("r", "$record", AUDITED_LABELS)

WRITE: LiteralString = (
    _RECORD + " MATCH (u:User {id: $actor}) "
    "CREATE (line:AuditLine {id: $id, createdAt: datetime(), action: $action, field: $field, "
    "before: $before, after: $after, summary: $summary})-[:ON]->(r), (line)-[:BY]->(u) "
    "RETURN line {.id, .action, .field, .before, .after, .summary, created_at: line.createdAt, "
    "actor: u {.id, .name, .email, .handle, .role, .active, created_at: u.createdAt, "
    "updated_at: u.updatedAt}} AS line"
)

WRITE_MANY: LiteralString = (
    "MATCH (u:User {id: $actor}) UNWIND $lines AS l WITH u, l, l.record AS record_id "
    + find_party("r", "record_id", AUDITED_LABELS)
    + " CREATE (line:AuditLine {id: l.id, createdAt: datetime(), action: l.action, "
    "field: l.field, before: l.before, after: l.after, summary: l.summary})-[:ON]->(r), "
    "(line)-[:BY]->(u) RETURN count(line) AS written"
)


@dataclass(frozen=True)
class Line:
    """One audit line to write: on which record, what was done, to which field, the
    values before and after as strings, and the change in words."""

    record_id: str
    action: str
    field: str
    before: str | None
    after: str | None
    summary: str


def new_id() -> str:
    return f"aud_{secrets.token_hex(12)}"


async def write_audit(
    tx: AsyncManagedTransaction,
    record_id: str,
    actor_id: str,
    action: str,
    field: str,
    before: str | None,
    after: str | None,
    summary: str,
) -> Row:
    """Writes one audit line on the record inside the caller's write transaction and
    returns it (with its actor as a user map). One statement."""
    rows = await tx_rows(
        tx,
        WRITE,
        {
            "id": new_id(),
            "record": record_id,
            "actor": actor_id,
            "action": action,
            "field": field,
            "before": before,
            "after": after,
            "summary": summary,
        },
    )
    if not rows:
        raise NotFound(
            f"recordId: no record or actor to audit for {record_id!r}.", field="recordId"
        )
    line: Row = rows[0]["line"]
    emit(RecordChanged(record_id, action, summary, actor_id, line["created_at"]))
    return line


async def write_audits(tx: AsyncManagedTransaction, actor_id: str, lines: Sequence[Line]) -> None:
    """Writes the lines (each on its own record, all by the actor) inside the caller's
    write transaction. One statement; none when there are no lines."""
    if not lines:
        return
    rows = await tx_rows(
        tx,
        WRITE_MANY,
        {
            "actor": actor_id,
            "lines": [
                {
                    "id": new_id(),
                    "record": line.record_id,
                    "action": line.action,
                    "field": line.field,
                    "before": line.before,
                    "after": line.after,
                    "summary": line.summary,
                }
                for line in lines
            ],
        },
    )
    if not rows or rows[0]["written"] != len(lines):
        raise NotFound("recordId: no record or actor to audit.", field="recordId")
    at = datetime.now(UTC)
    for line in lines:
        emit(RecordChanged(line.record_id, line.action, line.summary, actor_id, at))
