"""Keyset pages: opaque cursors, page-size limits and connection answers."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any, LiteralString, NoReturn

import orjson

from kesher.codes import Code
from kesher.graph.driver import Row
from kesher.graph.shapes import Page, SortKey
from kesher.resolvers.errors import ClientError

ORDERS: Mapping[str, tuple[SortKey, ...]] = {
    "NAME_ASC": (SortKey("{n}.name"),),
    "NAME_DESC": (SortKey("{n}.name", descending=True),),
    "CREATED_AT_ASC": (SortKey("{n}.createdAt"),),
    "CREATED_AT_DESC": (SortKey("{n}.createdAt", descending=True),),
    "RELEVANCE": (SortKey("score", descending=True),),
    "STARTS_AT_ASC": (SortKey("{n}.startAt"),),
    "STARTS_AT_DESC": (SortKey("{n}.startAt", descending=True),),
}


def order_of(
    properties: tuple[LiteralString, ...], descending: bool = False
) -> tuple[SortKey, ...]:
    return tuple(
        SortKey(prop if "{n}" in prop else "{n}." + prop, descending) for prop in properties
    )


def page_of(
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    order_name: str,
    order: tuple[SortKey, ...],
    total: bool,
    default_size: int,
    max_size: int,
) -> Page:
    """Checks `first` and `after`, or `last` and `before`, and turns them into a graph
    page: a forward one, or a backward one when `last` or `before` is given."""
    if first is not None and last is not None:
        _refuse("last", "give `first` or `last`, not both.")
    if after is not None and before is not None:
        _refuse("before", "give `after` or `before`, not both.")
    backward = last is not None or before is not None
    if backward and first is not None:
        _refuse("before", "the rows before a cursor are asked for with `last`, not `first`.")
    if backward and after is not None:
        _refuse("after", "the rows after a cursor are asked for with `first`, not `last`.")
    size_name, asked = ("last", last) if backward else ("first", first)
    size = page_size(asked, default_size, max_size, size_name)
    cursor_name, cursor = ("before", before) if backward else ("after", after)
    values = (
        None if cursor is None else decode_cursor(cursor, order_name, len(order) + 1, cursor_name)
    )
    return Page(size=size, order=order, cursor=values, backward=backward, total=total)


def page_size(asked: int | None, default: int, most: int, argument: str = "first") -> int:
    """The rows a page holds: `asked`, or `default` when not asked; refused outside 0 to
    `most`, naming `argument`."""
    size = default if asked is None else asked
    if not 0 <= size <= most:
        _refuse(argument, f"must be between 0 and {most}, got {size}.")
    return size


def _refuse(argument: str, reason: str) -> NoReturn:
    raise ClientError(f"{argument}: {reason}", code=Code.INVALID_INPUT, field=argument)


def encode_cursor(order_name: str, values: list[Any]) -> str:
    payload = [order_name, *(_plain(value) for value in values)]
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def decode_cursor(
    cursor: str, order_name: str, length: int, argument: str = "after"
) -> tuple[Any, ...]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
        valid = isinstance(payload, list) and len(payload) == length + 1
    except ValueError:
        valid = False
    if not valid:
        _refuse(argument, "not a cursor of this list.")
    if payload[0] != order_name:
        _refuse(argument, "the cursor belongs to another ordering.")
    return tuple(_typed(value) for value in payload[1:])


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    return value


def connection(answer: Mapping[str, Any], page: Page, order_name: str) -> Row:
    """A connection from the statement's `rows` (one more than asked, a backward page's
    nearest the cursor first), `total` and `behind`."""
    rows: list[Row] = answer["rows"]
    kept = rows[: page.size]
    if page.backward:
        kept = kept[::-1]
    edges = [{"cursor": encode_cursor(order_name, row["_cursor"]), "node": row} for row in kept]
    beyond = len(rows) > page.size
    behind = page.cursor is not None and bool(answer.get("behind"))
    return {
        "edges": edges,
        "page_info": {
            "has_next_page": behind if page.backward else beyond,
            "has_previous_page": beyond if page.backward else behind,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
        "total_count": answer.get("total"),
    }
