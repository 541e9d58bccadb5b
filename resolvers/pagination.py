"""Keyset pages: opaque cursors, page-size limits and connection answers."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, LiteralString

from kesher.graph.driver import Row
from kesher.graph.statement import Page, SortKey
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
    order_name: str,
    order: tuple[SortKey, ...],
    total: bool,
    default_size: int,
    max_size: int,
) -> Page:
    """Checks `first` and `after` and turns them into a graph page."""
    size = default_size if first is None else first
    if not 0 <= size <= max_size:
        raise ClientError(
            f"first: must be between 0 and {max_size}, got {size}.",
            code="INVALID_INPUT",
            field="first",
        )
    values = None if after is None else decode_cursor(after, order_name, len(order) + 1)
    return Page(first=size, order=order, after=values, total=total)


def encode_cursor(order_name: str, values: list[Any]) -> str:
    payload = [order_name, *(_plain(value) for value in values)]
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order_name: str, length: int) -> tuple[Any, ...]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        valid = isinstance(payload, list) and len(payload) == length + 1
    except ValueError:
        valid = False
    if not valid:
        raise ClientError("after: not a cursor of this list.", code="INVALID_INPUT", field="after")
    if payload[0] != order_name:
        raise ClientError(
            "after: the cursor belongs to another ordering.", code="INVALID_INPUT", field="after"
        )
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
    """A connection from the statement's `rows` (one more than asked) and `total`."""
    rows: list[Row] = answer["rows"]
    edges = [
        {"cursor": encode_cursor(order_name, row["_cursor"]), "node": row}
        for row in rows[: page.first]
    ]
    return {
        "edges": edges,
        "page_info": {
            "has_next_page": len(rows) > page.first,
            "has_previous_page": page.after is not None,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
        "total_count": answer.get("total"),
    }
