"""Merging duplicate customers or contacts, and finding the likely duplicates."""

from __future__ import annotations

from collections.abc import Iterable

from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import Selection

from kesher.codes import Code
from kesher.graph import duplicates
from kesher.graph import merge as graph_merge
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError, Refusal
from kesher.resolvers.pagination import decode_cursor, encode_cursor, page_size
from kesher.resolvers.records import Kind, audience
from kesher.resolvers.selection import shape_of
from kesher.resolvers.writes import viewer_id, write


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
        return Refusal(
            Code.INVALID_INPUT, "mergeIds: name at least one record to merge.", "mergeIds"
        )
    if len(unique) > graph_merge.MAX_MERGED:
        return Refusal(
            Code.INVALID_INPUT,
            f"mergeIds: at most {graph_merge.MAX_MERGED} records merge at once.",
            "mergeIds",
        )
    if keep_id in unique:
        return Refusal(
            Code.INVALID_INPUT,
            "mergeIds: the kept record cannot be merged into itself.",
            "mergeIds",
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
    """A page of likely duplicate pairs as a connection, ordered by reason, shared key
    and the pair's ids; a pair sharing several keys comes once, under its first reason,
    with every reason it has. The cursor holds the last pair's reason, key and ids."""
    size = page_size(first, context.settings.default_page_size, context.settings.max_page_size)
    cursor = None if after is None else _pair_cursor(after)
    answer = await duplicates.duplicate_groups(
        context.graph,
        label,
        duplicates.PairPage(size + 1, None if cursor is None else _start(cursor)),
    )
    groups = answer["found"]
    # Past where the reading stopped, more groups may lie: nothing after it comes on
    # this page.
    stop = answer["cut"]
    cut = None if stop is None else (duplicates.REASONS.index(stop["reason"]), stop["key"])
    pairs = [
        pair
        for pair in _pairs(groups)
        if (cursor is None or _position(pair) > _position_of(cursor))
        and (cut is None or _position(pair)[:2] <= cut)
    ]
    kept = pairs[:size]
    edges = [{"cursor": encode_cursor(_PAIRS, list(_key(pair))), "node": pair} for pair in kept]
    end = edges[-1]["cursor"] if edges else None
    if end is None and cut is not None:
        # No pair came before the reading stopped: the next page starts after it.
        end = encode_cursor(_PAIRS, [duplicates.REASONS[cut[0]], cut[1], _LAST, _LAST])
    return {
        "edges": edges,
        "page_info": {
            "has_next_page": len(pairs) > size or cut is not None,
            "has_previous_page": after is not None,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": end,
        },
    }


_PAIRS = "DUPLICATE_PAIRS"
_KEYS = duplicates.MATCH_KEYS
_LAST = "\uffff"


def _start(cursor: tuple[str, str, str, str]) -> tuple[str, str]:
    """Where the next page's reading starts: at the cursor's key, or just after it when
    the cursor marks where a reading stopped with no pair."""
    reason, key, first, _ = cursor
    return (reason, key + "\x00") if first == _LAST else (reason, key)


def _pairs(groups: list[Row]) -> list[Row]:
    """Every pair of each group, in order, each pair under its first shared reason only."""
    found = []
    for group in groups:
        records = group["records"]
        for i, first in enumerate(records):
            for second in records[i + 1 :]:
                reasons = [
                    reason
                    for reason in duplicates.REASONS
                    if first[_KEYS[reason]] is not None
                    and first[_KEYS[reason]] == second[_KEYS[reason]]
                ]
                if reasons and reasons[0] == group["reason"]:
                    found.append(
                        {
                            "reason": group["reason"],
                            "key": group["key"],
                            "first": first,
                            "second": second,
                            "reasons": reasons,
                        }
                    )
    return sorted(found, key=_position)


def _key(pair: Row) -> tuple[str, str, str, str]:
    return (pair["reason"], pair["key"], pair["first"]["id"], pair["second"]["id"])


def _position(pair: Row) -> tuple[int, str, str, str]:
    return _position_of(_key(pair))


def _position_of(key: tuple[str, str, str, str]) -> tuple[int, str, str, str]:
    return (duplicates.REASONS.index(key[0]), key[1], key[2], key[3])


def _pair_cursor(after: str) -> tuple[str, str, str, str]:
    values = decode_cursor(after, _PAIRS, 4)
    if values[0] not in duplicates.REASONS or not all(isinstance(v, str) for v in values):
        raise ClientError(
            "after: not a cursor of this list.", code=Code.INVALID_INPUT, field="after"
        )
    return (str(values[0]), str(values[1]), str(values[2]), str(values[3]))
