"""Reading and changing activities: the root fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from kesher.resolvers import activities, occurrence_changes
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.resolvers.selection import child
from kesher.schema.activities import (
    Activity,
    ActivityFilter,
    ActivityOrder,
    ActivityPayload,
    ActivityReportRow,
    ActivitySuccess,
    CreateActivityInput,
    ReportGrouping,
    UpdateActivityInput,
)
from kesher.schema.common import Before, Connection, Info, Last, MutationError, Row, error_of
from kesher.schema.inputs import provided
from kesher.schema.permissions import IsAdmin, IsAuthenticated


def activity_payload(outcome: Row | Refusal) -> ActivitySuccess | MutationError:
    return error_of(outcome) if isinstance(outcome, Refusal) else ActivitySuccess(activity=outcome)


def selected_activity(info: Info) -> list[strawberry.types.nodes.Selection]:
    return child(selected(info).selections, "activity")


def _where(filter: ActivityFilter | None) -> dict[str, object]:
    where = provided(filter) if filter else {}
    if "from_" in where:
        where["from"] = where.pop("from_")
    return where


SERIES = "The recurring event (with `occurrenceStart`)."
ORIGINAL_START = "The occurrence's original start, its `originalStart` (with `activityId`)."
OCCURRENCE = "The occurrence's id, instead of `activityId` and `occurrenceStart`."
# How `cancelOccurrence` and `moveOccurrence` name an occurrence.
SeriesId = Annotated[strawberry.ID | None, strawberry.argument(description=SERIES)]
OriginalStart = Annotated[datetime | None, strawberry.argument(description=ORIGINAL_START)]
OccurrenceId = Annotated[strawberry.ID | None, strawberry.argument(description=OCCURRENCE)]


def _text(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)


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
            selected(info),
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
        last: Last = None,
        before: Before = None,
    ) -> Row:
        where = _where(filter)
        field = selected(info)
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
        return await activities.card(info.context, str(id), selected(info).selections)


@strawberry.type(description="Changing activities.")
class ActivityMutations:
    @strawberry.mutation(
        description="Creates an activity. The owner must be an active user; the contact must "
        "work at the customer.",
        permission_classes=[IsAuthenticated],
    )
    async def create_activity(self, info: Info, input: CreateActivityInput) -> ActivityPayload:
        return activity_payload(
            await activities.create(info.context, provided(input), selected_activity(info))
        )

    @strawberry.mutation(
        description="Changes an activity: only the fields sent.",
        permission_classes=[IsAuthenticated],
    )
    async def update_activity(
        self, info: Info, id: strawberry.ID, input: UpdateActivityInput
    ) -> ActivityPayload:
        outcome = await activities.update(
            info.context, str(id), provided(input), selected_activity(info)
        )
        return activity_payload(outcome)

    @strawberry.mutation(
        description="Closes an activity: every later change to it is refused (code CLOSED) "
        "until an ADMIN reopens it.",
        permission_classes=[IsAuthenticated],
    )
    async def close_activity(self, info: Info, id: strawberry.ID) -> ActivityPayload:
        return activity_payload(
            await activities.set_closed(info.context, str(id), True, selected_activity(info))
        )

    @strawberry.mutation(
        description="Cancels one occurrence of a recurring event, named by its `occurrenceId` "
        "or by the series' `activityId` and the occurrence's original start.",
        permission_classes=[IsAuthenticated],
    )
    async def cancel_occurrence(
        self,
        info: Info,
        activity_id: SeriesId = None,
        occurrence_start: OriginalStart = None,
        occurrence_id: OccurrenceId = None,
    ) -> ActivityPayload:
        named = occurrence_changes.named_occurrence(
            _text(activity_id), occurrence_start, _text(occurrence_id)
        )
        if isinstance(named, Refusal):
            return error_of(named)
        outcome = await occurrence_changes.add_exception(
            info.context, named, None, selected_activity(info)
        )
        return activity_payload(outcome)

    @strawberry.mutation(
        description="Moves one occurrence of a recurring event to new times; it keeps its id. "
        "Named like `cancelOccurrence` names it.",
        permission_classes=[IsAuthenticated],
    )
    async def move_occurrence(
        self,
        info: Info,
        starts_at: datetime,
        ends_at: datetime,
        activity_id: SeriesId = None,
        occurrence_start: OriginalStart = None,
        occurrence_id: OccurrenceId = None,
    ) -> ActivityPayload:
        named = occurrence_changes.named_occurrence(
            _text(activity_id), occurrence_start, _text(occurrence_id)
        )
        if isinstance(named, Refusal):
            return error_of(named)
        outcome = await occurrence_changes.add_exception(
            info.context, named, (starts_at, ends_at), selected_activity(info)
        )
        return activity_payload(outcome)

    @strawberry.mutation(
        description="Reopens a closed activity (ADMIN).", permission_classes=[IsAdmin]
    )
    async def reopen_activity(self, info: Info, id: strawberry.ID) -> ActivityPayload:
        return activity_payload(
            await activities.set_closed(info.context, str(id), False, selected_activity(info))
        )
