"""Calendars: each requested user's activities (as owner or participant) that overlap a
window, with who may see them decided in the same statement. Each user's activities are
found through their calendar buckets (`kesher.graph.calendar_buckets`): the window's
months and the long bucket, never their whole history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import LiteralString

from kesher.graph.calendar_buckets import month_keys
from kesher.graph.catalog import fresh_rows
from kesher.graph.driver import Graph, Params, Row
from kesher.graph.shapes import Shape
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience


@dataclass(frozen=True)
class Window:
    starts: datetime
    ends: datetime
    include_closed: bool = False


async def lanes(
    graph: Graph,
    audience: Audience,
    user_ids: list[str],
    window: Window,
    shape: Shape,
    per_lane: int,
    user_shape: Shape,
    every_lane: bool = False,
) -> list[Row]:
    """One row per requested user, in the order asked: whether the user exists and the
    audience may see their calendar (`every_lane`: whatever the audience, for free/busy),
    the user in `user_shape`, and if so their activities overlapping the window, by start
    time (at most `per_lane`, then `truncated`)."""

    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=audience)
        ids = statement.param(user_ids)
        visible = "true" if every_lane else statement.sees_calendar("u")
        starts = statement.param(window.starts.astimezone(UTC))
        ends = statement.param(window.ends.astimezone(UTC))
        cap = statement.param(per_lane + 1)
        months = statement.param(month_keys(window.starts, window.ends))
        a = statement.variable()
        subqueries, projection = statement.projection(a, shape)
        user_subqueries, user = statement.projection("u", user_shape)
        closed: LiteralString = "" if window.include_closed else f" AND {a}.closedAt IS NULL"
        text = "\n".join(
            [
                f"UNWIND range(0, size({ids}) - 1) AS i",
                f"OPTIONAL MATCH (u:User {{id: {ids}[i]}})",
                f"WITH i, u, u IS NOT NULL AND {visible} AS visible",
                "CALL (u, visible) {",
                "  WITH u WHERE visible",
                # The user's buckets of the window's months and their long bucket.
                f"  UNWIND {months} AS month",
                f"  MATCH ({a}:Activity)-[:ON_CALENDAR]->"
                "(:CalendarMonth {key: u.id + '|' + month})",
                f"  WHERE {a}.startAt < {ends} AND ({a}.endAt > {starts} OR "
                f"({a}.endAt = {a}.startAt AND {a}.startAt >= {starts}) OR "
                # A series whose later occurrences may fall in the window.
                f"({a}.recurrence IS NOT NULL AND "
                f"coalesce({a}.recurrenceEndsAt > {starts}, true))){closed}",
                f"  WITH DISTINCT {a} ORDER BY {a}.startAt, {a}.id LIMIT {cap}",
                *subqueries,
                f"  RETURN collect({projection}) AS activities",
                "}",
                *user_subqueries,
                f"RETURN i, {ids}[i] AS id, u IS NOT NULL AS found, visible, "
                f"{user} AS user, activities" + statement.catalog() + " ORDER BY i",
            ]
        )
        return text, statement.params

    return await fresh_rows(graph, build)
