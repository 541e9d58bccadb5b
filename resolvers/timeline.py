"""A customer's neighbourhood timeline, newest first, keyset-paged."""

from __future__ import annotations

from datetime import datetime

from kesher.codes import Code
from kesher.graph.driver import Row
from kesher.graph.timeline import TimelinePage, timeline
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError
from kesher.resolvers.pagination import decode_cursor, encode_cursor, page_size
from kesher.resolvers.records import audience

_ORDER = "TIMELINE"


async def neighbourhood_timeline(
    context: Context, customer_id: str, hops: int, first: int | None, after: str | None
) -> Row | None:
    """A connection of timeline entries; None when no customer has the id."""
    most = context.settings.timeline_max_hops
    if not 1 <= hops <= most:
        raise ClientError(
            f"hops: must be between 1 and {most}, got {hops}.",
            code=Code.INVALID_INPUT,
            field="hops",
        )
    size = page_size(first, context.settings.default_page_size, context.settings.max_page_size)
    cursor = None
    if after is not None:
        at, entry_id = decode_cursor(after, _ORDER, 2)
        if not isinstance(at, datetime) or not isinstance(entry_id, str):
            raise ClientError(
                "after: not a cursor of this list.", code=Code.INVALID_INPUT, field="after"
            )
        cursor = (at, entry_id)
    rows = await timeline(
        context.graph,
        audience(context),
        TimelinePage(customer_id, hops, size, context.settings.timeline_max_records, cursor),
    )
    if rows is None:
        return None
    kept = [{**row, "hops": len(row["steps"])} for row in rows[:size]]
    edges = [{"cursor": encode_cursor(_ORDER, [row["at"], row["id"]]), "node": row} for row in kept]
    return {
        "edges": edges,
        "page_info": {
            "has_next_page": len(rows) > size,
            "has_previous_page": after is not None,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
    }
