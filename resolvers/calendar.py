"""Calendars and free/busy: lanes of users' activities over a window."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import anyio.to_thread
from strawberry.types.nodes import SelectedField

from kesher.codes import Code
from kesher.graph import calendar as graph_calendar
from kesher.graph.driver import Row
from kesher.graph.model import ACTIVITY, USER
from kesher.graph.shapes import Shape
from kesher.resolvers import recurrence
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError
from kesher.resolvers.records import audience
from kesher.resolvers.selection import child, shape_of

MAX_USERS = 50
MAX_WINDOW = timedelta(days=400)
PER_LANE = 1000


def _window(user_ids: list[str], starts: datetime, ends: datetime) -> None:
    if not 1 <= len(user_ids) <= MAX_USERS:
        raise ClientError(
            f"userIds: name 1 to {MAX_USERS} users.", code=Code.INVALID_INPUT, field="userIds"
        )
    if ends <= starts:
        raise ClientError("to: must be after `from`.", code=Code.INVALID_INPUT, field="to")
    if ends - starts > MAX_WINDOW:
        raise ClientError(
            f"to: a window is at most {MAX_WINDOW.days} days.", code=Code.INVALID_INPUT, field="to"
        )


async def calendar(
    context: Context,
    user_ids: list[str],
    starts: datetime,
    ends: datetime,
    include_closed: bool,
    field: SelectedField,
) -> list[Row]:
    """One lane per user asked for. Asking for a user the viewer may not see is an error
    naming that user, never a silently missing lane."""
    _window(user_ids, starts, ends)
    selections = child(child(field.selections, "occurrences"), "activity")
    shape = with_series(shape_of(ACTIVITY, selections, context.settings))
    rows = await graph_calendar.lanes(
        context.graph,
        audience(context),
        user_ids,
        graph_calendar.Window(starts, ends, include_closed),
        shape,
        PER_LANE,
        shape_of(USER, child(field.selections, "user"), context.settings),
    )
    for row in rows:
        _require_user(row)
        if not row["visible"]:
            raise ClientError(
                f"userIds: you may not see the calendar of {row['id']!r}.",
                code=Code.FORBIDDEN,
                field="userIds",
            )
    lanes = []
    worked = await expanded([row["activities"] for row in rows], starts, ends)
    for row, (found, cut) in zip(rows, worked, strict=True):
        lanes.append(
            {
                "user": row["user"],
                "occurrences": found[:PER_LANE],
                "truncated": cut or len(found) > PER_LANE or len(row["activities"]) > PER_LANE,
            }
        )
    return lanes


# What expanding a series needs, whatever the client selected.
SERIES_FIELDS = frozenset(
    {
        "starts_at",
        "ends_at",
        "time_zone",
        "recurrence",
        "cancelled_starts",
        "moved_starts",
        "moved_to",
        "moved_to_end",
    }
)


def with_series(shape: Shape) -> Shape:
    return dataclasses.replace(shape, fields=shape.fields | SERIES_FIELDS)


async def expanded(
    lanes: list[list[Row]], starts: datetime, ends: datetime
) -> list[tuple[list[Row], bool]]:
    """For each lane's activities, their occurrences in the window, by start time: each
    recurring event's occurrences, and the one occurrence of every other activity; and
    whether some were left out. When a recurring event is among them, all lanes are worked
    out in one thread, so other requests go on meanwhile; without one they are only
    sorted, which costs less than the hop."""

    def work() -> list[tuple[list[Row], bool]]:
        return [_expanded(activities, starts, ends) for activities in lanes]

    if not any(activity.get("recurrence") for activities in lanes for activity in activities):
        return work()
    return await anyio.to_thread.run_sync(work)


def _expanded(activities: list[Row], starts: datetime, ends: datetime) -> tuple[list[Row], bool]:
    found: list[Row] = []
    cut = False
    for activity in activities:
        if activity.get("recurrence"):
            some, some_cut = recurrence.occurrences(activity, starts, ends)
            found.extend(some)
            cut = cut or some_cut
        else:
            found.append(recurrence.single(activity))
    return sorted(found, key=lambda row: (row["starts_at"], row["id"])), cut


async def free_busy(
    context: Context, user_ids: list[str], starts: datetime, ends: datetime, field: SelectedField
) -> list[Row]:
    """Each user's busy intervals over the window, merged, without any detail; any signed-in
    user may ask, to find a time."""
    _window(user_ids, starts, ends)
    shape = Shape(ACTIVITY, SERIES_FIELDS)
    rows = await graph_calendar.lanes(
        context.graph,
        audience(context),
        user_ids,
        graph_calendar.Window(starts, ends),
        shape,
        PER_LANE,
        shape_of(USER, child(field.selections, "user"), context.settings),
        every_lane=True,
    )
    for row in rows:
        _require_user(row)
    lanes = []
    worked = await expanded([row["activities"] for row in rows], starts, ends)
    for row, (found, _) in zip(rows, worked, strict=True):
        busy = merged(found, starts, ends)
        lanes.append({"user": row["user"], "busy": busy})
    return lanes


def _require_user(row: Row) -> None:
    if not row["found"]:
        raise ClientError(
            f"userIds: no user has the id {row['id']!r}.", code=Code.NOT_FOUND, field="userIds"
        )


def merged(activities: list[Row], starts: datetime, ends: datetime) -> list[Row]:
    """Overlapping or touching busy times as single intervals, clipped to the window."""
    intervals: list[Row] = []
    for activity in sorted(activities, key=lambda row: row["starts_at"]):
        start = max(activity["starts_at"], starts)
        end = min(activity["ends_at"], ends)
        if end <= start:
            continue
        if intervals and start <= intervals[-1]["end"]:
            intervals[-1]["end"] = max(intervals[-1]["end"], end)
        else:
            intervals.append({"start": start, "end": end})
    return intervals
