"""The rules a link must keep when it is added or its dates change: no repeat of a link
in effect over the same time, and no more links than its type allows per record."""

from __future__ import annotations

from typing import TYPE_CHECKING, LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.catalog import cypher_type
from kesher.graph.driver import Params, tx_rows
from kesher.graph.errors import Conflict, LimitReached
from kesher.graph.parties import find_party

if TYPE_CHECKING:
    from kesher.graph.relationships import Ends, Period


# Write-locks both ends of a link (and marks them changed).
_LOCK: LiteralString = (
    "UNWIND [$source, $target] AS party_id "
    + find_party("x", "party_id")
    + " SET x.updatedAt = datetime()"
)


async def check_link(
    tx: AsyncManagedTransaction, ends: Ends, period: Period, relationship_id: str
) -> None:
    """Refuses a link that repeats one in effect over the same time, or goes over a limit.
    A former link (ended before today) is history: it neither repeats nor counts, so a
    pair may be linked again, and a place freed, once a link has ended.

    Both ends are write-locked first, so two concurrent writes cannot both pass."""
    await checked_write(tx, ends, period, relationship_id)


async def checked_write(
    tx: AsyncManagedTransaction,
    ends: Ends,
    period: Period,
    relationship_id: str,
    write: LiteralString = "",
    params: Params | None = None,
) -> None:
    """`check_link` and, when the link passes, `write` (over the ends `a`, the edge's
    start, and `b`, with `params`) in the same statement: one round trip."""
    type_row = ends.type
    kind = cypher_type(type_row["key"])
    symmetric = bool(type_row["symmetric"])
    arrow: LiteralString = "-" if symmetric else "->"
    overlap: LiteralString = (
        "(r.endsOn IS NULL OR r.endsOn >= date()) AND ($endsOn IS NULL OR $endsOn >= date()) "
        "AND (r.startsOn IS NULL OR $endsOn IS NULL OR r.startsOn <= $endsOn) AND "
        "(r.endsOn IS NULL OR $startsOn IS NULL OR $startsOn <= r.endsOn) AND r.id <> $id"
    )
    # The locks come first: the unit subquery runs to its end before anything is counted.
    text: LiteralString = (
        f"CALL () {{ {_LOCK} }} "
        + find_party("a", "$source")
        + " "
        + find_party("b", "$target")
        + f" WITH a, b, EXISTS {{ (a)-[r:{kind}]{arrow}(b) WHERE {overlap} }} AS duplicate, "
        f"COUNT {{ (a)-[r:{kind}]{arrow}() WHERE {overlap} }} AS fromSource, "
        f"COUNT {{ (b){'-' if symmetric else '<-'}[r:{kind}]-() WHERE {overlap} }} AS atTarget"
    )
    if write:
        text += (
            " FOREACH (passed IN CASE WHEN NOT duplicate "
            "AND ($limitPerSource IS NULL OR fromSource < $limitPerSource) "
            "AND ($limitPerTarget IS NULL OR atTarget < $limitPerTarget) "
            f"THEN [true] ELSE [] END | {write})"
        )
    rows = await tx_rows(
        tx,
        text + " RETURN duplicate, fromSource, atTarget",
        {
            **(params or {}),
            "source": ends.source_id,
            "target": ends.target_id,
            "startsOn": period.starts_on,
            "endsOn": period.ends_on,
            "id": relationship_id,
            "limitPerSource": type_row["limit_per_source"],
            "limitPerTarget": type_row["limit_per_target"],
        },
    )
    found = rows[0]
    if found["duplicate"]:
        raise Conflict(
            f"to: these two already have a {type_row['key']} link over the same time.",
            field="to",
        )
    for count, limit_field in (
        ("fromSource", "limit_per_source"),
        ("atTarget", "limit_per_target"),
    ):
        limit = type_row[limit_field]
        if limit is not None and found[count] >= limit:
            raise LimitReached(
                f"typeKey: {type_row['key']} allows {limit} link(s) per record on that side, "
                "and that record has them already.",
                field="typeKey",
            )


async def touch(tx: AsyncManagedTransaction, ends: Ends) -> None:
    """Write-locks both ends of a link (and marks them changed)."""
    await tx_rows(tx, _LOCK, {"source": ends.source_id, "target": ends.target_id})
