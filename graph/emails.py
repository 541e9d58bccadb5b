"""E-mails filed on records: sent from a card, logged by hand, or received (R3.3).

`(:Email {id, direction, fromAddress, toAddresses, ccAddresses, subject, text, messageId,
at, createdAt})-[:ON]->(record)`, one ON edge per record it is filed on, and
`-[:BY]->(:User)` when a user sent or logged it. Contacts' and customers' addresses are
stored in lower case, so a received mail's addresses (lower-cased) find them by an index
seek on `email`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.driver import Row, tx_rows
from kesher.graph.errors import NotFound
from kesher.graph.events import RecordChanged, emit
from kesher.graph.parties import find_party
from kesher.graph.records import RECORD_LABELS

EMAIL_PREFIX = "eml"
OUTBOUND = "OUTBOUND"
INBOUND = "INBOUND"


@dataclass(frozen=True)
class Mail:
    """An e-mail as it is filed: which way it went, its addresses, subject, plain text,
    Message-ID (if known) and when it was sent or received."""

    direction: str
    from_address: str
    to_addresses: tuple[str, ...]
    cc_addresses: tuple[str, ...]
    subject: str
    text: str
    message_id: str | None
    at: datetime

    def properties(self, email_id: str) -> Row:
        return {
            "id": email_id,
            "direction": self.direction,
            "fromAddress": self.from_address,
            "toAddresses": list(self.to_addresses),
            "ccAddresses": list(self.cc_addresses),
            "subject": self.subject,
            "text": self.text,
            "messageId": self.message_id,
            "at": self.at,
        }


_RECORD: LiteralString = find_party("r", "$recordId", RECORD_LABELS)


async def own_address(tx: AsyncManagedTransaction, record_id: str) -> str | None:
    """The record's own e-mail address (a contact's or a customer's), if it has one."""
    rows = await tx_rows(tx, _RECORD + " RETURN r.email AS email", {"recordId": record_id})
    return rows[0]["email"] if rows else None


async def sender(tx: AsyncManagedTransaction, user_id: str) -> Row:
    """The user's name and address, for a mail's Reply-To and for summaries."""
    rows = await tx_rows(
        tx, "MATCH (u:User {id: $id}) RETURN u.name AS name, u.email AS email", {"id": user_id}
    )
    if not rows:
        raise NotFound(f"No user has the id {user_id!r}.")
    return rows[0]


async def file_by_user(
    tx: AsyncManagedTransaction,
    email_id: str,
    record_id: str,
    actor_id: str,
    mail: Mail,
    action: str,
    summary: str,
) -> None:
    """Files an e-mail a user sent or logged on one record, and tells the record's
    subscribers (`action` EMAIL_SENT or EMAIL_LOGGED). The caller has checked the record."""
    rows = await tx_rows(
        tx,
        _RECORD + " MATCH (u:User {id: $actorId}) "
        "CREATE (e:Email) SET e = $properties, e.createdAt = datetime() "
        "CREATE (e)-[:ON]->(r), (e)-[:BY]->(u) RETURN e.createdAt AS createdAt",
        {"recordId": record_id, "actorId": actor_id, "properties": mail.properties(email_id)},
    )
    if not rows:
        raise NotFound(f"recordId: no record has the id {record_id!r}.", field="recordId")
    emit(RecordChanged(record_id, action, summary, actor_id, rows[0]["createdAt"]))


IS_FILED: LiteralString = "MATCH (e:Email {messageId: $messageId}) RETURN e.id AS id LIMIT 1"


async def is_filed(tx: AsyncManagedTransaction, message_id: str) -> bool:
    """Whether an e-mail with this Message-ID is filed already."""
    rows = await tx_rows(tx, IS_FILED, {"messageId": message_id})
    return bool(rows)


# The live contacts with one of the addresses, their live customers, and the live
# customers with one of the addresses: each an index seek on `email`.
_CONCERNED: LiteralString = (
    "UNWIND $addresses AS address "
    "CALL (address) { "
    "  MATCH (c:Contact {email: address}) WHERE c.archivedAt IS NULL RETURN c AS r "
    "  UNION "
    "  MATCH (c:Contact {email: address})-[:WORKS_AT]->(r:Customer) "
    "  WHERE c.archivedAt IS NULL AND r.archivedAt IS NULL RETURN r "
    "  UNION "
    "  MATCH (r:Customer {email: address}) WHERE r.archivedAt IS NULL RETURN r "
    "} "
    "WITH DISTINCT r ORDER BY r.id "
)

FILE_RECEIVED: LiteralString = (
    _CONCERNED + "WITH collect(r) AS records WHERE size(records) > 0 "
    "CREATE (e:Email) SET e = $properties, e.createdAt = datetime() "
    "WITH e, records UNWIND records AS r CREATE (e)-[:ON]->(r) "
    "RETURN r.id AS id, coalesce(r.name, r.id) AS name, e.createdAt AS createdAt"
)


async def file_received(
    tx: AsyncManagedTransaction, email_id: str, addresses: Sequence[str], mail: Mail
) -> list[Row]:
    """Files a received e-mail once, on every live contact whose address is among
    `addresses` (lower case), on each such contact's customer and on every live customer
    whose address is; the records it was filed on (`id`, `name`), none when no record
    matched. One statement. The uniqueness of `messageId` refuses a second copy filed at
    the same time (a `ConstraintError`); the caller checks `is_filed` first."""
    rows = await tx_rows(
        tx,
        FILE_RECEIVED,
        {"addresses": list(addresses), "properties": mail.properties(email_id)},
    )
    summary = f"E-mail received from {mail.from_address}: {mail.subject}"
    for row in rows:
        emit(RecordChanged(row["id"], "EMAIL_RECEIVED", summary, None, row["createdAt"]))
    return [{"id": row["id"], "name": row["name"]} for row in rows]
