"""The graph model as the statement builder sees it: labels, their readable properties,
the relations that can be followed from them and the degree counts they offer.

Keys are the API's (snake_case) names; values are Cypher. Patterns use `{a}` for the node
the relation starts from and `{b}` for the node it reaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import LiteralString

from kesher.graph.chain_model import CHAIN, chained_count, chained_list
from kesher.graph.items import (
    ASSIGNED_USERS,
    ATTACHMENT,
    ATTACHMENTS,
    AUDIT_LINE,
    CALL_LOG,
    CALL_LOGS,
    EMAIL,
    EMAILS,
    NOTE,
    NOTES,
    NOTIFICATION,
)
from kesher.graph.labels import Label, Relation
from kesher.graph.parts import keep_visible
from kesher.graph.stream import STREAM_ENTRY, stream

_TIMESTAMPS: dict[str, LiteralString] = {
    "created_at": "createdAt",
    "updated_at": "updatedAt",
    "archived_at": "archivedAt",
}

USER = Label(
    name="User",
    properties={
        "email": "email",
        "name": "name",
        "handle": "handle",
        "role": "role",
        "active": "active",
        "created_at": "createdAt",
        "updated_at": "updatedAt",
    },
    relations={
        "owned_customers": Relation(
            target="Customer", pattern="({b}:Customer)-[:OWNED_BY]->({a})", many=True
        ),
        "manages": Relation(target="User", pattern="({a})-[:MANAGES]->({b}:User)", many=True),
        "managers": Relation(target="User", pattern="({b}:User)-[:MANAGES]->({a})", many=True),
        "calendar_shared_with": Relation(
            target="User", pattern="({a})-[:SHARES_CALENDAR_WITH]->({b}:User)", many=True
        ),
        "calendars_shared_with_me": Relation(
            target="User", pattern="({b}:User)-[:SHARES_CALENDAR_WITH]->({a})", many=True
        ),
    },
    counts={
        "owned_customers": "({a})<-[:OWNED_BY]-(c:Customer) WHERE c.archivedAt IS NULL",
    },
    archivable=False,
)


def _about(kind: LiteralString) -> LiteralString:
    """The activities of one kind about customer `{a}` the audience may see, for a count."""
    return f"({{a}})<-[:ABOUT]-({{b}}:Activity {{{{kind: '{kind}'}}}}) WHERE {{visible}}"


CUSTOMER = Label(
    name="Customer",
    properties={
        "name": "name",
        "status": "status",
        "email": "email",
        "phone": "phone",
        "website": "website",
        "city": "city",
        "external_key": "externalKey",
        **_TIMESTAMPS,
    },
    relations={
        "owner": Relation(
            target="User", pattern="({a})-[:OWNED_BY]->({b}:User)", many=False, live_only=False
        ),
        "contacts": Relation(
            target="Contact", pattern="({b}:Contact)-[:WORKS_AT]->({a})", many=True
        ),
        "projects": Relation(target="Project", pattern="({b}:Project)-[:FOR]->({a})", many=True),
        "activities": Relation(
            target="Activity",
            pattern="({b}:Activity)-[:ABOUT]->({a})",
            many=True,
            order=("startAt",),
            live_only=False,
            descending=True,
        ),
        "attachments": ATTACHMENTS,
        "notes": NOTES,
        "call_logs": CALL_LOGS,
        "emails": EMAILS,
        "stream": stream("ABOUT"),
        "assigned_users": ASSIGNED_USERS,
    },
    counts={
        "contacts": "({a})<-[:WORKS_AT]-(c:Contact) WHERE c.archivedAt IS NULL",
        "projects": "({a})<-[:FOR]-(p:Project) WHERE p.archivedAt IS NULL",
        "offers": _about("OFFER"),
        "product_records": _about("PRODUCT_RECORD"),
        "events": _about("EVENT"),
        "tasks": _about("TASK"),
    },
)

CONTACT = Label(
    name="Contact",
    properties={
        "first_name": "firstName",
        "last_name": "lastName",
        "name": "name",
        "email": "email",
        "phone": "phone",
        "title": "title",
        "external_key": "externalKey",
        **_TIMESTAMPS,
    },
    relations={
        "customer": Relation(
            target="Customer",
            pattern="({a})-[:WORKS_AT]->({b}:Customer)",
            many=False,
            live_only=False,
        ),
        "attachments": ATTACHMENTS,
        "notes": NOTES,
        "call_logs": CALL_LOGS,
        "emails": EMAILS,
        "stream": stream("WITH_CONTACT"),
    },
)

PROJECT = Label(
    name="Project",
    properties={
        "name": "name",
        "status": "status",
        "description": "description",
        "external_key": "externalKey",
        **_TIMESTAMPS,
    },
    relations={
        "customer": Relation(
            target="Customer", pattern="({a})-[:FOR]->({b}:Customer)", many=False, live_only=False
        ),
        "attachments": ATTACHMENTS,
        "notes": NOTES,
        "call_logs": CALL_LOGS,
        "emails": EMAILS,
        "stream": stream(),
    },
)

ACTIVITY_TYPE = Label(
    name="ActivityType",
    properties={
        "name": "name",
        "colour": "colour",
        "sort_order": "sortOrder",
        "created_at": "createdAt",
        "updated_at": "updatedAt",
    },
    archivable=False,
)

ACTIVITY_STATUS = Label(
    name="ActivityStatus",
    properties={
        "name": "name",
        "colour": "colour",
        "category": "category",
        "sort_order": "sortOrder",
        "created_at": "createdAt",
        "updated_at": "updatedAt",
    },
    archivable=False,
)

# An activity's state, read through its status: LATE when the status is open and the
# start (a task's due time) has passed, PENDING when open, else the status category
# (DONE or CANCELLED). `{n}` is the activity.
ACTIVITY_STATE: LiteralString = (
    "[category IN COLLECT {{ MATCH ({n})-[:HAS_STATUS]->(state_status) "
    "RETURN state_status.category }} | CASE category WHEN 'OPEN' THEN "
    "CASE WHEN {n}.startAt < datetime() THEN 'LATE' ELSE 'PENDING' END "
    "ELSE category END][0]"
)

# Whether files are attached to an activity, or to a note on it.
HAS_ATTACHMENTS: LiteralString = (
    "(EXISTS {{ ({n})<-[:ATTACHED_TO]-(:Attachment) }} OR "
    "EXISTS {{ ({n})<-[:ON]-(:Note)<-[:ATTACHED_TO]-(:Attachment) }})"
)

ACTIVITY = Label(
    name="Activity",
    properties={
        "kind": "kind",
        "subject": "subject",
        "description": "description",
        "starts_at": "startAt",
        "ends_at": "endAt",
        "due_at": "dueAt",
        "all_day": "allDay",
        "time_zone": "timeZone",
        "external_url": "externalUrl",
        "recurrence": "recurrence",
        "recurrence_ends_at": "recurrenceEndsAt",
        "cancelled_starts": "cancelledStarts",
        "moved_starts": "movedStarts",
        "moved_to": "movedTo",
        "moved_to_end": "movedToEnd",
        "closed_at": "closedAt",
        "created_at": "createdAt",
        "updated_at": "updatedAt",
        "state": ACTIVITY_STATE,
        "ref": "ref",
        "has_attachments": HAS_ATTACHMENTS,
    },
    relations={
        "owner": Relation(
            target="User", pattern="({a})-[:OWNED_BY]->({b}:User)", many=False, live_only=False
        ),
        "participants": Relation(
            target="User", pattern="({a})-[:WITH_USER]->({b}:User)", many=True, live_only=False
        ),
        "customer": Relation(
            target="Customer",
            pattern="({a})-[:ABOUT {{primary: true}}]->({b}:Customer)",
            many=False,
            live_only=False,
        ),
        "customers": Relation(
            target="Customer", pattern="({a})-[:ABOUT]->({b}:Customer)", many=True, live_only=False
        ),
        "contact": Relation(
            target="Contact",
            pattern="({a})-[:WITH_CONTACT]->({b}:Contact)",
            many=False,
            live_only=False,
        ),
        "type": Relation(
            target="ActivityType",
            pattern="({a})-[:HAS_TYPE]->({b}:ActivityType)",
            many=False,
            live_only=False,
        ),
        "status": Relation(
            target="ActivityStatus",
            pattern="({a})-[:HAS_STATUS]->({b}:ActivityStatus)",
            many=False,
            live_only=False,
        ),
        "parent": Relation(
            target="Activity",
            pattern="({a})-[:CHILD_OF]->({b}:Activity)",
            many=False,
            live_only=False,
        ),
        "children": Relation(
            target="Activity",
            pattern="({b}:Activity)-[:CHILD_OF]->({a})",
            many=True,
            order=("startAt",),
            live_only=False,
        ),
        "chain": Relation(
            target="Chain", pattern="({a})-[:IN_CHAIN]->({b}:Chain)", many=False, live_only=False
        ),
        "linked_offers": chained_list("OFFER"),
        "linked_product_records": chained_list("PRODUCT_RECORD"),
        "linked_events": chained_list("EVENT"),
        "linked_tasks": chained_list("TASK"),
        "attachments": ATTACHMENTS,
        "notes": NOTES,
        "call_logs": CALL_LOGS,
        "emails": EMAILS,
        "stream": stream("CHILD_OF"),
        "assigned_users": ASSIGNED_USERS,
    },
    counts={
        "offers": chained_count("OFFER"),
        "product_records": chained_count("PRODUCT_RECORD"),
        "events": chained_count("EVENT"),
        "tasks": chained_count("TASK"),
    },
    archivable=False,
)

# An activity is seen by whoever sees the calendar of its owner or of a participant.
keep_visible([ACTIVITY.name], lambda statement, n: statement.visible(n))

LABELS: Mapping[str, Label] = {
    label.name: label
    for label in (
        USER,
        CUSTOMER,
        CONTACT,
        PROJECT,
        ACTIVITY,
        ACTIVITY_TYPE,
        ACTIVITY_STATUS,
        CHAIN,
        ATTACHMENT,
        NOTE,
        NOTIFICATION,
        AUDIT_LINE,
        CALL_LOG,
        EMAIL,
        STREAM_ENTRY,
    )
}
