"""Chain analytics over the chains of the customers a customer filter picks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kesher.codes import Code
from kesher.graph import chain_stats as graph_chain_stats
from kesher.graph.chain_stats import ChainWindow
from kesher.graph.driver import Row
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError
from kesher.resolvers.records import audience, record_filter


async def chain_stats(
    context: Context, where: Mapping[str, Any], starts: datetime | None, ends: datetime | None
) -> Row:
    """Durations and steps of the chains of the customers `where` picks that started in
    [starts, ends), overall and for each activity type with and without it."""
    if starts is not None and ends is not None and ends <= starts:
        raise ClientError("to: must be after `from`.", code=Code.INVALID_INPUT, field="to")
    return await graph_chain_stats.chain_stats(
        context.graph, audience(context), record_filter(where), ChainWindow(starts, ends)
    )
