"""Reference numbers and chains of activities."""

from __future__ import annotations

from collections.abc import Iterable

from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import Selection

from kesher.codes import Code
from kesher.graph import chains as graph_chains
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.graph.model import ACTIVITY
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError, Refusal
from kesher.resolvers.records import audience
from kesher.resolvers.selection import shape_of
from kesher.resolvers.writes import viewer_id, write

MAX_REF_LENGTH = 40


async def card_by_ref(context: Context, ref: str, selections: Iterable[Selection]) -> Row | None:
    """An activity's card by its reference number, however written (`of-123` too)."""
    canonical = graph_chains.parse_ref(ref[:MAX_REF_LENGTH])
    if canonical is None:
        raise ClientError(
            "ref: not a reference number; they look like OF-000123 (EV, TS, OF or PR).",
            code=Code.INVALID_INPUT,
            field="ref",
        )
    shape = shape_of(ACTIVITY, selections, context.settings)
    return await graph_records.card(context.graph, audience(context), shape, canonical, key="ref")


async def link(
    context: Context, activity_id: str, previous_id: str, selections: Iterable[Selection]
) -> Row | Refusal:
    """Links an activity to an earlier one and answers with the later activity's card."""
    shape = shape_of(ACTIVITY, selections, context.settings)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_chains.link(tx, audience(context), activity_id, previous_id, actor)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, activity_id)

    return await write(context, work)


async def unlink(
    context: Context, activity_id: str, selections: Iterable[Selection]
) -> Row | Refusal:
    """Takes an activity out of its chain and answers with its card."""
    shape = shape_of(ACTIVITY, selections, context.settings)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_chains.unlink(tx, audience(context), activity_id, actor)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, activity_id)

    return await write(context, work)
