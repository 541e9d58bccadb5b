"""A customer's neighbourhood timeline: the activities and notes of the customer and of
the records it is linked to up to a few links away (family, subsidiaries, its contacts
and projects), newest first, in one statement. Each entry carries the shortest chain of
links that brought its record in.

The neighbourhood follows catalog links not yet ended and the structural WORKS_AT and
FOR, both ways; it holds at most `max_records` records, the nearest first. An entry is
an activity about a record of it (ABOUT) or with it (WITH_CONTACT) that the audience may
see, a note on such a record, or a note on such an activity; an entry reached through
several records comes once, through the nearest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import LiteralString

from kesher.graph.catalog import CATALOG_KEYS, cypher_types, fresh_rows
from kesher.graph.driver import Graph, Params, Row
from kesher.graph.parties import party
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience

# The number of links a neighbourhood may reach, as Cypher text for a quantifier.
HOPS: dict[int, LiteralString] = {1: "1", 2: "2", 3: "3"}


@dataclass(frozen=True)
class TimelinePage:
    """The entries after the cursor (`at`, `id` of the last entry seen), `size` of them and
    one more when more follow; through at most `max_records` records `hops` links away."""

    customer_id: str
    hops: int
    size: int
    max_records: int
    after: tuple[datetime, str] | None = None


def _statement(
    keys: frozenset[str], audience: Audience, page: TimelinePage
) -> tuple[LiteralString, Params]:
    statement = Statement(keys=keys, audience=audience)
    types = "|".join(part for part in (cypher_types(keys), "WORKS_AT|FOR") if part)
    hops = HOPS[page.hops]
    after = "true"
    if page.after is not None:
        at, entry_id = statement.param(page.after[0]), statement.param(page.after[1])
        after = f"(at < {at} OR (at = {at} AND e.id < {entry_id}))"
    customer = statement.param(page.customer_id)
    records = statement.param(page.max_records)
    size = statement.param(page.size + 1)
    text: LiteralString = (
        f"MATCH (c:Customer {{id: {customer}}}) "
        "CALL (c) { "
        f"MATCH p = ANY SHORTEST (c)(()-[x:{types}]-() "
        f"WHERE x.endsOn IS NULL OR x.endsOn >= date()){{0,{hops}}}(r) "
        f"WITH r, p ORDER BY length(p), r.id LIMIT {records} "
        "CALL (r) { "
        "CALL (r) { "
        "MATCH (e:Activity)-[:ABOUT|WITH_CONTACT]->(r) "
        f"WHERE {statement.visible('e')} RETURN e, e.startAt AS at "
        "UNION "
        f"MATCH (e:Note)-[:ON]->(r) RETURN e, e.createdAt AS at "
        "UNION "
        "MATCH (e:Note)-[:ON]->(:Activity)-[:ABOUT|WITH_CONTACT]->(r) "
        f"WHERE {statement.visible_item('e')} RETURN e, e.createdAt AS at "
        "} "
        f"WITH e, at WHERE at IS NOT NULL AND {after} "
        f"RETURN e, at ORDER BY at DESC, e.id DESC LIMIT {size} "
        "} "
        "WITH e, at, r, p ORDER BY length(p), r.id "
        "WITH e, at, head(collect({r: r, p: p})) AS via "
        f"ORDER BY at DESC, e.id DESC LIMIT {size} "
        "WITH e, at, via.r AS r, via.p AS p "
        "RETURN collect({id: e.id, at: at, "
        "kind: CASE WHEN e:Note THEN 'NOTE' WHEN e.kind = 'TASK' THEN 'TASK' "
        "ELSE 'ACTIVITY' END, "
        "summary: CASE WHEN e:Note THEN e.text ELSE e.subject END, ref: e.ref, "
        f"record: {party('r')}, "
        "steps: [i IN range(0, length(p) - 1) | {type_key: type(relationships(p)[i]), "
        "role: COLLECT { MATCH (t:RelationshipType) WHERE t.key = type(relationships(p)[i]) "
        "RETURN CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i] "
        "THEN coalesce(t.reciprocalLabel, t.label) ELSE t.label END }[0], "
        f"party: [n IN [nodes(p)[i + 1]] | {party('n')}][0]}}]}}) AS entries "
        f"}} RETURN entries, {CATALOG_KEYS}"
    )
    return text, statement.params


async def timeline(graph: Graph, audience: Audience, page: TimelinePage) -> list[Row] | None:
    """The page's entries (one more than asked when more follow), newest first; None when
    no customer has the id."""
    rows = await fresh_rows(graph, lambda keys: _statement(keys, audience, page))
    return list(rows[0]["entries"]) if rows else None
