"""Notes on records and the notifications their @mentions send (R3.3, R4.1).

`(:Note {id, text, createdAt})-[:ON]->(record)`, `-[:BY]->(:User)` its author and
`-[:MENTIONS]->(:User)` everyone it mentions; each of them but the author gets
`(:Notification {id, kind, summary, createdAt, readAt?})-[:NOTIFIES]->(:User)`,
`-[:ON]->(note)`. Files uploaded to the record can be put on the note:
`(:Attachment)-[:ATTACHED_TO]->(note)` (R4.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.catalog import fresh_rows
from kesher.graph.driver import Graph, Params, tx_rows
from kesher.graph.errors import Conflict, NotFound
from kesher.graph.events import Notified, RecordChanged, emit
from kesher.graph.parties import find_party
from kesher.graph.records import RECORD_LABELS, PageRows, require_open_record
from kesher.graph.shapes import Page, Shape
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience

NOTE_PREFIX = "not"
NOTIFICATION_PREFIX = "ntf"
MENTION = "MENTION"
NOTE_ADDED = "NOTE_ADDED"

_RECORD: LiteralString = find_party("r", "$recordId", RECORD_LABELS)


async def add(
    tx: AsyncManagedTransaction,
    audience: Audience,
    note_id: str,
    record_id: str,
    actor_id: str,
    text: str,
    mentions: Sequence[str],
    attachment_ids: Sequence[str] = (),
) -> None:
    """Writes a note on a live record, mentioning the active users whose handle or e-mail
    is among `mentions` (lower case), and notifies each of them but the author once.
    The files of `attachment_ids`, uploaded to the record, move onto the note.
    Refuses an unknown or archived record and a closed activity, naming `recordId`, and a
    file that is not the record's own, naming `attachmentIds`.
    Emits the change on the record and each notification made, for subscriptions."""
    await require_open_record(tx, audience, record_id)
    if attachment_ids:
        await _take_files(tx, record_id, attachment_ids)
    rows = await tx_rows(
        tx,
        _RECORD + " MATCH (author:User {id: $actorId}) "
        "CREATE (note:Note {id: $id, text: $text, createdAt: datetime()}) "
        "CREATE (note)-[:ON]->(r), (note)-[:BY]->(author) "
        "WITH r, author, note "
        "CALL (r, author, note) { "
        "  UNWIND $mentions AS token "
        "  MATCH (u:User) WHERE (u.handle = token OR u.email = token) AND u.active "
        "  WITH DISTINCT u "
        "  CREATE (note)-[:MENTIONS]->(u) "
        "  WITH u WHERE u <> author "
        "  CREATE (notification:Notification {id: $prefix + '_' + "
        "    substring(replace(randomUUID(), '-', ''), 0, 24), kind: $kind, "
        "    createdAt: note.createdAt, "
        "    summary: author.name + ' mentioned you on ' + coalesce(r.name, r.subject, r.id)}) "
        "  CREATE (notification)-[:NOTIFIES]->(u), (notification)-[:ON]->(note) "
        "  RETURN collect({userId: u.id, row: notification {.id, .kind, .summary, "
        "    created_at: notification.createdAt, read_at: notification.readAt}}) AS notified "
        "} "
        "CALL (r, note) { "
        "  MATCH (file:Attachment)-[old:ATTACHED_TO]->(r) WHERE file.id IN $attachmentIds "
        "  DELETE old CREATE (file)-[:ATTACHED_TO]->(note) "
        "} "
        "RETURN note.createdAt AS at, author.name + ' added a note' AS summary, notified",
        {
            "recordId": record_id,
            "actorId": actor_id,
            "id": note_id,
            "text": text,
            "mentions": list(mentions),
            "attachmentIds": list(attachment_ids),
            "prefix": NOTIFICATION_PREFIX,
            "kind": MENTION,
        },
    )
    for row in rows:
        emit(RecordChanged(record_id, NOTE_ADDED, row["summary"], actor_id, row["at"]))
        for notified in row["notified"]:
            emit(Notified(notified["userId"], notified["row"]))


async def _take_files(
    tx: AsyncManagedTransaction, record_id: str, attachment_ids: Sequence[str]
) -> None:
    """Refuses, naming `attachmentIds`, a file that does not exist or is not attached to
    the record itself (it is on another record, or on a note already)."""
    rows = await tx_rows(
        tx,
        "UNWIND $ids AS wanted "
        "OPTIONAL MATCH (file:Attachment {id: wanted}) "
        "OPTIONAL MATCH (file)-[:ATTACHED_TO]->(held) "
        "RETURN wanted, file IS NOT NULL AS found, held.id = $recordId AS here",
        {"ids": list(attachment_ids), "recordId": record_id},
    )
    for row in rows:
        if not row["found"]:
            raise NotFound(
                f"attachmentIds: no file has the id {row['wanted']!r}.", field="attachmentIds"
            )
        if not row["here"]:
            raise Conflict(
                f"attachmentIds: the file {row['wanted']!r} is not attached to this record "
                "(upload it to the record first; a file on a note stays there).",
                field="attachmentIds",
            )


async def notifications(
    graph: Graph, audience: Audience, shape: Shape, page: Page, unread_only: bool
) -> PageRows:
    """A page of the audience's notifications (unread ones only, if asked), in one
    statement."""

    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=audience)
        n = statement.variable()
        viewer = statement.param(audience.viewer_id)
        anchor = f"MATCH (:User {{id: {viewer}}})<-[:NOTIFIES]-({n}:Notification)"
        conditions: list[LiteralString] = [f"{n}.readAt IS NULL"] if unread_only else []
        return statement.page(shape, page, conditions, n=n, anchor=anchor), statement.params

    result = await fresh_rows(graph, build)
    return PageRows.of(result[0])


async def mark_read(tx: AsyncManagedTransaction, user_id: str, ids: Sequence[str] | None) -> int:
    """Marks the user's unread notifications read (those of `ids`, or all); how many were.
    An id that is not one of the user's notifications is refused, naming `ids`."""
    if ids is not None:
        rows = await tx_rows(
            tx,
            "UNWIND $ids AS wanted "
            "OPTIONAL MATCH (n:Notification {id: wanted})-[:NOTIFIES]->(:User {id: $userId}) "
            "WITH wanted, n WHERE n IS NULL RETURN collect(wanted) AS missing",
            {"ids": list(ids), "userId": user_id},
        )
        missing = rows[0]["missing"]
        if missing:
            raise NotFound(
                f"ids: you have no notification with the id {missing[0]!r}.", field="ids"
            )
    rows = await tx_rows(
        tx,
        "MATCH (:User {id: $userId})<-[:NOTIFIES]-(n:Notification) "
        "WHERE n.readAt IS NULL AND ($ids IS NULL OR n.id IN $ids) "
        "SET n.readAt = datetime() RETURN count(n) AS marked",
        {"ids": None if ids is None else list(ids), "userId": user_id},
    )
    return int(rows[0]["marked"])
