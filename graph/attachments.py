"""Files attached to records (R4.1): the `:Attachment` node, its `ATTACHED_TO` edge to the
record and its `UPLOADED_BY` edge to the user. The content itself is kept on disk by its
SHA-256; the node holds the hash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.driver import Graph, Row, tx_rows
from kesher.graph.events import RecordChanged, emit
from kesher.graph.parties import find_party
from kesher.graph.records import RECORD_LABELS, require_open_record
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience

_RECORD: LiteralString = find_party("r", "$recordId", RECORD_LABELS)
ATTACHMENT_ADDED = "ATTACHMENT_ADDED"


async def attach(
    tx: AsyncManagedTransaction,
    audience: Audience,
    attachment_id: str,
    record_id: str,
    actor_id: str,
    content: Mapping[str, Any],
) -> None:
    """Attaches stored content (`name`, `contentType`, `size`, `sha256`) to a live record;
    refuses an unknown or archived record and a closed activity, naming `recordId`.
    Emits the change on the record, for subscriptions."""
    await require_open_record(tx, audience, record_id)
    rows = await tx_rows(
        tx,
        _RECORD + " MATCH (u:User {id: $actorId}) "
        "CREATE (a:Attachment {id: $id, name: $name, contentType: $contentType, size: $size, "
        "sha256: $sha256, createdAt: datetime()}) "
        "CREATE (a)-[:ATTACHED_TO]->(r), (a)-[:UPLOADED_BY]->(u) "
        "RETURN a.createdAt AS at, u.name + ' attached ' + a.name AS summary",
        {
            "recordId": record_id,
            "actorId": actor_id,
            "id": attachment_id,
            "name": content["name"],
            "contentType": content["contentType"],
            "size": content["size"],
            "sha256": content["sha256"],
        },
    )
    for row in rows:
        emit(RecordChanged(record_id, ATTACHMENT_ADDED, row["summary"], actor_id, row["at"]))


async def stored(graph: Graph, audience: Audience, attachment_id: str) -> Row | None:
    """What a download needs: the file's name, type and hash; None for an unknown id, or
    a file on an activity the audience may not see."""
    statement = Statement(audience=audience)
    seen = statement.visible_item("a")
    rows = await graph.rows(
        f"MATCH (a:Attachment {{id: $id}}) WHERE {seen} "
        "RETURN a.name AS name, a.contentType AS contentType, a.size AS size, "
        "a.sha256 AS sha256",
        {"id": attachment_id, **statement.params},
    )
    return rows[0] if rows else None


async def referenced(graph: Graph, hashes: list[str]) -> set[str]:
    """Which of these content hashes an attachment refers to."""
    rows = await graph.rows(
        "UNWIND $hashes AS sha256 MATCH (a:Attachment {sha256: sha256}) RETURN DISTINCT sha256",
        {"hashes": hashes},
    )
    return {row["sha256"] for row in rows}
