"""What a record's card holds besides its own fields: files, notes, call logs, e-mails
and audit lines, and the notifications they cause (R3.2, R3.3, R4.1, R4.2)."""

from __future__ import annotations

from typing import LiteralString

from kesher.graph.labels import Label, Relation
from kesher.graph.parts import keep_visible
from kesher.graph.visibility import ITEM_LABELS

# The user who wrote, logged, sent or changed it.
_BY = Relation(target="User", pattern="({a})-[:BY]->({b}:User)", many=False, live_only=False)


def _newest_first(label: LiteralString, edge: LiteralString, time: LiteralString) -> Relation:
    """The nodes of `label` joined to a record `{a}` by `edge`, newest `time` first. They
    are seen with the record: one on a record the viewer sees is one they see (see
    `kesher.graph.visibility`)."""
    return Relation(
        target=label,
        pattern=f"({{b}}:{label})-[:{edge}]->({{a}})",
        many=True,
        order=(time,),
        descending=True,
        live_only=False,
        seen_with_source=True,
    )


# Files attached to a record `{a}`, newest first (R4.1).
ATTACHMENTS = _newest_first("Attachment", "ATTACHED_TO", "createdAt")

# Notes on a record `{a}`, newest first (R3.3, R4.1).
NOTES = _newest_first("Note", "ON", "createdAt")

# A file attached to a record; its content is kept on disk by its SHA-256.
ATTACHMENT = Label(
    name="Attachment",
    properties={
        "name": "name",
        "content_type": "contentType",
        "size": "size",
        "sha256": "sha256",
        "created_at": "createdAt",
        "url": "'/attachments/' + {n}.id",
    },
    relations={
        "uploaded_by": Relation(
            target="User", pattern="({a})-[:UPLOADED_BY]->({b}:User)", many=False, live_only=False
        ),
    },
    archivable=False,
)

# A note on a record, by its author, mentioning users (R3.3).
NOTE = Label(
    name="Note",
    properties={
        "text": "text",
        "created_at": "createdAt",
        "record_id": "COLLECT {{ MATCH ({n})-[:ON]->(note_record) RETURN note_record.id }}[0]",
    },
    relations={
        "author": _BY,
        "mentions": Relation(
            target="User", pattern="({a})-[:MENTIONS]->({b}:User)", many=True, live_only=False
        ),
        "attachments": ATTACHMENTS,
    },
    archivable=False,
)

# Something a user is told about: a note mentioning them (ON the note), a task of theirs
# falling due (ON the task), or their assignment to a record or removal (ON the record).
NOTIFICATION = Label(
    name="Notification",
    properties={
        "kind": "kind",
        "summary": "summary",
        "created_at": "createdAt",
        "read_at": "readAt",
    },
    relations={
        "note": Relation(
            target="Note", pattern="({a})-[:ON]->({b}:Note)", many=False, live_only=False
        ),
        "activity": Relation(
            target="Activity", pattern="({a})-[:ON]->({b}:Activity)", many=False, live_only=False
        ),
        "customer": Relation(
            target="Customer", pattern="({a})-[:ON]->({b}:Customer)", many=False, live_only=False
        ),
    },
    archivable=False,
)


# A change to a record: who made it (BY), when and what changed (see `kesher.graph.audit`).
AUDIT_LINE = Label(
    name="AuditLine",
    properties={
        "action": "action",
        "field": "field",
        "before": "before",
        "after": "after",
        "summary": "summary",
        "created_at": "createdAt",
    },
    relations={
        "actor": _BY,
    },
    archivable=False,
)

# A telephone call logged on a record by a user (R3.3).
CALL_LOG = Label(
    name="CallLog",
    properties={
        "call_type": "callType",
        "outcome": "outcome",
        "summary": "summary",
        "at": "at",
        "duration_seconds": "durationSeconds",
        "created_at": "createdAt",
    },
    relations={
        "by": _BY,
    },
    archivable=False,
)

# An e-mail sent from a card, logged by hand, or received by the service's SMTP listener,
# filed on every record it concerns (one ON edge each) (R3.3).
EMAIL = Label(
    name="Email",
    properties={
        "direction": "direction",
        "from_address": "fromAddress",
        "to_addresses": "toAddresses",
        "cc_addresses": "ccAddresses",
        "subject": "subject",
        "text": "text",
        "message_id": "messageId",
        "at": "at",
        "created_at": "createdAt",
    },
    relations={
        "by": _BY,
    },
    archivable=False,
)

# Call logs and e-mails on a record `{a}`, newest first.
CALL_LOGS = _newest_first("CallLog", "ON", "at")
EMAILS = _newest_first("Email", "ON", "at")

# The users assigned to a customer or activity (R4.2); assignment grants no access.
ASSIGNED_USERS = Relation(
    target="User",
    pattern="({a})-[:ASSIGNED_TO]->({b}:User)",
    many=True,
    live_only=False,
)

# What is written on a record is seen with the record (`kesher.graph.visibility`).
keep_visible(ITEM_LABELS, lambda statement, n: statement.visible_item(n))
