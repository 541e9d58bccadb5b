"""Boards (R3.1): records in columns, one per value of a field, and moving a card between
columns.

A board's columns are either the values of an enum property (a customer's or project's
`status`) or the entries of an activity catalog in sort order (an activity's status or
type, through its `HAS_STATUS` / `HAS_TYPE` edge). Each column carries its count and its
first cards, newest first, all in one statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.activities import require_open
from kesher.graph.activity_catalogs import ACTIVITY_STATUSES, ACTIVITY_TYPES, Catalog
from kesher.graph.activity_list import ActivityFilter, activity_conditions
from kesher.graph.audit import write_audit
from kesher.graph.catalog import CATALOG_KEYS, Build, fresh_rows
from kesher.graph.driver import Graph, Params, Row, tx_rows
from kesher.graph.errors import Archived, Forbidden, GraphError, NotFound
from kesher.graph.labels import Label
from kesher.graph.model import ACTIVITY, CUSTOMER, PROJECT
from kesher.graph.records import RecordFilter, record_conditions
from kesher.graph.shapes import Shape
from kesher.graph.statement import Statement
from kesher.graph.visibility import CANNOT_CHANGE, Audience

MOVED_ON_BOARD = "MOVED_ON_BOARD"


@dataclass(frozen=True)
class Columns:
    """Where a board's columns come from: the values of an enum property of `label`, or
    the entries of a catalog its records point at."""

    label: Label
    values: tuple[str, ...] = ()
    catalog: Catalog | None = None


CUSTOMER_STATUS = Columns(CUSTOMER, values=("LEAD", "PROSPECT", "ACTIVE", "FORMER"))
PROJECT_STATUS = Columns(PROJECT, values=("PLANNED", "ACTIVE", "ON_HOLD", "DONE", "CANCELLED"))
ACTIVITY_STATUS = Columns(ACTIVITY, catalog=ACTIVITY_STATUSES)
ACTIVITY_TYPE = Columns(ACTIVITY, catalog=ACTIVITY_TYPES)

# What a move may change, by record label and field.
MOVABLE: Mapping[tuple[str, str], Columns] = {
    ("Customer", "status"): CUSTOMER_STATUS,
    ("Project", "status"): PROJECT_STATUS,
    ("Activity", "status"): ACTIVITY_STATUS,
    ("Activity", "type"): ACTIVITY_TYPE,
}


async def board(
    graph: Graph,
    audience: Audience,
    columns: Columns,
    shape: Shape,
    where: RecordFilter | ActivityFilter,
    first: int,
) -> list[Row]:
    """Every column in order, each `{value, label, colour, count, cards}`: the records
    matching `where` in it and its first `first` cards (updated last first, then by id).
    Enum columns have no label or colour; the caller names them. An activity board holds
    the activities the audience may see. One statement."""
    rows = await fresh_rows(graph, board_statement(audience, columns, shape, where, first))
    return list(rows[0]["columns"])


def board_statement(
    audience: Audience | None,
    columns: Columns,
    shape: Shape,
    where: RecordFilter | ActivityFilter,
    first: int,
) -> Build:
    """The board's statement, built from the relationship-type keys known."""

    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=audience)
        n = statement.variable()
        if isinstance(where, ActivityFilter):
            conditions = activity_conditions(statement, n, where)
            conditions += statement.visibility_conditions(n, columns.label)
        else:
            conditions = record_conditions(statement, n, columns.label, where)
        label = columns.label.name
        if columns.catalog is None:
            values = statement.param(list(columns.values))
            head = (
                f"UNWIND range(0, size({values}) - 1) AS board_i "
                f"WITH board_i, {values}[board_i] AS board_column"
            )
            pattern = f"({n}:{label})"
            conditions = [f"{n}.status = board_column", *conditions]
            column = "board_column AS value, null AS label, null AS colour"
            order: LiteralString = "board_i"
        else:
            catalog = columns.catalog
            head = f"MATCH (board_column:{catalog.label}) WHERE board_column.sortOrder IS NOT NULL"
            pattern = f"({n}:{label})-[:{catalog.edge}]->(board_column)"
            column = (
                "board_column.id AS value, board_column.name AS label, "
                "board_column.colour AS colour"
            )
            order = "board_column.sortOrder, board_column.name"
        match = f"MATCH {pattern}" + (" WHERE " + " AND ".join(conditions) if conditions else "")
        first_param = statement.param(first)
        subqueries, projection = statement.projection(n, shape)
        text = "\n".join(
            [
                head,
                "CALL (board_column) {",
                f"  {match}",
                f"  RETURN count({n}) AS board_count",
                "}",
                "CALL (board_column) {",
                f"  {match}",
                f"  WITH {n} ORDER BY {n}.updatedAt DESC, {n}.id LIMIT {first_param}",
                *subqueries,
                f"  WITH * ORDER BY {n}.updatedAt DESC, {n}.id" if subqueries else "",
                f"  RETURN collect({projection}) AS board_cards",
                "}",
                f"WITH {column}, board_count, board_cards ORDER BY {order}",
                "RETURN collect({value: value, label: label, colour: colour, "
                "count: board_count, cards: board_cards}) AS columns"
                + (", " + CATALOG_KEYS if statement.uses_catalog else ""),
            ]
        )
        return text, statement.params

    return build


# The record a move is about, found by id under each label a board shows (a unique-index
# seek apiece) and write-locked before it is read, so that two moves of one card in a row
# each audit the value the other left.
FIND: LiteralString = (
    "CALL () { "
    "MATCH (n:Customer {id: $id}) RETURN n, 'Customer' AS label "
    "UNION MATCH (n:Project {id: $id}) RETURN n, 'Project' AS label "
    "UNION MATCH (n:Activity {id: $id}) RETURN n, 'Activity' AS label } "
    "SET n._LOCK_ = true REMOVE n._LOCK_ "
    "RETURN label, n.archivedAt AS archivedAt, n.closedAt AS closedAt, n.status AS status, "
    "COLLECT { MATCH (n)-[:HAS_STATUS]->(e:ActivityStatus) RETURN e {.id, .name} }[0] "
    "AS statusEntry, "
    "COLLECT { MATCH (n)-[:HAS_TYPE]->(e:ActivityType) RETURN e {.id, .name} }[0] AS typeEntry"
)

_SET_STATUS: Mapping[str, LiteralString] = {
    "Customer": "MATCH (n:Customer {id: $id}) SET n.status = $value, n.updatedAt = datetime()",
    "Project": "MATCH (n:Project {id: $id}) SET n.status = $value, n.updatedAt = datetime()",
}

_SET_ENTRY: Mapping[str, LiteralString] = {
    "ActivityStatus": (
        "MATCH (a:Activity {id: $id}) OPTIONAL MATCH (a)-[old:HAS_STATUS]->() DELETE old "
        "WITH DISTINCT a MATCH (e:ActivityStatus {id: $value}) "
        "CREATE (a)-[:HAS_STATUS]->(e) SET a.updatedAt = datetime()"
    ),
    "ActivityType": (
        "MATCH (a:Activity {id: $id}) OPTIONAL MATCH (a)-[old:HAS_TYPE]->() DELETE old "
        "WITH DISTINCT a MATCH (e:ActivityType {id: $value}) "
        "CREATE (a)-[:HAS_TYPE]->(e) SET a.updatedAt = datetime()"
    ),
}

_ENTRY_NAME: Mapping[str, LiteralString] = {
    "ActivityStatus": "MATCH (e:ActivityStatus {id: $value}) RETURN e.name AS name",
    "ActivityType": "MATCH (e:ActivityType {id: $value}) RETURN e.name AS name",
}


@dataclass(frozen=True)
class Moved:
    """What a move changed: the record's label and the audit line it wrote."""

    label: str
    audit: Row


async def move(
    tx: AsyncManagedTransaction,
    audience: Audience,
    actor_id: str,
    record_id: str,
    field: str,
    value: str,
) -> Moved:
    """Moves a customer, project or activity to the column `value` of its `field` board
    and writes the audit line, inside the caller's write transaction. Refused (nothing
    written): an unknown or archived record, a closed activity, a field its kind has no
    board for, a value the field cannot take, the value it already has."""
    statement = Statement(audience=audience)
    access: LiteralString = (
        f", NOT n:Activity OR {statement.visible('n')} AS visible, "
        f"NOT n:Activity OR {statement.changeable('n')} AS changeable"
    )
    rows = await tx_rows(tx, FIND + access, {"id": record_id, **statement.params})
    if not rows or not rows[0]["visible"]:
        raise NotFound(
            f"recordId: no customer, project or activity has the id {record_id!r}.",
            field="recordId",
        )
    found = rows[0]
    if not found["changeable"]:
        raise Forbidden(CANNOT_CHANGE.format(field="recordId"), field="recordId")
    label = str(found["label"])
    noun = label.lower()
    columns = MOVABLE.get((label, field))
    if columns is None:
        raise GraphError(f"field: a {noun} has no {field.upper()} board.", field="field")
    if found["archivedAt"] is not None:
        raise Archived(f"recordId: the {noun} {record_id!r} is archived.", field="recordId")
    if label == "Activity":
        require_open(found, record_id, field="recordId")
    if columns.catalog is None:
        before: str | None = found["status"]
        before_name, after_name = before, value
        if value not in columns.values:
            raise GraphError(
                f"value: a {noun}'s status is one of {', '.join(columns.values)}.", field="value"
            )
    else:
        catalog = columns.catalog
        entry = found["statusEntry" if catalog is ACTIVITY_STATUSES else "typeEntry"]
        before = entry["id"] if entry else None
        before_name = entry["name"] if entry else None
        named = await tx_rows(tx, _ENTRY_NAME[catalog.label], {"value": value})
        if not named:
            raise NotFound(f"value: no {catalog.noun} has the id {value!r}.", field="value")
        after_name = str(named[0]["name"])
    if before == value:
        raise GraphError(f"value: the {noun} is already in {after_name}.", field="value")
    if columns.catalog is None:
        await tx_rows(tx, _SET_STATUS[label], {"id": record_id, "value": value})
    else:
        await tx_rows(tx, _SET_ENTRY[columns.catalog.label], {"id": record_id, "value": value})
    summary = (
        f"Moved from {before_name} to {after_name}" if before_name else f"Moved to {after_name}"
    )
    audit = await write_audit(
        tx, record_id, actor_id, MOVED_ON_BOARD, field, before, value, summary
    )
    return Moved(label, audit)
