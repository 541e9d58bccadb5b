"""The admin-defined catalogs activities draw on: activity types and activity statuses.

Both are lists of named, coloured entries in a sort order; a status also has a category
(open, done, cancelled) that decides an activity's state. An activity points at its
entries (`HAS_TYPE`, `HAS_STATUS`), so an entry in use is one with such an edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from kesher.graph.catalog import check_order
from kesher.graph.driver import Graph, Row, tx_rows
from kesher.graph.errors import Conflict, InUse, NotFound


@dataclass(frozen=True)
class Catalog:
    label: LiteralString
    edge: LiteralString
    noun: str


ACTIVITY_TYPES = Catalog("ActivityType", "HAS_TYPE", "activity type")
ACTIVITY_STATUSES = Catalog("ActivityStatus", "HAS_STATUS", "activity status")

_ENTRY: LiteralString = (
    "{id: e.id, name: e.name, colour: e.colour, sort_order: e.sortOrder, "
    "category: e.category, created_at: e.createdAt, updated_at: e.updatedAt}"
)


async def entries(graph: Graph, catalog: Catalog) -> list[Row]:
    """The catalog in sort order."""
    rows = await graph.rows(
        f"MATCH (e:{catalog.label}) WHERE e.sortOrder IS NOT NULL "
        f"WITH e ORDER BY e.sortOrder, e.name RETURN collect({_ENTRY}) AS entries",
        {},
    )
    return list(rows[0]["entries"])


async def entry(tx: AsyncManagedTransaction, catalog: Catalog, entry_id: str) -> Row:
    rows = await tx_rows(
        tx, f"MATCH (e:{catalog.label} {{id: $id}}) RETURN {_ENTRY} AS entry", {"id": entry_id}
    )
    if not rows:
        raise NotFound(f"id: no {catalog.noun} has the id {entry_id!r}.", field="id")
    return dict(rows[0]["entry"])


async def define(
    tx: AsyncManagedTransaction, catalog: Catalog, entry_id: str, values: Mapping[str, Any]
) -> None:
    """Adds an entry; without a sort order it goes last."""
    await _check_name(tx, catalog, str(values["name"]), None)
    await _write(
        tx,
        catalog,
        f"OPTIONAL MATCH (other:{catalog.label}) "
        "WITH coalesce(max(other.sortOrder), 0) + 1 AS last "
        f"CREATE (e:{catalog.label} {{id: $id}}) SET e += $values, "
        "e.sortOrder = coalesce($values.sortOrder, last), "
        "e.createdAt = datetime(), e.updatedAt = datetime()",
        {"id": entry_id, "values": dict(values)},
    )


async def update(
    tx: AsyncManagedTransaction, catalog: Catalog, entry_id: str, values: Mapping[str, Any]
) -> None:
    await entry(tx, catalog, entry_id)
    if "name" in values:
        await _check_name(tx, catalog, str(values["name"]), entry_id)
    await _write(
        tx,
        catalog,
        f"MATCH (e:{catalog.label} {{id: $id}}) SET e += $values, e.updatedAt = datetime()",
        {"id": entry_id, "values": dict(values)},
    )


async def reorder(tx: AsyncManagedTransaction, catalog: Catalog, ids: list[str]) -> None:
    """Sets the sort order to the order of `ids`, which must name every entry once."""
    rows = await tx_rows(tx, f"MATCH (e:{catalog.label}) RETURN collect(e.id) AS ids", {})
    check_order(ids, set(rows[0]["ids"]), "ids", catalog.noun)
    await tx_rows(
        tx,
        "UNWIND range(0, size($ids) - 1) AS i "
        f"MATCH (e:{catalog.label} {{id: $ids[i]}}) "
        "SET e.sortOrder = i + 1, e.updatedAt = datetime()",
        {"ids": ids},
    )


async def remove(tx: AsyncManagedTransaction, catalog: Catalog, entry_id: str) -> Row:
    """Deletes an entry no activity uses and answers with what it was."""
    removed = await entry(tx, catalog, entry_id)
    # The entry is locked first, so no activity can take it up while this runs.
    rows = await tx_rows(
        tx,
        f"MATCH (e:{catalog.label} {{id: $id}}) SET e.updatedAt = datetime() "
        f"RETURN COUNT {{ (:Activity)-[:{catalog.edge}]->(e) }} AS uses",
        {"id": entry_id},
    )
    if rows[0]["uses"]:
        raise InUse(
            f"id: {rows[0]['uses']} activities have this {catalog.noun}; change them first.",
            field="id",
        )
    await tx_rows(tx, f"MATCH (e:{catalog.label} {{id: $id}}) DELETE e", {"id": entry_id})
    return removed


async def _check_name(
    tx: AsyncManagedTransaction, catalog: Catalog, name: str, entry_id: str | None
) -> None:
    """Names are unique in a catalog, whatever their case."""
    rows = await tx_rows(
        tx,
        f"MATCH (e:{catalog.label}) WHERE toLower(e.name) = toLower($name) "
        "AND ($id IS NULL OR e.id <> $id) RETURN e.id AS id LIMIT 1",
        {"name": name, "id": entry_id},
    )
    if rows:
        raise Conflict(f"name: another {catalog.noun} is called {name!r}.", field="name")


async def _write(
    tx: AsyncManagedTransaction, catalog: Catalog, text: LiteralString, params: Row
) -> None:
    try:
        await tx_rows(tx, text, params)
    except ConstraintError as error:
        raise Conflict(f"name: another {catalog.noun} has this name.", field="name") from error
