"""Activities: meetings, tasks, calls, e-mails, offers and product records."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from kesher.resolvers import activities
from kesher.resolvers import records as record_resolvers
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selection import child
from kesher.schema.activity_catalogs import ActivityStatus, ActivityType
from kesher.schema.common import Connection, Info, MutationError, Row, error_of
from kesher.schema.inputs import provided
from kesher.schema.permissions import IsAdmin, IsAuthenticated
from kesher.schema.records import Contact, Customer, User


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
class Activity:
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
    occurrence_start: datetime | None = strawberry.field(
        default=None,
        description="In a calendar, the original start of this occurrence of a recurring "
        "event (it names the occurrence to cancel or move).",
    )
    closed_at: datetime | None = strawberry.field(description="When it was closed, if it was.")
    state: ActivityState = strawberry.field(
        description="LATE, PENDING, DONE or CANCELLED, from its status and the time now."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    owner: User = strawberry.field(description="The one user responsible for it.")
    customer: Customer = strawberry.field(description="The customer it belongs to.")
    contact: Contact | None = strawberry.field(description="A contact at that customer.")
    type: ActivityType = strawberry.field(description="Its activity type.")
    status: ActivityStatus = strawberry.field(description="Its status.")

    @strawberry.field(
        description="Users taking part besides the owner, by name.", graphql_type=Connection[User]
    )
    @staticmethod
    def participants(
        parent: strawberry.Parent[Row],
        info: Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Row:
        return record_resolvers.nested_connection(
            parent, str(info.path.key), "Activity.participants", info.context, first, after
        )

    @strawberry.field(
        description="Every customer it is about, its own included, by name; it shows in "
        "each one's history.",
        graphql_type=Connection[Customer],
    )
    @staticmethod
    def customers(
        parent: strawberry.Parent[Row],
        info: Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Row:
        return record_resolvers.nested_connection(
            parent, str(info.path.key), "Activity.customers", info.context, first, after
        )


_TIMES = (
    "Give `startsAt` (and `endsAt`, by default the same) for every kind but a task, "
    "which has `dueAt`. Times carry their offset."
)


@strawberry.input(description="A new activity. " + _TIMES)
class CreateActivityInput:
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


@strawberry.type(description="The activity as saved.")
class ActivitySuccess:
    activity: Row = strawberry.field(graphql_type=Activity, description="The activity.")


ActivityPayload = Annotated[
    ActivitySuccess | MutationError,
    strawberry.union("ActivityPayload", description="The saved activity, or why nothing changed."),
]


def _payload(outcome: Row | Refusal) -> ActivitySuccess | MutationError:
    return error_of(outcome) if isinstance(outcome, Refusal) else ActivitySuccess(activity=outcome)


def _selected(info: Info) -> list[strawberry.types.nodes.Selection]:
    return child(info.selected_fields[0].selections, "activity")


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
        description="The first day of the day, week (Monday) or month the activities start in."
    )


def _where(filter: ActivityFilter | None) -> dict[str, object]:
    where = provided(filter) if filter else {}
    if "from_" in where:
        where["from"] = where.pop("from_")
    return where


@strawberry.type(description="Reading activities.")
class ActivityQueries:
    @strawberry.field(
        description="Counts of activities grouped by type, status, owner, kind and/or a "
        "period (largest first). Closed activities count only with `includeClosed`.",
        permission_classes=[IsAuthenticated],
        graphql_type=list[ActivityReportRow],
    )
    async def activity_report(
        self,
        info: Info,
        group_by: list[ReportGrouping],
        filter: ActivityFilter | None = None,
        include_closed: bool = False,
        time_zone: Annotated[
            str, strawberry.argument(description="The IANA time zone periods are counted in.")
        ] = "UTC",
    ) -> list[Row]:
        return await activities.report(
            info.context,
            [grouping.value for grouping in group_by],
            _where(filter),
            include_closed,
            time_zone,
        )

    @strawberry.field(
        description="The activity list: filter, search, order and page. Closed activities "
        "are left out unless `includeClosed`.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[Activity],
    )
    async def activities(
        self,
        info: Info,
        filter: ActivityFilter | None = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Full-text search over subject and description (Hebrew or "
                "English); every word must match as a prefix."
            ),
        ] = None,
        include_closed: Annotated[
            bool, strawberry.argument(description="Include closed activities.")
        ] = False,
        order_by: ActivityOrder = ActivityOrder.STARTS_AT_DESC,
        first: Annotated[int | None, strawberry.argument(description="Rows to return.")] = None,
        after: Annotated[str | None, strawberry.argument(description="After this cursor.")] = None,
    ) -> Row:
        where = _where(filter)
        field = info.selected_fields[0]
        assert isinstance(field, strawberry.types.nodes.SelectedField)
        return await activities.page(
            info.context, field, where, search, include_closed, order_by.value
        )

    @strawberry.field(
        description="An activity's card, or null when there is none with this id.",
        permission_classes=[IsAuthenticated],
        graphql_type=Activity | None,
    )
    async def activity(self, info: Info, id: strawberry.ID) -> Row | None:
        return await activities.card(info.context, str(id), info.selected_fields[0].selections)


@strawberry.type(description="Changing activities.")
class ActivityMutations:
    @strawberry.mutation(
        description="Creates an activity. The owner must be an active user; the contact must "
        "work at the customer.",
        permission_classes=[IsAuthenticated],
    )
    async def create_activity(self, info: Info, input: CreateActivityInput) -> ActivityPayload:
        return _payload(await activities.create(info.context, provided(input), _selected(info)))

    @strawberry.mutation(
        description="Changes an activity: only the fields sent.",
        permission_classes=[IsAuthenticated],
    )
    async def update_activity(
        self, info: Info, id: strawberry.ID, input: UpdateActivityInput
    ) -> ActivityPayload:
        outcome = await activities.update(info.context, str(id), provided(input), _selected(info))
        return _payload(outcome)

    @strawberry.mutation(
        description="Closes an activity: every later change to it is refused (code CLOSED) "
        "until an ADMIN reopens it.",
        permission_classes=[IsAuthenticated],
    )
    async def close_activity(self, info: Info, id: strawberry.ID) -> ActivityPayload:
        return _payload(await activities.set_closed(info.context, str(id), True, _selected(info)))

    @strawberry.mutation(
        description="Cancels one occurrence of a recurring event, named by its original start.",
        permission_classes=[IsAuthenticated],
    )
    async def cancel_occurrence(
        self, info: Info, activity_id: strawberry.ID, occurrence_start: datetime
    ) -> ActivityPayload:
        outcome = await activities.add_exception(
            info.context, str(activity_id), occurrence_start, None, _selected(info)
        )
        return _payload(outcome)

    @strawberry.mutation(
        description="Moves one occurrence of a recurring event to new times.",
        permission_classes=[IsAuthenticated],
    )
    async def move_occurrence(
        self,
        info: Info,
        activity_id: strawberry.ID,
        occurrence_start: datetime,
        starts_at: datetime,
        ends_at: datetime,
    ) -> ActivityPayload:
        outcome = await activities.add_exception(
            info.context, str(activity_id), occurrence_start, (starts_at, ends_at), _selected(info)
        )
        return _payload(outcome)

    @strawberry.mutation(
        description="Reopens a closed activity (ADMIN).", permission_classes=[IsAdmin]
    )
    async def reopen_activity(self, info: Info, id: strawberry.ID) -> ActivityPayload:
        return _payload(await activities.set_closed(info.context, str(id), False, _selected(info)))
