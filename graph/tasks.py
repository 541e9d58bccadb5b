"""Tasks added from a card, and the reminders sent when they fall due (R3.3).

A task is an activity of kind TASK; its owner is its assignee. A task still to be
reminded of carries `remindAt`, its due time (range index `activity_remind`): set when it
is created, set again when its due time moves to a time still to come (or moves before it
was reminded of), held aside while it is closed and given back when it is reopened (see
`kesher.graph.activities`). A round of reminders takes the tasks whose `remindAt` has
passed, removes it and notifies each open task's active assignee once: `(:Notification
{kind: 'TASK_DUE'})-[:NOTIFIES]->(assignee)`, `-[:ON]->(task)`.

Every round first write-locks the one `:ReminderLock` node, so rounds run by several API
processes at once take turns: a round reads `remindAt` only once the round before it has
committed, and so never finds a task that one has already reminded of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.driver import Row, tx_rows
from kesher.graph.events import Notified, emit
from kesher.graph.notes import NOTIFICATION_PREFIX
from kesher.graph.parties import find_party
from kesher.graph.records import RECORD_LABELS, require_open_record
from kesher.graph.visibility import Audience

TASK_DUE = "TASK_DUE"

# What an added task is about, by the kind of record it was added from: a customer
# itself, a contact's customer (and the contact), a project's customer, or an activity's
# customers (and the activity as its parent).
_ANCHOR: LiteralString = (
    find_party("r", "$id", RECORD_LABELS) + " RETURN "
    "CASE WHEN r:Customer THEN r.id "
    "WHEN r:Contact THEN COLLECT { MATCH (r)-[:WORKS_AT]->(c:Customer) RETURN c.id }[0] "
    "WHEN r:Project THEN COLLECT { MATCH (r)-[:FOR]->(c:Customer) RETURN c.id }[0] "
    "ELSE COLLECT { MATCH (r)-[:ABOUT {primary: true}]->(c:Customer) RETURN c.id }[0] "
    "END AS customerId, "
    "CASE WHEN r:Activity THEN COLLECT { MATCH (r)-[:ABOUT {primary: false}]->(c:Customer) "
    "RETURN c.id ORDER BY c.id } ELSE [] END AS otherCustomerIds, "
    "CASE WHEN r:Contact THEN r.id END AS contactId, "
    "CASE WHEN r:Activity THEN r.id END AS parentId"
)


async def anchor(tx: AsyncManagedTransaction, audience: Audience, record_id: str) -> Row:
    """The links a task added from a record takes: `customerId`, `otherCustomerIds`,
    `contactId` and `parentId`. Refuses an unknown or archived record, a closed activity
    and one the audience may not see, naming `recordId`."""
    await require_open_record(tx, audience, record_id, change=False)
    rows = await tx_rows(tx, _ANCHOR, {"id": record_id})
    return rows[0]


async def default_entries(
    tx: AsyncManagedTransaction, type_id: str | None, status_id: str | None
) -> tuple[str | None, str | None]:
    """The type and status a task takes when none is named: the first activity type, and
    the first status of the OPEN category, in the catalogs' sort order (None when the
    catalog has none)."""
    rows = await tx_rows(
        tx,
        "RETURN coalesce($typeId, COLLECT { MATCH (t:ActivityType) WHERE t.sortOrder IS NOT NULL "
        "RETURN t.id ORDER BY t.sortOrder, t.name }[0]) AS typeId, "
        "coalesce($statusId, COLLECT { MATCH (s:ActivityStatus {category: 'OPEN'}) "
        "WHERE s.sortOrder IS NOT NULL RETURN s.id ORDER BY s.sortOrder, s.name }[0]) "
        "AS statusId",
        {"typeId": type_id, "statusId": status_id},
    )
    return rows[0]["typeId"], rows[0]["statusId"]


async def set_parent(tx: AsyncManagedTransaction, activity_id: str, parent_id: str) -> None:
    """Makes a new activity a child of another (`CHILD_OF`), as a process's children are."""
    await tx_rows(
        tx,
        "MATCH (a:Activity {id: $id}), (p:Activity {id: $parentId}) CREATE (a)-[:CHILD_OF]->(p)",
        {"id": activity_id, "parentId": parent_id},
    )


# Reminders.

# The lock node, made when the service starts (see kesher.graph.constraints).
REMINDER_LOCK: LiteralString = "MERGE (:ReminderLock {id: 'reminders'})"

_LOCK: LiteralString = "MERGE (l:ReminderLock {id: 'reminders'}) SET l.lockedAt = datetime()"

# The tasks fallen due, earliest first, at most `$batch`: each loses its `remindAt`; an
# open task (not closed, its status in the OPEN category) with an active assignee gets a
# notification for them. A task closed, done or cancelled meanwhile is passed over.
_DUE: LiteralString = (
    "MATCH (a:Activity) WHERE a.remindAt <= $now "
    "WITH a ORDER BY a.remindAt LIMIT $batch "
    "REMOVE a.remindAt "
    "WITH collect(a) AS due "
    "CALL (due) { "
    "  UNWIND due AS a "
    "  MATCH (a)-[:OWNED_BY]->(u:User) "
    "  WHERE a.kind = 'TASK' AND a.closedAt IS NULL AND u.active "
    "  AND NOT EXISTS { (a)-[:HAS_STATUS]->(s:ActivityStatus) WHERE s.category <> 'OPEN' } "
    "  CREATE (n:Notification {id: $prefix + '_' + "
    "    substring(replace(randomUUID(), '-', ''), 0, 24), kind: $kind, createdAt: datetime(), "
    "    summary: coalesce(a.ref + ' ', '') + a.subject + ' is due'}) "
    "  CREATE (n)-[:NOTIFIES]->(u), (n)-[:ON]->(a) "
    "  RETURN collect({user: u.id, notification: n {.id, .kind, .summary, "
    "    created_at: n.createdAt, read_at: n.readAt}}) AS sent "
    "} "
    "RETURN size(due) AS taken, sent"
)


@dataclass(frozen=True)
class Round:
    """What one round of reminders did: how many due tasks it took, and how many
    notifications it made."""

    taken: int
    sent: int


async def remind(tx: AsyncManagedTransaction, now: datetime, batch: int) -> Round:
    """One round of reminders inside the caller's write transaction: at most `batch` tasks
    whose reminder time is `now` or earlier. Emits `Notified` for each notification."""
    await tx_rows(tx, _LOCK, {})
    rows = await tx_rows(
        tx, _DUE, {"now": now, "batch": batch, "prefix": NOTIFICATION_PREFIX, "kind": TASK_DUE}
    )
    sent: list[dict[str, Any]] = rows[0]["sent"]
    for item in sent:
        emit(Notified(item["user"], item["notification"]))
    return Round(taken=int(rows[0]["taken"]), sent=len(sent))
