"""The activity-type and activity-status catalogs (ADMIN)."""

from __future__ import annotations

import secrets
from typing import Any

from neo4j import AsyncManagedTransaction

from kesher.graph import activity_catalogs as graph_catalogs
from kesher.graph import records as graph_records
from kesher.graph.activity_catalogs import ACTIVITY_STATUSES, ACTIVITY_TYPES, Catalog
from kesher.graph.driver import Row
from kesher.graph.errors import GraphError
from kesher.resolvers import inputs
from kesher.resolvers.context import Context
from kesher.resolvers.errors import Refusal, validate
from kesher.resolvers.writes import viewer_id, write

__all__ = ["ACTIVITY_STATUSES", "ACTIVITY_TYPES", "define", "entries", "remove", "reorder"]

_INPUTS: dict[str, tuple[type[inputs.Input], type[inputs.Update], str]] = {
    "ActivityType": (inputs.ActivityTypeDefine, inputs.ActivityTypeUpdate, "aty"),
    "ActivityStatus": (inputs.ActivityStatusDefine, inputs.ActivityStatusUpdate, "ast"),
}


async def entries(context: Context, catalog: Catalog) -> list[Row]:
    return await graph_catalogs.entries(context.graph, catalog)


async def define(context: Context, catalog: Catalog, data: dict[str, Any]) -> Row | Refusal:
    model, _, prefix = _INPUTS[catalog.label]
    checked = validate(model, data)
    if isinstance(checked, Refusal):
        return checked
    values = checked.graph_values(type(checked).model_fields.keys())
    entry_id = f"{prefix}_{secrets.token_hex(12)}"
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        await graph_catalogs.define(tx, catalog, entry_id, values)
        return await graph_catalogs.entry(tx, catalog, entry_id)

    return await write(context, work)


async def update(
    context: Context, catalog: Catalog, entry_id: str, data: dict[str, Any]
) -> Row | Refusal:
    _, model, _ = _INPUTS[catalog.label]
    checked = validate(model, data)
    if isinstance(checked, Refusal):
        return checked
    values = checked.graph_values(checked.model_fields_set)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        await graph_catalogs.update(tx, catalog, entry_id, values)
        return await graph_catalogs.entry(tx, catalog, entry_id)

    return await write(context, work)


async def reorder(context: Context, catalog: Catalog, ids: list[str]) -> list[Row] | Refusal:
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> None:
        await graph_records.require_actor(tx, actor)
        await graph_catalogs.reorder(tx, catalog, ids)

    try:
        await context.graph.write(work)
    except GraphError as error:
        return Refusal.of(error)
    return await graph_catalogs.entries(context.graph, catalog)


async def remove(context: Context, catalog: Catalog, entry_id: str) -> Row | Refusal:
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        return await graph_catalogs.remove(tx, catalog, entry_id)

    return await write(context, work)
