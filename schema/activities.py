"""Activities: meetings, tasks, calls, e-mails, offers and product records."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from kesher.schema.activity_catalogs import ActivityStatus, ActivityType
from kesher.schema.attachments import attached
from kesher.schema.call_logs import called
from kesher.schema.chains import ActivityCounts, Chain, chained
from kesher.schema.common import (
    Row,
    connection_field,
)
from kesher.schema.items import assigned, mailed
from kesher.schema.node import Node
from kesher.schema.notes import noted
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.records import Contact, Customer, User
from kesher.schema.stream import streamed

# The type's own name, for fields of it that list activities.
LazyActivity = Annotated["Activity", strawberry.lazy("kesher.schema.activities")]


@strawberry.enum(description="What an activity is.")
class ActivityKind(Enum):
    EVENT = strawberry.enum_value("EVENT", description="A meeting or other event.")
    TASK = strawberry.enum_value("TASK", description="Something to do by a due time.")
    CALL = strawberry.enum_value("CALL", description="A phone call.")
    EMAIL = strawberry.enum_value("EMAIL", description="An e-mail.")
    OFFER = strawberry.enum_value("OFFER", description="An offer (quote) to a customer.")
    PRODUCT_RECORD = strawberry.enum_value(
        "PRODUCT_RECORD", description="A record of products delivered or sold."
    )


@strawberry.enum(description="Where an activity stands, read through its status.")
class ActivityState(Enum):
    LATE = strawberry.enum_value(
        "LATE", description="Open, and its start (a task's due time) has passed."
    )
    PENDING = strawberry.enum_value("PENDING", description="Open, and not yet due.")
    DONE = strawberry.enum_value("DONE", description="Its status is in the done category.")
    CANCELLED = strawberry.enum_value(
        "CANCELLED", description="Its status is in the cancelled category."
    )


@strawberry.type(
    description="An activity: who owns it, who takes part, which customers it is about."
)
class Activity(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    kind: ActivityKind = strawberry.field(description="What it is.")
    subject: str = strawberry.field(description="Its subject line.")
    description: str | None = strawberry.field(description="More about it.")
    starts_at: datetime = strawberry.field(
        description="When it starts (UTC); a task's due time; an all-day activity's first "
        "local midnight."
    )
    ends_at: datetime = strawberry.field(
        description="When it ends (UTC); for an all-day activity, the local midnight after "
        "its last day."
    )
    due_at: datetime | None = strawberry.field(description="A task's due time (UTC).")
    all_day: bool = strawberry.field(description="Takes whole days in its time zone.")
    time_zone: str = strawberry.field(description="The IANA time zone it was planned in.")
    external_url: str | None = strawberry.field(
        description="A meeting's event in an external calendar (https)."
    )
    recurrence: str | None = strawberry.field(
        description="How an event repeats: an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO), in its "
        "time zone."
    )
    closed_at: datetime | None = strawberry.field(description="When it was closed, if it was.")
    state: ActivityState = strawberry.field(
        description="LATE, PENDING, DONE or CANCELLED, from its status and the time now."
    )
    ref: str | None = strawberry.field(
        description="Its reference number (EV-, TS-, OF- or PR- and six digits), given to "
        "events, tasks, offers and product records when first saved."
    )
    has_attachments: bool = strawberry.field(
        description="Whether files are attached to it or to a note on it."
    )
    chain: Chain | None = strawberry.field(
        description="The chain it belongs to (`linkActivities`), or null."
    )
    linked_counts: ActivityCounts = strawberry.field(
        description="How many offers, product records, events and tasks its chain holds "
        "besides itself; each leads to a list (`linkedOffers`, …)."
    )
    linked_offers = chained("linked_offers", "offers")
    linked_product_records = chained("linked_product_records", "product records")
    linked_events = chained("linked_events", "events")
    linked_tasks = chained("linked_tasks", "tasks")
    attachments = attached("Activity")
    notes = noted("Activity")
    call_logs = called("Activity")
    emails = mailed("Activity")
    stream = streamed("Activity")
    assigned_users = assigned("Activity")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    owner: User = strawberry.field(description="The one user responsible for it.")
    customer: Customer = strawberry.field(description="The customer it belongs to.")
    contact: Contact | None = strawberry.field(description="A contact at that customer.")
    type: ActivityType = strawberry.field(description="Its activity type.")
    status: ActivityStatus = strawberry.field(description="Its status.")
    parent: Activity | None = strawberry.field(
        description="The activity a process made this one under (`CHILD_OF`), if any."
    )

    participants = connection_field(
        "Activity.participants",
        "Users taking part besides the owner, by name.",
        User,
        describe_first_and_after=False,
    )

    customers = connection_field(
        "Activity.customers",
        "Every customer it is about, its own included, by name; it shows in each one's history.",
        Customer,
        describe_first_and_after=False,
    )

    children = connection_field(
        "Activity.children",
        "The activities processes made under this one (`CHILD_OF` it), by start time, "
        "earliest first, then by id.",
        LazyActivity,
    )


_TIMES = (
    "Give `startsAt` (and `endsAt`, by default the same) for every kind but a task, "
    "which has `dueAt`. Times carry their offset."
)


@strawberry.input(description="What an activity is and when. " + _TIMES)
class ActivityFields:
    kind: ActivityKind = strawberry.field(description="What it is.")
    type_id: strawberry.ID = strawberry.field(description="An activity type's id.")
    status_id: strawberry.ID = strawberry.field(description="An activity status's id.")
    subject: str = strawberry.field(description="1 to 300 characters.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="More.")
    starts_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="Start.")
    ends_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="End.")
    due_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="Due.")
    all_day: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whole days in `timeZone`."
    )
    time_zone: str | None = strawberry.field(
        default=strawberry.UNSET, description="IANA time zone; UTC by default."
    )


@strawberry.input(description="A new activity. " + _TIMES)
class CreateActivityInput(ActivityFields):
    owner_id: strawberry.ID = strawberry.field(description="The responsible user (active).")
    participant_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Further users taking part."
    )
    customer_id: strawberry.ID = strawberry.field(description="The customer it belongs to.")
    contact_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A contact who works at that customer."
    )
    other_customer_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Further customers it is about."
    )
    external_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="A meeting's external calendar event (https)."
    )
    recurrence: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="For an event: an RFC 5545 RRULE; with COUNT or UNTIL at most 1,000 times.",
    )


@strawberry.input(description="Changes to an activity: only the fields sent. " + _TIMES)
class UpdateActivityInput:
    type_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="Type.")
    status_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Status."
    )
    subject: str | None = strawberry.field(default=strawberry.UNSET, description="Subject.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="More.")
    starts_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="Start.")
    ends_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="End.")
    due_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="Due.")
    all_day: bool | None = strawberry.field(default=strawberry.UNSET, description="All day.")
    time_zone: str | None = strawberry.field(default=strawberry.UNSET, description="Time zone.")
    owner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The responsible user."
    )
    participant_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the participants."
    )
    customer_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The customer it belongs to."
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A contact at that customer; null clears."
    )
    other_customer_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the further customers."
    )
    external_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="External calendar event; null clears."
    )
    recurrence: str | None = strawberry.field(
        default=strawberry.UNSET, description="An RRULE; null stops the repeating."
    )


@payload_union("The saved activity, or why nothing changed.")
@strawberry.type(description="The activity as saved.")
class ActivitySuccess:
    activity: Row = strawberry.field(graphql_type=Activity, description="The activity.")


ActivityPayload = Payload[ActivitySuccess]


@strawberry.enum(
    description="The order of the activity list, by start time (latest or earliest first). "
    "A search orders by relevance."
)
class ActivityOrder(Enum):
    STARTS_AT_DESC = "STARTS_AT_DESC"
    STARTS_AT_ASC = "STARTS_AT_ASC"


@strawberry.input(description="Narrows the activity list; every part is optional.")
class ActivityFilter:
    owner_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Owned by one of these users."
    )
    participant_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="With one of these users taking part."
    )
    customer_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="About one of these customers (its own or a further one)."
    )
    type_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Of one of these activity types."
    )
    status_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="In one of these statuses."
    )
    kinds: list[ActivityKind] | None = strawberry.field(
        default=None, description="Of one of these kinds."
    )
    states: list[ActivityState] | None = strawberry.field(
        default=None, description="In one of these states (LATE is open and past its time)."
    )
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Overlapping the period from this time on."
    )
    to: datetime | None = strawberry.field(
        default=None, description="Overlapping the period until this time (exclusive)."
    )


@strawberry.enum(description="What an activity report groups by.")
class ReportGrouping(Enum):
    TYPE = "TYPE"
    STATUS = "STATUS"
    OWNER = "OWNER"
    KIND = "KIND"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@strawberry.type(
    description="One group of an activity report: the keys it was grouped by, and its count."
)
class ActivityReportRow:
    count: int = strawberry.field(description="How many activities the group has.")
    type: ActivityType | None = strawberry.field(description="Its type, when grouped by TYPE.")
    status: ActivityStatus | None = strawberry.field(
        description="Its status, when grouped by STATUS."
    )
    owner: User | None = strawberry.field(description="Its owner, when grouped by OWNER.")
    kind: ActivityKind | None = strawberry.field(description="Its kind, when grouped by KIND.")
    period: date | None = strawberry.field(
        description="The first day of the day, week (Monday) or month the activities start in "
        "(null for a start outside the years 1900 to 2999)."
    )
