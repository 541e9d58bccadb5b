"""Writing activities: their properties and the edges to owner, participants, customers,
contact, type and status. Each function runs inside the caller's write transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.audit import Line
from kesher.graph.calendar_buckets import refile
from kesher.graph.driver import Row, tx_rows
from kesher.graph.errors import Closed, Forbidden, GraphError, NotFound
from kesher.graph.records import require_active_user, require_live
from kesher.graph.statement import Statement
from kesher.graph.visibility import CANNOT_CHANGE, Audience

# Link fields as the API names them; each replaces its edges when given.
LINK_FIELDS = (
    "ownerId",
    "participantIds",
    "customerId",
    "otherCustomerIds",
    "contactId",
    "typeId",
    "statusId",
)


async def create(
    tx: AsyncManagedTransaction,
    activity_id: str,
    values: Mapping[str, Any],
    links: Mapping[str, Any],
) -> None:
    await tx_rows(
        tx,
        "CREATE (a:Activity {id: $id}) SET a += $values, a.createdAt = datetime(), "
        "a.updatedAt = datetime() "
        # A task is reminded of when its due time comes (see kesher.graph.tasks).
        "SET a.remindAt = CASE WHEN a.kind = 'TASK' THEN a.dueAt END",
        {"id": activity_id, "values": dict(values)},
    )
    await set_links(tx, activity_id, links)
    await refile(tx, [activity_id])


async def update(
    tx: AsyncManagedTransaction,
    activity_id: str,
    values: Mapping[str, Any],
    links: Mapping[str, Any],
) -> None:
    rows = await tx_rows(
        tx,
        "MATCH (a:Activity {id: $id}) WITH a, a.dueAt AS wasDue "
        "SET a += $values, a.updatedAt = datetime() "
        # A task due at a new time is reminded of again when that time is still to come,
        # or when the old one had not been reminded of yet (see kesher.graph.tasks).
        "SET a.remindAt = CASE WHEN a.kind = 'TASK' AND a.dueAt <> wasDue "
        "AND (a.dueAt > datetime() OR a.remindAt IS NOT NULL) THEN a.dueAt ELSE a.remindAt END "
        "RETURN a.kind AS kind",
        {"id": activity_id, "values": dict(values)},
    )
    if not rows:
        raise NotFound(f"id: no activity has the id {activity_id!r}.", field="id")
    await set_links(tx, activity_id, links)
    if _TIMES_OR_PEOPLE & (values.keys() | links.keys()):
        await refile(tx, [activity_id])


# What decides an activity's calendar buckets.
_TIMES_OR_PEOPLE = frozenset(
    {"startAt", "endAt", "recurrence", "recurrenceEndsAt", "ownerId", "participantIds"}
)


async def current(
    tx: AsyncManagedTransaction, audience: Audience, activity_id: str, field: str = "id"
) -> Row:
    """What an update starts from: the stored values and the linked ids (the keys of
    `AUDITED`). `field` is the argument that named the activity, for the error when there
    is none, or none the audience may see (NOT_FOUND), or the audience may not change it
    (FORBIDDEN)."""
    statement = Statement(audience=audience)
    access: LiteralString = (
        f"{statement.visible('a')} AS visible, {statement.changeable('a')} AS changeable, "
    )
    rows = await tx_rows(
        tx,
        "MATCH (a:Activity {id: $id}) "
        "RETURN "
        + access
        + "a.kind AS kind, a.startAt AS startAt, a.endAt AS endAt, a.dueAt AS dueAt, "
        "a.allDay AS allDay, a.timeZone AS timeZone, a.recurrence AS recurrence, "
        "a.cancelledStarts AS cancelledStarts, a.closedAt AS closedAt, "
        "a.subject AS subject, a.description AS description, a.externalUrl AS externalUrl, "
        "a.ref AS ref, "
        "COLLECT { MATCH (a)-[:ABOUT {primary: true}]->(c) RETURN c.id }[0] AS customerId, "
        "COLLECT { MATCH (a)-[:WITH_CONTACT]->(k) RETURN k.id }[0] AS contactId, "
        "COLLECT { MATCH (a)-[:OWNED_BY]->(u) RETURN u.id }[0] AS ownerId, "
        "COLLECT { MATCH (a)-[:HAS_TYPE]->(t) RETURN t.id }[0] AS typeId, "
        "COLLECT { MATCH (a)-[:HAS_STATUS]->(s) RETURN s.id }[0] AS statusId, "
        "COLLECT { MATCH (a)-[:WITH_USER]->(u) RETURN u.id } AS participantIds, "
        "COLLECT { MATCH (a)-[:ABOUT {primary: false}]->(c) RETURN c.id } AS otherCustomerIds",
        {"id": activity_id, **statement.params},
    )
    if not rows or not rows[0]["visible"]:
        raise NotFound(f"{field}: no activity has the id {activity_id!r}.", field=field)
    if not rows[0]["changeable"]:
        raise Forbidden(CANNOT_CHANGE.format(field=field), field=field)
    return rows[0]


# What an update's audit lines compare: each field by its API name, and its key in
# `current`.
AUDITED: Mapping[str, str] = {
    "subject": "subject",
    "description": "description",
    "startsAt": "startAt",
    "endsAt": "endAt",
    "dueAt": "dueAt",
    "allDay": "allDay",
    "timeZone": "timeZone",
    "externalUrl": "externalUrl",
    "recurrence": "recurrence",
    **{field: field for field in LINK_FIELDS},
}

CREATED = "CREATED"
CHANGED = "CHANGED"
CLOSED = "CLOSED"
REOPENED = "REOPENED"
OCCURRENCE_CANCELLED = "OCCURRENCE_CANCELLED"
OCCURRENCE_MOVED = "OCCURRENCE_MOVED"


def as_text(value: Any) -> str | None:
    """A value as an audit line keeps it: times in UTC ISO 8601, lists of ids sorted."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(sorted(str(item) for item in value)) or None
    return str(value)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


def changes(activity_id: str, stored: Row, new: Mapping[str, Any]) -> list[Line]:
    """A CHANGED line for every field of `new` (by API name) whose value differs from the
    stored one."""
    lines = []
    for field, value in new.items():
        before, after = as_text(stored[AUDITED[field]]), as_text(value)
        if before == after:
            continue
        if before is None:
            summary = f"Set {field} to {_short(str(after))}"
        elif after is None:
            summary = f"Cleared {field}"
        else:
            summary = f"Changed {field} from {_short(before)} to {_short(after)}"
        lines.append(Line(activity_id, CHANGED, field, before, after, summary))
    return lines


async def check_links(tx: AsyncManagedTransaction, links: Mapping[str, Any]) -> None:
    """Refuses links to what does not exist, is archived or is deactivated, and a contact
    who does not work at the activity's customer."""
    if links.get("ownerId") is not None:
        await require_active_user(tx, links["ownerId"], "ownerId")
    for user_id in links.get("participantIds") or ():
        await require_active_user(tx, user_id, "participantIds")
    if links.get("customerId") is not None:
        await require_live(tx, "Customer", links["customerId"], "customerId")
    for customer_id in links.get("otherCustomerIds") or ():
        await require_live(tx, "Customer", customer_id, "otherCustomerIds")
    for field, label in (("typeId", "ActivityType"), ("statusId", "ActivityStatus")):
        if links.get(field) is not None:
            await _require_entry(tx, label, links[field], field)
    contact_id, customer_id = links.get("contactId"), links.get("customerId")
    if contact_id is not None:
        await require_live(tx, "Contact", contact_id, "contactId")
        rows = await tx_rows(
            tx,
            "RETURN EXISTS { (:Contact {id: $contact})-[:WORKS_AT]->(:Customer {id: $customer}) } "
            "AS works",
            {"contact": contact_id, "customer": customer_id},
        )
        if not rows[0]["works"]:
            raise GraphError(
                "contactId: the contact does not work at the activity's customer.",
                field="contactId",
            )


async def _require_entry(
    tx: AsyncManagedTransaction, label: LiteralString, entry_id: str, field: str
) -> None:
    rows = await tx_rows(tx, f"MATCH (e:{label} {{id: $id}}) RETURN e.id AS id", {"id": entry_id})
    if not rows:
        raise NotFound(f"{field}: no such catalog entry {entry_id!r}.", field=field)


# Each link field: the Cypher that removes its old edges, then the one that adds the new.
_REPLACE: Mapping[str, tuple[LiteralString, LiteralString]] = {
    "ownerId": (
        "MATCH (a:Activity {id: $id})-[r:OWNED_BY]->() DELETE r",
        "MATCH (a:Activity {id: $id}), (u:User {id: $value}) CREATE (a)-[:OWNED_BY]->(u)",
    ),
    "participantIds": (
        "MATCH (a:Activity {id: $id})-[r:WITH_USER]->() DELETE r",
        "MATCH (a:Activity {id: $id}) UNWIND $value AS uid MATCH (u:User {id: uid}) "
        "MERGE (a)-[:WITH_USER]->(u)",
    ),
    "customerId": (
        "MATCH (a:Activity {id: $id})-[r:ABOUT]->(c) WHERE r.primary OR c.id = $value DELETE r",
        "MATCH (a:Activity {id: $id}), (c:Customer {id: $value}) "
        "CREATE (a)-[:ABOUT {primary: true}]->(c)",
    ),
    "otherCustomerIds": (
        "MATCH (a:Activity {id: $id})-[r:ABOUT {primary: false}]->() DELETE r",
        "MATCH (a:Activity {id: $id}) UNWIND $value AS cid MATCH (c:Customer {id: cid}) "
        "WHERE NOT EXISTS { (a)-[:ABOUT]->(c) } MERGE (a)-[:ABOUT {primary: false}]->(c)",
    ),
    "contactId": (
        "MATCH (a:Activity {id: $id})-[r:WITH_CONTACT]->() DELETE r",
        "MATCH (a:Activity {id: $id}), (k:Contact {id: $value}) CREATE (a)-[:WITH_CONTACT]->(k)",
    ),
    "typeId": (
        "MATCH (a:Activity {id: $id})-[r:HAS_TYPE]->() DELETE r",
        "MATCH (a:Activity {id: $id}), (t:ActivityType {id: $value}) CREATE (a)-[:HAS_TYPE]->(t)",
    ),
    "statusId": (
        "MATCH (a:Activity {id: $id})-[r:HAS_STATUS]->() DELETE r",
        "MATCH (a:Activity {id: $id}), (s:ActivityStatus {id: $value}) "
        "CREATE (a)-[:HAS_STATUS]->(s)",
    ),
}


async def set_links(
    tx: AsyncManagedTransaction, activity_id: str, links: Mapping[str, Any]
) -> None:
    # The primary customer first, so the further customers can leave it out.
    for field in LINK_FIELDS:
        if field not in links:
            continue
        remove, add = _REPLACE[field]
        value = links[field]
        await tx_rows(tx, remove, {"id": activity_id, "value": value})
        if value is not None:
            await tx_rows(tx, add, {"id": activity_id, "value": value})


def require_open(stored: Row, activity_id: str, field: str = "id") -> None:
    if stored["closedAt"] is not None:
        raise Closed(f"{field}: the activity {activity_id!r} is closed.", field=field)


async def add_exception(
    tx: AsyncManagedTransaction,
    activity_id: str,
    original: datetime,
    moved_to: tuple[datetime, datetime] | None,
) -> None:
    """Cancels one occurrence of a series, or moves it (replacing an earlier move)."""
    await tx_rows(
        tx,
        "MATCH (a:Activity {id: $id}) "
        "WITH a, [i IN range(0, size(coalesce(a.movedStarts, [])) - 1) "
        "WHERE a.movedStarts[i] <> $original] AS kept "
        "SET a.movedStarts = [i IN kept | a.movedStarts[i]], "
        "a.movedTo = [i IN kept | a.movedTo[i]], a.movedToEnd = [i IN kept | a.movedToEnd[i]], "
        "a.updatedAt = datetime() "
        "WITH a "
        "SET a.cancelledStarts = CASE WHEN $moved IS NULL "
        "THEN coalesce(a.cancelledStarts, []) + $original ELSE a.cancelledStarts END, "
        "a.movedStarts = CASE WHEN $moved IS NULL THEN a.movedStarts "
        "ELSE a.movedStarts + $original END, "
        "a.movedTo = CASE WHEN $moved IS NULL THEN a.movedTo ELSE a.movedTo + $moved[0] END, "
        "a.movedToEnd = CASE WHEN $moved IS NULL THEN a.movedToEnd "
        "ELSE a.movedToEnd + $moved[1] END",
        {
            "id": activity_id,
            "original": original.astimezone(UTC),
            "moved": None if moved_to is None else [t.astimezone(UTC) for t in moved_to],
        },
    )


async def set_closed(
    tx: AsyncManagedTransaction, audience: Audience, activity_id: str, closed: bool
) -> None:
    """Closes (or reopens) an activity; closing a closed one, or reopening an open one, is
    refused so that a caller learns the state was not what they thought."""
    stored = await current(tx, audience, activity_id)
    if closed:
        require_open(stored, activity_id)
    elif stored["closedAt"] is None:
        raise GraphError(f"id: the activity {activity_id!r} is not closed.", field="id")
    await tx_rows(
        tx,
        "MATCH (a:Activity {id: $id}) "
        "WITH a, a.remindAt AS pending, a.remindAtOnReopen AS held "
        "SET a.closedAt = CASE WHEN $closed THEN datetime() END, a.updatedAt = datetime(), "
        # A closed task is not reminded of; reopened, it is again if it had not been yet.
        "a.remindAt = CASE WHEN $closed THEN null ELSE held END, "
        "a.remindAtOnReopen = CASE WHEN $closed THEN pending END",
        {"id": activity_id, "closed": closed},
    )
