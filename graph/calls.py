"""Calls logged on records (R3.3).

`(:CallLog {id, callType, outcome, summary, at, durationSeconds, createdAt})-[:ON]->(record)`,
`-[:BY]->(:User)` who logged it. A logged call writes no audit line; it tells the record's
subscribers with a `RecordChanged` event.
"""

from __future__ import annotations

from datetime import datetime
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.driver import tx_rows
from kesher.graph.events import RecordChanged, emit
from kesher.graph.parties import find_party
from kesher.graph.records import RECORD_LABELS, require_open_record
from kesher.graph.visibility import Audience

CALL_LOG_PREFIX = "cal"
CALL_LOGGED = "CALL_LOGGED"

_LOG: LiteralString = (
    find_party("r", "$recordId", RECORD_LABELS) + " MATCH (u:User {id: $actorId}) "
    "CREATE (c:CallLog {id: $id, callType: $callType, outcome: $outcome, summary: $summary, "
    "at: $at, durationSeconds: $durationSeconds, createdAt: datetime()}) "
    "CREATE (c)-[:ON]->(r), (c)-[:BY]->(u) "
    "RETURN c.createdAt AS createdAt"
)


async def log(
    tx: AsyncManagedTransaction,
    audience: Audience,
    call_id: str,
    record_id: str,
    actor_id: str,
    call_type: str,
    outcome: str,
    summary: str,
    at: datetime,
    duration_seconds: int | None,
    said: str,
) -> None:
    """Logs a call on a live record by the actor; `said` is the change in words for the
    record's subscribers. Refuses an unknown or archived record and a closed activity,
    naming `recordId`."""
    await require_open_record(tx, audience, record_id)
    rows = await tx_rows(
        tx,
        _LOG,
        {
            "id": call_id,
            "recordId": record_id,
            "actorId": actor_id,
            "callType": call_type,
            "outcome": outcome,
            "summary": summary,
            "at": at,
            "durationSeconds": duration_seconds,
        },
    )
    emit(RecordChanged(record_id, CALL_LOGGED, said, actor_id, rows[0]["createdAt"]))
