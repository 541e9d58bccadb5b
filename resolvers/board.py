"""Boards (R3.1): a record kind in columns by the values of a field, and moving cards."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import SelectedField, Selection

from kesher.codes import Code
from kesher.graph import board as graph_board
from kesher.graph import records as graph_records
from kesher.graph.activity_list import ActivityFilter
from kesher.graph.driver import Row
from kesher.graph.labels import Label
from kesher.graph.model import ACTIVITY, CUSTOMER, PROJECT
from kesher.graph.records import RecordFilter
from kesher.resolvers.activities import activity_filter
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError, Refusal
from kesher.resolvers.pagination import page_size
from kesher.resolvers.records import audience, record_filter
from kesher.resolvers.selection import child, shape_of
from kesher.resolvers.writes import viewer_id, write

DEFAULT_FIRST = 10

# The boards there are, by (kind, field) as the API names them.
BOARDS: Mapping[tuple[str, str], graph_board.Columns] = {
    ("CUSTOMER", "STATUS"): graph_board.CUSTOMER_STATUS,
    ("PROJECT", "STATUS"): graph_board.PROJECT_STATUS,
    ("ACTIVITY", "STATUS"): graph_board.ACTIVITY_STATUS,
    ("ACTIVITY", "TYPE"): graph_board.ACTIVITY_TYPE,
}

# By record label: the field of a column its cards go in, and the part of `filter` that
# narrows its board.
CARDS: Mapping[str, str] = {
    "Customer": "customers",
    "Project": "projects",
    "Activity": "activities",
}
# Where a move's answer goes, by record label.
RECORDS: Mapping[str, tuple[str, Label]] = {
    "Customer": ("customer", CUSTOMER),
    "Project": ("project", PROJECT),
    "Activity": ("activity", ACTIVITY),
}


def _columns(kind: str, field: str) -> graph_board.Columns:
    columns = BOARDS.get((kind, field))
    if columns is None:
        raise ClientError(
            f"field: a {kind.lower()} board has no {field} columns; "
            f"use {' or '.join(f for k, f in BOARDS if k == kind)}.",
            code=Code.INVALID_INPUT,
            field="field",
        )
    return columns


def _first(first: int | None, context: Context) -> int:
    return page_size(first, DEFAULT_FIRST, context.settings.max_page_size)


def _filter(
    label: Label, where: Mapping[str, Any], include_closed: bool
) -> RecordFilter | ActivityFilter:
    """The board's filter as the list of its kind reads it. `where` is the `filter`
    argument by API name: at most one of `customers`, `projects`, `activities`."""
    expected = CARDS[label.name]
    for key in where:
        if key != expected:
            raise ClientError(
                f"filter: a {label.name.lower()} board takes `{expected}`, not `{key}`.",
                code=Code.INVALID_INPUT,
                field="filter",
            )
    given: dict[str, Any] = dict(where.get(expected) or {})
    if label is ACTIVITY:
        if "from_" in given:
            given["from"] = given.pop("from_")
        return activity_filter(given, include_closed)
    if given.get("includeArchived"):
        raise ClientError(
            f"filter.{expected}.includeArchived: a board leaves archived records out.",
            code=Code.INVALID_INPUT,
            field=f"filter.{expected}.includeArchived",
        )
    return dataclasses.replace(record_filter(given), include_archived=False)


async def board(
    context: Context,
    kind: str,
    field: str,
    where: Mapping[str, Any],
    include_closed: bool,
    first: int | None,
    selected: SelectedField,
) -> Row:
    """The board in one statement: every column with its count and first cards."""
    columns = _columns(kind, field)
    label = columns.label
    key = CARDS[label.name]
    shape = shape_of(label, child(child(selected.selections, "columns"), key), context.settings)
    rows = await graph_board.board(
        context.graph,
        audience(context),
        columns,
        shape,
        _filter(label, where, include_closed),
        _first(first, context),
    )
    answer = []
    for row in rows:
        cards = row.pop("cards")
        row["label"] = row["label"] or _label_of(row["value"])
        answer.append({**row, "customers": None, "projects": None, "activities": None, key: cards})
    return {"kind": kind, "field": field, "columns": answer}


def _label_of(value: str) -> str:
    """An enum value as a person reads it: ON_HOLD is "On hold"."""
    return value.replace("_", " ").capitalize()


async def move(
    context: Context,
    record_id: str,
    field: str,
    value: str,
    selections: Iterable[Selection],
) -> Row | Refusal:
    """Moves a card to another column, in one write transaction with its audit line.
    Answers with the record in the shape selected for its kind, and the audit line."""
    actor = viewer_id(context)
    shapes = {
        label_name: shape_of(label, child(selections, key), context.settings)
        for label_name, (key, label) in RECORDS.items()
    }

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        moved = await graph_board.move(
            tx, audience(context), actor, record_id, field.lower(), value
        )
        card = await graph_records.card_in(
            context.graph, tx, audience(context), shapes[moved.label], record_id
        )
        answer: Row = {"customer": None, "project": None, "activity": None}
        answer[RECORDS[moved.label][0]] = card
        answer["audit_line"] = moved.audit
        return answer

    return await write(context, work)
