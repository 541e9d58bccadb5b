"""The graph model as the statement builder sees it: labels, their readable properties,
the relations that can be followed from them and the degree counts they offer.

Keys are the API's (snake_case) names; values are Cypher. Patterns use `{a}` for the node
the relation starts from and `{b}` for the node it reaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import LiteralString


@dataclass(frozen=True)
class Relation:
    """A way from a node of one label to nodes of another."""

    target: LiteralString
    pattern: LiteralString
    many: bool
    order: tuple[LiteralString, ...] = ("name",)
    live_only: bool = True
    descending: bool = False


@dataclass(frozen=True)
class Label:
    """A node label. A property is a stored property's name, or a Cypher expression
    over the node `{n}` when it is worked out on reading."""

    name: LiteralString
    properties: Mapping[str, LiteralString]
    relations: Mapping[str, Relation] = field(default_factory=dict)
    counts: Mapping[str, LiteralString] = field(default_factory=dict)
    archivable: bool = True


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

CUSTOMER = Label(
    name="Customer",
    properties={
        "name": "name",
        "status": "status",
        "email": "email",
        "phone": "phone",
        "website": "website",
        "city": "city",
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
    },
    counts={
        "contacts": "({a})<-[:WORKS_AT]-(c:Contact) WHERE c.archivedAt IS NULL",
        "projects": "({a})<-[:FOR]-(p:Project) WHERE p.archivedAt IS NULL",
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
        **_TIMESTAMPS,
    },
    relations={
        "customer": Relation(
            target="Customer",
            pattern="({a})-[:WORKS_AT]->({b}:Customer)",
            many=False,
            live_only=False,
        ),
    },
)

PROJECT = Label(
    name="Project",
    properties={
        "name": "name",
        "status": "status",
        "description": "description",
        **_TIMESTAMPS,
    },
    relations={
        "customer": Relation(
            target="Customer", pattern="({a})-[:FOR]->({b}:Customer)", many=False, live_only=False
        ),
    },
)

ACTIVITY_TYPE = Label(
    name="ActivityType",
    properties={"name": "name", "colour": "colour", "sort_order": "sortOrder"},
    archivable=False,
)

ACTIVITY_STATUS = Label(
    name="ActivityStatus",
    properties={
        "name": "name",
        "colour": "colour",
        "category": "category",
        "sort_order": "sortOrder",
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
    },
    archivable=False,
)

LABELS: Mapping[str, Label] = {
    label.name: label
    for label in (USER, CUSTOMER, CONTACT, PROJECT, ACTIVITY, ACTIVITY_TYPE, ACTIVITY_STATUS)
}
