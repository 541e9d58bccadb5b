"""The relationship graph as network analytics read it: the links between customers,
contacts, projects and free-text parties, fetched in one bounded statement.

A link counts when neither end is archived and it is in effect on the day asked
(today when none): a catalog link by its `startsOn`/`endsOn`, a contact's WORKS_AT and a
project's FOR (which carry no dates) when both ends existed by the end of that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import LiteralString

from kesher.graph.catalog import CATALOG_KEYS, cypher_types, fresh_rows
from kesher.graph.driver import Graph, Params, Row
from kesher.graph.parties import kind_of

STRUCTURAL_LINKS: LiteralString = "WORKS_AT|FOR"


@dataclass(frozen=True)
class NetworkScope:
    """Which links count: of these catalog types (all when None), with or without the
    structural ones, in effect on `as_of` (today when None); at most `limit` of them."""

    type_keys: tuple[str, ...] | None
    include_structural: bool
    as_of: date | None
    limit: int


@dataclass(frozen=True)
class NetworkLinks:
    links: list[Row]
    truncated: bool


def _types(keys: frozenset[str], scope: NetworkScope) -> LiteralString:
    wanted = keys if scope.type_keys is None else keys & set(scope.type_keys)
    catalog = cypher_types(wanted)
    structural: LiteralString = STRUCTURAL_LINKS if scope.include_structural else ""
    return "|".join(part for part in (catalog, structural) if part)


def _statement(keys: frozenset[str], scope: NetworkScope) -> tuple[LiteralString, Params]:
    day = scope.as_of or datetime.now(UTC).date()
    params: Params = {
        "day": day,
        "dayEnd": datetime.combine(day + timedelta(days=1), time(), UTC),
        "size": scope.limit + 1,
    }
    types = _types(keys, scope)
    if not types:
        return f"RETURN [] AS links, {CATALOG_KEYS}", params
    return (
        f"MATCH (a)-[r:{types}]->(b) "
        "WHERE a.archivedAt IS NULL AND b.archivedAt IS NULL AND CASE "
        "WHEN type(r) IN ['WORKS_AT', 'FOR'] "
        "THEN a.createdAt < $dayEnd AND b.createdAt < $dayEnd "
        "ELSE (r.startsOn IS NULL OR r.startsOn <= $day) "
        "AND (r.endsOn IS NULL OR r.endsOn >= $day) END "
        "WITH a, b LIMIT $size "
        f"RETURN collect({{a: a.id, aName: a.name, aKind: {kind_of('a')}, "
        f"b: b.id, bName: b.name, bKind: {kind_of('b')}}}) AS links, {CATALOG_KEYS}",
        params,
    )


async def network_links(graph: Graph, scope: NetworkScope) -> NetworkLinks:
    """The links that count, one statement; `truncated` when more than `limit` do."""
    rows = await fresh_rows(graph, lambda keys: _statement(keys, scope))
    links: list[Row] = rows[0]["links"]
    return NetworkLinks(links[: scope.limit], len(links) > scope.limit)
