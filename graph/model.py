"""The graph model as the statement builder sees it: labels, their readable properties,
the relations that can be followed from them and the degree counts they offer.

Keys are the API's (snake_case) names; values are Cypher. Patterns use `{a}` for the node
the relation starts from and `{b}` for the node it reaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import LiteralString

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

# The other activities of the chain `{a}` belongs to.
_IN_SAME_CHAIN: LiteralString = "({a})-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-"


def _chained(kind: LiteralString) -> LiteralString:
    """The other activities of one kind in the activity's chain, for a count."""
    return (
        _IN_SAME_CHAIN
        + f"({{b}}:Activity {{{{kind: '{kind}'}}}}) WHERE {{b}} <> {{a}} AND {{visible}}"
    )


def _chained_list(kind: LiteralString) -> Relation:
    """The other activities of one kind in the activity's chain, newest first."""
    return Relation(
        target="Activity",
        pattern=_IN_SAME_CHAIN + f"({{b}}:Activity {{{{kind: '{kind}'}}}} WHERE {{b}} <> {{a}})",
        many=True,
        order=("startAt",),
        descending=True,
        live_only=False,
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
        "linked_offers": _chained_list("OFFER"),
        "linked_product_records": _chained_list("PRODUCT_RECORD"),
        "linked_events": _chained_list("EVENT"),
        "linked_tasks": _chained_list("TASK"),
        "attachments": ATTACHMENTS,
        "notes": NOTES,
        "call_logs": CALL_LOGS,
        "emails": EMAILS,
        "stream": stream("CHILD_OF"),
        "assigned_users": ASSIGNED_USERS,
    },
    counts={
        "offers": _chained("OFFER"),
        "product_records": _chained("PRODUCT_RECORD"),
        "events": _chained("EVENT"),
        "tasks": _chained("TASK"),
    },
    archivable=False,
)

# An activity is seen by whoever sees the calendar of its owner or of a participant.
keep_visible([ACTIVITY.name], lambda statement, n: statement.visible(n))

# The steps of chain `{n}`, for the expressions below. Names are prefixed so that they
# cannot meet the enclosing statement's variables. None aggregates: a card projects its
# chain inside collect(), where Cypher refuses an aggregate in a subquery.
_STEPS: LiteralString = "COLLECT {{ MATCH ({n})<-[:IN_CHAIN]-(chain_step:Activity) WHERE {visible} "
_FIRST_START: LiteralString = _STEPS + "RETURN chain_step.startAt AS at ORDER BY at LIMIT 1 }}[0]"
_LAST_START: LiteralString = (
    _STEPS + "RETURN chain_step.startAt AS at ORDER BY at DESC LIMIT 1 }}[0]"
)


def _action(step: LiteralString) -> LiteralString:
    """A chain step's summary, `step` being an expression for its node."""
    return (
        f"{{{{id: {step}.id, ref: {step}.ref, kind: {step}.kind, subject: {step}.subject, "
        f"starts_at: {step}.startAt}}}}"
    )


_EARLIER: LiteralString = "chain_steps[chain_i - 1]"
_LATER: LiteralString = "chain_steps[chain_i]"
_GAP: LiteralString = f"duration.inSeconds({_EARLIER}.startAt, {_LATER}.startAt).seconds"
# The longest wait between two steps following each other in time (the earliest of equal
# ones), found by folding over the steps in order.
_SLOWEST_STEP: LiteralString = (
    "[chain_steps IN ["
    + _STEPS
    + "RETURN chain_step ORDER BY chain_step.startAt, chain_step.id }}] | "
    "reduce(chain_best = null, chain_i IN range(1, size(chain_steps) - 1) | "
    f"CASE WHEN chain_best IS NULL OR {_GAP} > chain_best.gap_seconds "
    f"THEN {{{{gap_seconds: {_GAP}, earlier: {_action(_EARLIER)}, later: {_action(_LATER)}}}}} "
    "ELSE chain_best END)][0]"
)

# A chain of activities: those joined by FOLLOWS, each with an IN_CHAIN edge to it.
CHAIN = Label(
    name="Chain",
    properties={
        "created_at": "createdAt",
        "steps": "COUNT {{ ({n})<-[:IN_CHAIN]-(chain_step:Activity) WHERE {visible} }}",
        "started_at": _FIRST_START,
        "last_at": _LAST_START,
        "duration_seconds": f"duration.inSeconds({_FIRST_START}, {_LAST_START}).seconds",
        "slowest_step": _SLOWEST_STEP,
    },
    relations={
        "actions": Relation(
            target="Activity",
            pattern="({b}:Activity)-[:IN_CHAIN]->({a})",
            many=True,
            order=("startAt",),
            descending=True,
            live_only=False,
        ),
    },
    archivable=False,
)

# A chain is seen by whoever sees one of its steps.
keep_visible([CHAIN.name], lambda statement, n: statement.visible_chain(n))

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
