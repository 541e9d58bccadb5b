"""Merging duplicate customers or contacts, and finding the likely duplicates."""

from __future__ import annotations

from collections.abc import Iterable

from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import Selection

from kesher.graph import duplicates
from kesher.graph import merge as graph_merge
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError, Refusal
from kesher.resolvers.pagination import decode_cursor, encode_cursor
from kesher.resolvers.records import Kind, audience, viewer_id, write
from kesher.resolvers.selection import shape_of


async def merge(
    context: Context,
    kind: Kind,
    keep_id: str,
    merge_ids: list[str],
    selections: Iterable[Selection],
) -> Row | Refusal:
    """Folds `merge_ids` into `keep_id` in one write transaction and answers with the kept
    record's card."""
    unique = list(dict.fromkeys(merge_ids))
    if not unique:
        return Refusal("INVALID_INPUT", "mergeIds: name at least one record to merge.", "mergeIds")
    if len(unique) > graph_merge.MAX_MERGED:
        return Refusal(
            "INVALID_INPUT",
            f"mergeIds: at most {graph_merge.MAX_MERGED} records merge at once.",
            "mergeIds",
        )
    if keep_id in unique:
        return Refusal(
            "INVALID_INPUT", "mergeIds: the kept record cannot be merged into itself.", "mergeIds"
        )
    shape = shape_of(kind.label, selections, context.settings)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_merge.merge_records(tx, kind.label, keep_id, unique, actor)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, keep_id)

    return await write(context, work)


async def duplicate_candidates(
    context: Context, label: str, first: int | None, after: str | None
) -> Row:
    """A page of likely duplicate pairs as a connection; the cursor holds the pair's ids."""
    size = context.settings.default_page_size if first is None else first
    if not 0 <= size <= context.settings.max_page_size:
        raise ClientError(
            f"first: must be between 0 and {context.settings.max_page_size}, got {size}.",
            code="INVALID_INPUT",
            field="first",
        )
    cursor = None if after is None else decode_cursor(after, _PAIRS, 2)
    rows = await duplicates.duplicate_pairs(
        context.graph,
        label,
        duplicates.PairPage(size, None if cursor is None else (str(cursor[0]), str(cursor[1]))),
    )
    kept = rows[:size]
    edges = [
        {"cursor": encode_cursor(_PAIRS, [row["first"]["id"], row["second"]["id"]]), "node": row}
        for row in kept
    ]
    return {
        "edges": edges,
        "page_info": {
            "has_next_page": len(rows) > size,
            "has_previous_page": after is not None,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
    }


_PAIRS = "DUPLICATE_PAIRS"
