"""One occurrence of a repeating activity: naming it, and cancelling or moving it alone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio.to_thread
from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import Selection

from kesher.codes import Code
from kesher.graph import activities as graph_activities
from kesher.graph import records as graph_records
from kesher.graph.audit import write_audit
from kesher.graph.driver import Row
from kesher.graph.errors import GraphError
from kesher.graph.model import ACTIVITY
from kesher.resolvers import recurrence
from kesher.resolvers.context import Context
from kesher.resolvers.errors import Refusal
from kesher.resolvers.records import audience
from kesher.resolvers.selection import shape_of
from kesher.resolvers.writes import viewer_id, write


@dataclass(frozen=True)
class NamedOccurrence:
    """An occurrence as a mutation names it, and the input fields that named it."""

    activity_id: str
    original: datetime
    activity_field: str = "activityId"
    start_field: str = "occurrenceStart"


def named_occurrence(
    activity_id: str | None, original: datetime | None, occurrence_id: str | None
) -> NamedOccurrence | Refusal:
    """An occurrence named by its id, or by its series' id and original start."""
    if occurrence_id is not None:
        if activity_id is not None or original is not None:
            return Refusal(
                Code.INVALID_INPUT,
                "occurrenceId: give it alone, or activityId and occurrenceStart instead.",
                "occurrenceId",
            )
        named = recurrence.parse_occurrence_id(occurrence_id)
        if named is None:
            return Refusal(
                Code.INVALID_INPUT,
                "occurrenceId: this is not the id of an occurrence.",
                "occurrenceId",
            )
        if named[1] is None:
            return Refusal(
                Code.INVALID_INPUT,
                "occurrenceId: the activity does not repeat; change it with updateActivity.",
                "occurrenceId",
            )
        return NamedOccurrence(named[0], named[1], "occurrenceId", "occurrenceId")
    if activity_id is None:
        return Refusal(
            Code.INVALID_INPUT,
            "activityId: give it with occurrenceStart, or occurrenceId.",
            "activityId",
        )
    if original is None:
        return Refusal(
            Code.INVALID_INPUT,
            "occurrenceStart: give it with activityId, or occurrenceId.",
            "occurrenceStart",
        )
    return NamedOccurrence(activity_id, original)


async def add_exception(
    context: Context,
    occurrence: NamedOccurrence,
    moved_to: tuple[datetime, datetime] | None,
    selections: Iterable[Selection],
) -> Row | Refusal:
    """Cancels one occurrence of a recurring event, or moves it to new times."""
    if moved_to is not None and moved_to[1] < moved_to[0]:
        return Refusal(Code.INVALID_INPUT, "endsAt: it cannot end before it starts.", "endsAt")
    shape = shape_of(ACTIVITY, selections, context.settings)
    actor = viewer_id(context)
    activity_id, original = occurrence.activity_id, occurrence.original
    named, start_field = occurrence.activity_field, occurrence.start_field

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        stored = await graph_activities.current(tx, audience(context), activity_id, named)
        graph_activities.require_open(stored, activity_id, named)
        if stored["recurrence"] is None:
            raise GraphError(f"{named}: the activity does not repeat.", field=named)
        series = {
            "recurrence": stored["recurrence"],
            "starts_at": stored["startAt"],
            "time_zone": stored["timeZone"],
        }
        if not await anyio.to_thread.run_sync(recurrence.is_occurrence, series, original):
            raise GraphError(
                f"{start_field}: the series has no occurrence starting then.",
                field=start_field,
            )
        if original.astimezone(UTC) in (stored["cancelledStarts"] or ()):
            raise GraphError(f"{start_field}: that occurrence is cancelled.", field=start_field)
        await graph_activities.add_exception(tx, activity_id, original, moved_to)
        start = graph_activities.as_text(original)
        if moved_to is None:
            action, after = graph_activities.OCCURRENCE_CANCELLED, None
            summary = f"Cancelled the occurrence of {start}"
        else:
            action, after = graph_activities.OCCURRENCE_MOVED, graph_activities.as_text(moved_to[0])
            summary = f"Moved the occurrence of {start} to {after}"
        await write_audit(tx, activity_id, actor, action, "occurrence", start, after, summary)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, activity_id)

    return await write(context, work)
