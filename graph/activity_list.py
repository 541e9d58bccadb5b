"""Reading activities as lists and reports: the filter they share and the one statement
of each, starting from the few owners or customers named when there are some."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import LiteralString

from kesher.graph import chains
from kesher.graph.catalog import fresh_rows
from kesher.graph.driver import Graph, Params, Row
from kesher.graph.model import ACTIVITY, ACTIVITY_STATE
from kesher.graph.records import PageRows, lucene_query
from kesher.graph.shapes import Page, Search, Shape
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience


@dataclass(frozen=True)
class ActivityFilter:
    """What an activity list may narrow to; every part is optional."""

    owner_ids: tuple[str, ...] = ()
    participant_ids: tuple[str, ...] = ()
    customer_ids: tuple[str, ...] = ()
    type_ids: tuple[str, ...] = ()
    status_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    overlaps_from: datetime | None = None
    overlaps_to: datetime | None = None
    include_closed: bool = False
    search: str | None = None


def _source(statement: Statement, n: LiteralString, where: ActivityFilter) -> LiteralString | None:
    """A MATCH that starts from the few owners or customers named, when some are."""
    if where.owner_ids:
        ids = statement.param(list(where.owner_ids))
        return f"MATCH (u:User) WHERE u.id IN {ids} MATCH ({n}:Activity)-[:OWNED_BY]->(u)"
    if where.customer_ids:
        ids = statement.param(list(where.customer_ids))
        m = statement.variable()
        return (
            f"MATCH (c:Customer) WHERE c.id IN {ids} MATCH ({m}:Activity)-[:ABOUT]->(c) "
            f"WITH DISTINCT {m} AS {n}"
        )
    return None


# Where an export of the list starts (`kesher.graph.exports`).
source = _source


# A period only for a start within the years the API takes (1900 to 2999): one stored
# before they were checked may fall on a day no client could read (year 0).
_KEPT: LiteralString = (
    "CASE WHEN {n}.startAt >= datetime('1900-01-02T00:00:00Z') "
    "AND {n}.startAt < datetime('2999-12-31T00:00:00Z') THEN "
)

# What a report may group by, as the Cypher of each key over the activity `{n}`; a type,
# status or owner is its node, read in the shape the caller asks for.
GROUPINGS: Mapping[str, LiteralString] = {
    "TYPE": "COLLECT {{ MATCH ({n})-[:HAS_TYPE]->(t) RETURN t }}[0]",
    "STATUS": "COLLECT {{ MATCH ({n})-[:HAS_STATUS]->(s) RETURN s }}[0]",
    "OWNER": "COLLECT {{ MATCH ({n})-[:OWNED_BY]->(u) RETURN u }}[0]",
    "KIND": "{n}.kind",
    "DAY": _KEPT + "date(datetime({{datetime: {n}.startAt, timezone: {tz}}})) END",
    "WEEK": _KEPT
    + "date.truncate('week', datetime({{datetime: {n}.startAt, timezone: {tz}}})) END",
    "MONTH": _KEPT
    + "date.truncate('month', datetime({{datetime: {n}.startAt, timezone: {tz}}})) END",
}


async def report(
    graph: Graph,
    audience: Audience,
    group_by: tuple[str, ...],
    where: ActivityFilter,
    time_zone: str,
    shapes: Mapping[str, Shape],
    cap: int,
) -> list[Row]:
    """Counts of the activities matching `where`, one row per combination of the
    `group_by` keys that occurs (a period is the day, week or month the activity starts
    in, in `time_zone`), largest first. A type, status or owner comes in its shape from
    `shapes`. Only the activities the audience may see count. At most `cap` + 1 groups
    (the largest) are read and shaped, so that one more than `cap` says there are more.
    One statement."""

    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=audience)
        n = statement.variable()
        source = _source(statement, n, where)
        conditions = activity_conditions(statement, n, where, anchored=source is not None)
        conditions += statement.visibility_conditions(n, ACTIVITY)
        source = source or f"MATCH ({n}:Activity)"
        tz = statement.param(time_zone)
        grouped: list[LiteralString] = []
        subqueries: list[LiteralString] = []
        entries: list[LiteralString] = []
        for name in group_by:
            key = name.lower()
            if name in shapes:
                v = statement.variable()
                grouped.append(GROUPINGS[name].format(n=n, tz=tz) + " AS " + v)
                inner, projection = statement.projection(v, shapes[name])
                subqueries += inner
                entries.append(f"{key}: {projection}")
            else:
                grouped.append(GROUPINGS[name].format(n=n, tz=tz) + " AS " + key)
                entries.append(f"{key}: {key}")
        where_text: LiteralString = "WHERE " + " AND ".join(conditions) if conditions else ""
        text = "\n".join(
            [
                f"{source} {where_text}",
                f"WITH {', '.join(grouped)}, count(*) AS count",
                f"ORDER BY count DESC LIMIT {statement.param(cap + 1)}",
                *subqueries,
                f"RETURN collect({{{', '.join(entries)}, count: count}}) AS rows"
                + statement.catalog(),
            ]
        )
        return text, statement.params

    rows = await fresh_rows(graph, build)
    return sorted(rows[0]["rows"], key=lambda row: -int(row["count"]))


async def page(
    graph: Graph, audience: Audience, shape: Shape, keyset: Page, where: ActivityFilter
) -> PageRows:
    """One page of activities in one statement. It starts from the few owners or customers
    named, else from the full-text index for a search, else from the start-time index."""

    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=audience)
        n = statement.variable()
        search = None
        ref = chains.parse_ref(where.search) if where.search else None
        if ref is not None:
            # A search for a reference number finds that activity.
            anchor: LiteralString | None = f"MATCH ({n}:Activity {{ref: {statement.param(ref)}}})"
        else:
            anchor = None if where.search else _source(statement, n, where)
        # A list that starts from the owners or customers named need not check them again.
        anchored = anchor is not None and ref is None
        conditions = activity_conditions(statement, n, where, anchored=anchored)
        if where.search and ref is None:
            search = Search("activity_search", lucene_query(where.search))
        elif anchor is None and keyset.order:
            conditions.append(keyset.order[0].expression.format(n=n) + " IS NOT NULL")
        text = statement.page(shape, keyset, conditions, search=search, n=n, anchor=anchor)
        return text, statement.params

    result = await fresh_rows(graph, build)
    return PageRows.of(result[0])


def activity_conditions(
    statement: Statement, n: LiteralString, where: ActivityFilter, anchored: bool = False
) -> list[LiteralString]:
    """The filter's conditions on activity `n`; when `anchored` (the MATCH starts from the
    named owners, else the named customers: see `_source`) that one is left out."""
    conditions: list[LiteralString] = []
    if not where.include_closed:
        conditions.append(f"{n}.closedAt IS NULL")
    if where.kinds:
        conditions.append(f"{n}.kind IN {statement.param(list(where.kinds))}")
    if where.states:
        state = ACTIVITY_STATE.format(n=n)
        conditions.append(f"{state} IN {statement.param(list(where.states))}")
    # Times are compared in UTC, as they are stored.
    if where.overlaps_from is not None:
        after = statement.param(where.overlaps_from.astimezone(UTC))
        conditions.append(f"{n}.endAt > {after}")
    if where.overlaps_to is not None:
        before = statement.param(where.overlaps_to.astimezone(UTC))
        conditions.append(f"{n}.startAt < {before}")
    source = "owners" if where.owner_ids else "customers" if where.customer_ids else None
    skipped = source if anchored else None
    edges: tuple[tuple[tuple[str, ...], LiteralString, LiteralString], ...] = (
        (() if skipped == "owners" else where.owner_ids, "OWNED_BY", "User"),
        (where.participant_ids, "WITH_USER", "User"),
        (() if skipped == "customers" else where.customer_ids, "ABOUT", "Customer"),
        (where.type_ids, "HAS_TYPE", "ActivityType"),
        (where.status_ids, "HAS_STATUS", "ActivityStatus"),
    )
    for ids, edge, label in edges:
        if ids:
            x = statement.variable()
            conditions.append(
                f"EXISTS {{ ({n})-[:{edge}]->({x}:{label}) "
                f"WHERE {x}.id IN {statement.param(list(ids))} }}"
            )
    return conditions
