"""Chain analytics: how long the chains of a set of customers took, how many steps they
had, and for each activity type how long the chains with it took against those without.

A chain is the activities that share one `:Chain` node (`IN_CHAIN`); it starts at its
first activity's `startAt`, ends at its last one's, and belongs to every customer one of
its activities is primarily `ABOUT`. Medians and the 90th percentile are
`percentileCont`: they interpolate linearly between neighbouring values, so the median
of an even count is the mean of the two middle ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import LiteralString

from kesher.graph.catalog import CATALOG_KEYS, fresh_rows
from kesher.graph.driver import Graph, Params, Row
from kesher.graph.model import CUSTOMER
from kesher.graph.records import RecordFilter, record_anchor, record_conditions
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience


@dataclass(frozen=True)
class ChainWindow:
    """Only chains whose first activity starts in [starts, ends); either end may be open."""

    starts: datetime | None = None
    ends: datetime | None = None


async def chain_stats(
    graph: Graph, audience: Audience, where: RecordFilter, window: ChainWindow
) -> Row:
    """The figures over the chains of the customers `where` picks that started in the
    window, in seconds: `chains`, `median_duration_seconds`, `p90_duration_seconds`,
    `median_steps` (null when there are no chains) and `by_type`, one row per activity
    type of the catalog in sort order. A chain is made of the steps the audience may see.
    One statement."""

    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        return statement(keys, audience, where, window)

    rows = await fresh_rows(graph, build)
    row = rows[0]
    row.pop("catalogKeys", None)
    return row


def statement(
    keys: frozenset[str], audience: Audience | None, where: RecordFilter, window: ChainWindow
) -> tuple[LiteralString, Params]:
    """The Cypher and parameters of `chain_stats`, built from the catalog's `keys`."""
    s = Statement(keys=keys, audience=audience)
    chain, a, t = s.variable(), s.variable(), s.variable()
    source = _chains(s, chain, where)
    started = ["start IS NOT NULL"]
    if window.starts is not None:
        started.append(f"start >= {s.param(window.starts.astimezone(UTC))}")
    if window.ends is not None:
        started.append(f"start < {s.param(window.ends.astimezone(UTC))}")
    text = "\n".join(
        [
            source,
            f"CALL ({chain}) {{",
            f"  MATCH ({chain})<-[:IN_CHAIN]-({a}:Activity) WHERE {s.visible(a)}",
            f"  OPTIONAL MATCH ({a})-[:HAS_TYPE]->({t}:ActivityType)",
            f"  RETURN min({a}.startAt) AS start, max({a}.startAt) AS last, "
            f"count(DISTINCT {a}) AS steps, collect(DISTINCT {t}.id) AS types",
            "}",
            "WITH start, last, steps, types WHERE " + " AND ".join(started),
            "WITH collect({duration: (last.epochMillis - start.epochMillis) / 1000.0, "
            "steps: steps, types: types}) AS chains",
            "CALL (chains) {",
            "  UNWIND chains AS chain",
            "  RETURN percentileCont(chain.duration, 0.5) AS median_duration_seconds, "
            "percentileCont(chain.duration, 0.9) AS p90_duration_seconds, "
            "percentileCont(chain.steps, 0.5) AS median_steps",
            "}",
            _BY_TYPE,
            "RETURN size(chains) AS chains, median_duration_seconds, p90_duration_seconds, "
            "median_steps, by_type" + (", " + CATALOG_KEYS if s.uses_catalog else ""),
        ]
    )
    return text, s.params


def _chains(s: Statement, chain: LiteralString, where: RecordFilter) -> LiteralString:
    """Rows of `chain`, each chain of the customers `where` picks once. With nothing to
    narrow by (archived customers aside) it scans the chains and keeps those of a customer;
    otherwise it starts from the customers, by index where the filter allows."""
    c = s.variable()
    conditions = record_conditions(s, c, CUSTOMER, where)
    belongs: LiteralString = "<-[:ABOUT {primary: true}]-(:Activity)-[:IN_CHAIN]->"
    if dataclasses.replace(where, include_archived=False) == RecordFilter():
        kept: LiteralString = " WHERE " + " AND ".join(conditions) if conditions else ""
        return (
            f"MATCH ({chain}:Chain) WHERE EXISTS {{ MATCH ({c}:Customer){belongs}({chain}){kept} }}"
        )
    if where.owner_ids or where.linked_customer_ids:
        anchor = record_anchor(s, c, CUSTOMER, where)
    else:
        anchor = f"MATCH ({c}:Customer)"
    narrowed: LiteralString = "WHERE " + " AND ".join(conditions) if conditions else ""
    return f"{anchor} {narrowed} MATCH ({c}){belongs}({chain}:Chain) WITH DISTINCT {chain}"


# For each catalog entry, in sort order: the chains with and without an activity of it,
# and the median duration of each side; `type` is the entry as `ActivityType` reads it.
_BY_TYPE: LiteralString = (
    "CALL (chains) {\n"
    "  MATCH (entry:ActivityType) WHERE entry.sortOrder IS NOT NULL\n"
    "  CALL (entry, chains) {\n"
    "    UNWIND chains AS chain\n"
    "    WITH chain.duration AS duration, entry.id IN chain.types AS has\n"
    "    RETURN count(CASE WHEN has THEN 1 END) AS chains_with, "
    "count(CASE WHEN NOT has THEN 1 END) AS chains_without, "
    "percentileCont(CASE WHEN has THEN duration END, 0.5) AS median_duration_with, "
    "percentileCont(CASE WHEN NOT has THEN duration END, 0.5) AS median_duration_without\n"
    "  }\n"
    "  WITH entry, chains_with, chains_without, median_duration_with, median_duration_without\n"
    "  ORDER BY entry.sortOrder, entry.name\n"
    "  RETURN collect({type: entry {.id, .name, .colour, sort_order: entry.sortOrder, "
    "created_at: entry.createdAt, updated_at: entry.updatedAt}, chains_with: chains_with, "
    "chains_without: chains_without, median_duration_with: median_duration_with, "
    "median_duration_without: median_duration_without}) AS by_type\n"
    "}"
)
