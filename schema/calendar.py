"""Calendars: lanes of users' activities, free/busy, and the calendar feed's token."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from kesher.resolvers import calendar as calendar_resolvers
from kesher.resolvers import calendar_feed
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.schema.activities import Activity
from kesher.schema.common import Info, Row, error_of
from kesher.schema.node import Node
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAuthenticated
from kesher.schema.records import User


@strawberry.type(
    description="An activity's place in a calendar: the one time an activity that does not "
    "repeat takes, or one occurrence of a recurring event. Its id is its own (the series' id "
    "and the original start), so the occurrences of one event are distinct entries."
)
class Occurrence(Node):
    id: strawberry.ID = strawberry.field(
        description="Opaque identifier; the same in every calendar and after a move."
    )
    starts_at: datetime = strawberry.field(description="When this occurrence starts (UTC).")
    ends_at: datetime = strawberry.field(description="When this occurrence ends (UTC).")
    original_start: datetime | None = strawberry.field(
        description="For a recurring event, when the rule has this occurrence start (it "
        "names the occurrence to cancel or move); null for an activity that does not repeat."
    )
    moved: bool = strawberry.field(description="True when `moveOccurrence` gave it other times.")
    activity: Activity = strawberry.field(
        description="The activity, for a recurring event the whole series (its own times are "
        "the first occurrence's)."
    )


@strawberry.type(description="One user's lane of a calendar.")
class CalendarLane:
    user: User = strawberry.field(description="Whose calendar this is.")
    occurrences: list[Occurrence] = strawberry.field(
        description="Their activities (as owner or participant) in the window, recurring "
        "events as their occurrences, by start time."
    )
    truncated: bool = strawberry.field(description="True when the lane holds only the first 1,000.")


@strawberry.type(description="A busy stretch of time.")
class BusyInterval:
    start: datetime = strawberry.field(description="When it starts.")
    end: datetime = strawberry.field(description="When it ends.")


@strawberry.type(description="One user's busy times, without details.")
class FreeBusyLane:
    user: User = strawberry.field(description="Whose time this is.")
    busy: list[BusyInterval] = strawberry.field(
        description="Merged busy intervals inside the window."
    )


@strawberry.type(description="Reading calendars.")
class CalendarQueries:
    @strawberry.field(
        description="One lane per requested user with their activities (owner or "
        "participant) overlapping [from, to): month, week and day are windows the client "
        "picks; the day view of several users is several ids. Asking for a calendar you may "
        "not see (ADMIN sees all, a MANAGER those they manage, anyone their own and those "
        "shared with them) is an error, not an omission. One statement.",
        permission_classes=[IsAuthenticated],
        graphql_type=list[CalendarLane],
    )
    async def calendar(
        self,
        info: Info,
        user_ids: list[strawberry.ID],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        include_closed: bool = False,
    ) -> list[Row]:
        field = selected(info)
        assert isinstance(field, strawberry.types.nodes.SelectedField)
        return await calendar_resolvers.calendar(
            info.context, [str(i) for i in user_ids], from_, to, include_closed, field
        )

    @strawberry.field(
        description="Busy intervals of these users over [from, to), merged, without details; "
        "for finding a time.",
        permission_classes=[IsAuthenticated],
        graphql_type=list[FreeBusyLane],
    )
    async def free_busy(
        self,
        info: Info,
        user_ids: list[strawberry.ID],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> list[Row]:
        return await calendar_resolvers.free_busy(
            info.context, [str(i) for i in user_ids], from_, to, selected(info)
        )


@payload_union("The new feed address, or why not.")
@strawberry.type(description="A calendar feed address; the token in it is shown only now.")
class CalendarFeedSuccess:
    url: str | None = strawberry.field(
        description="Subscribe to this from Google or Outlook: /calendar/<user>.ics?token=…; "
        "null when an ADMIN rotated another user's feed (only its owner learns it)."
    )
    token: str | None = strawberry.field(
        description="The feed's secret token; the old one stops working. Null when an ADMIN "
        "rotated another user's feed."
    )


CalendarFeedPayload = Payload[CalendarFeedSuccess]


@strawberry.type(description="Changing calendar feeds.")
class CalendarMutations:
    @strawberry.mutation(
        description="Makes a new calendar-feed token for the signed-in user (or, for an ADMIN, "
        "`userId`) and answers with the feed's address; the old token stops working.",
        permission_classes=[IsAuthenticated],
    )
    async def rotate_calendar_feed(
        self, info: Info, user_id: strawberry.ID | None = None
    ) -> CalendarFeedPayload:
        request = info.context.request
        base_url = str(request.base_url) if request is not None else ""
        outcome = await calendar_feed.rotate(
            info.context, str(user_id) if user_id else None, base_url
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return CalendarFeedSuccess(url=outcome["url"], token=outcome["token"])
