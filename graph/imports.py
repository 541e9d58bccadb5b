"""Cypher for importing records and links from a file, in chunks inside one transaction.

An import first looks up, in one statement, everything its rows refer to (records by id
or by external key, owners, customers, relationship types), so each row can be refused
with its reason before anything is written; then it writes the accepted rows with one
`UNWIND` statement per chunk. Records are created, or updated when a row names an
existing one by `id` or by `externalKey` (unique per kind).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import Neo4jError

from kesher.graph.audit import AUDITED_LABELS, new_id
from kesher.graph.catalog import cypher_type
from kesher.graph.driver import Row, tx_rows
from kesher.graph.kinds import RECORD_LABELS
from kesher.graph.parties import PARTY_LABELS, find_party
from kesher.graph.records import DERIVED

# How many rows one statement writes: large enough that a round trip is cheap beside
# the work, small enough that one statement's state stays small.
CHUNK = 5000


def _found(label: LiteralString, key: LiteralString, parameter: LiteralString) -> LiteralString:
    return (
        f"COLLECT {{ UNWIND ${parameter} AS value MATCH (n:{label} {{{key}: value}}) "
        "RETURN [value, n.id, n.archivedAt IS NULL, n.name] }"
    )


def records_lookup(label: LiteralString) -> LiteralString:
    """What rows of `label` refer to: each answer a list of `[given, id, live]`."""
    return (
        f"RETURN {_found(label, 'id', 'ids')} AS ids, "
        f"{_found(label, 'externalKey', 'keys')} AS keys, "
        "COLLECT { UNWIND $owners AS value MATCH (u:User {id: value}) "
        "RETURN [value, u.id, u.active] } AS owners, "
        f"{_found('Customer', 'id', 'customerIds')} AS customerIds, "
        f"{_found('Customer', 'externalKey', 'customerKeys')} AS customerKeys"
    )


RELATIONSHIPS_LOOKUP: LiteralString = (
    "RETURN COLLECT { UNWIND $ids AS value "
    + find_party("n", "value", PARTY_LABELS)
    + " RETURN [value, [l IN labels(n) WHERE l IN $labels][0], n.archivedAt IS NULL, n.name] } "
    "AS ids, "
    + ", ".join(
        f"{_found(label, 'externalKey', label.lower() + 'Keys')} AS {label.lower()}Keys"
        for label in RECORD_LABELS
    )
    + ", COLLECT { MATCH (t:RelationshipType) RETURN t {.key, .fromKind, .toKind, .symmetric, "
    ".limitPerSource, .limitPerTarget, .label, .reciprocalLabel} } AS types"
)


async def look_up(
    tx: AsyncManagedTransaction, text: LiteralString, params: Mapping[str, Any]
) -> Row:
    """The one row a lookup answers."""
    rows = await tx_rows(tx, text, params)
    return rows[0]


async def rows_of(
    tx: AsyncManagedTransaction, text: LiteralString, params: Mapping[str, Any]
) -> list[Row]:
    return await tx_rows(tx, text, params)


# The structural edge a row of each kind may set, and the kind of node it reaches.
_LINKS: Mapping[str, tuple[LiteralString, LiteralString]] = {
    "Customer": ("OWNED_BY", "User"),
    "Contact": ("WORKS_AT", "Customer"),
    "Project": ("FOR", "Customer"),
}


def create_records(label: LiteralString) -> LiteralString:
    """Creates the rows' records, each with its structural link when the row gives one
    (`row.link`)."""
    edge, target = _LINKS[label]
    return (
        f"UNWIND $rows AS row CREATE (n:{label} {{id: row.id}}) "
        "SET n += row.values, n.createdAt = datetime(), n.updatedAt = n.createdAt "
        + DERIVED.get(label, "")
        + " "
        + "WITH n, row WHERE row.link IS NOT NULL "
        f"MATCH (t:{target} {{id: row.link}}) CREATE (n)-[:{edge}]->(t)"
    )


def update_records(label: LiteralString) -> LiteralString:
    """Updates the rows' records, then sets the structural link when the row gives one
    (`row.link`): the old one goes."""
    edge, target = _LINKS[label]
    return (
        f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) "
        "SET n += row.values, n.updatedAt = datetime() "
        + DERIVED.get(label, "")
        + " "
        + "WITH n, row WHERE row.link IS NOT NULL "
        f"CALL (n) {{ OPTIONAL MATCH (n)-[old:{edge}]->() DELETE old }} "
        f"MATCH (t:{target} {{id: row.link}}) CREATE (n)-[:{edge}]->(t)"
    )


def link_checks(key: str, symmetric: bool) -> LiteralString:
    """For each row (`source`, `target`, `startsOn`, `endsOn`), whether a link of this type
    in effect over the same time joins the two already, and how many such links each end
    has on its side: what a single new link is checked against (`kesher.graph.link_rules`)."""
    kind = cypher_type(key)
    arrow: LiteralString = "-" if symmetric else "->"
    back: LiteralString = "-" if symmetric else "<-"
    overlap: LiteralString = (
        "(r.endsOn IS NULL OR r.endsOn >= date()) "
        "AND (row.endsOn IS NULL OR row.endsOn >= date()) "
        "AND (r.startsOn IS NULL OR row.endsOn IS NULL OR r.startsOn <= row.endsOn) "
        "AND (r.endsOn IS NULL OR row.startsOn IS NULL OR row.startsOn <= r.endsOn)"
    )
    return (
        "UNWIND $rows AS row WITH row, row.source AS sourceId, row.target AS targetId "
        + find_party("a", "sourceId")
        + " "
        + find_party("b", "targetId")
        + f" RETURN row.line AS line, EXISTS {{ (a)-[r:{kind}]{arrow}(b) WHERE {overlap} }} "
        f"AS duplicate, COUNT {{ (a)-[r:{kind}]{arrow}() WHERE {overlap} }} AS fromSource, "
        f"COUNT {{ (b){back}[r:{kind}]-() WHERE {overlap} }} AS atTarget"
    )


def write_links(key: str) -> LiteralString:
    """Creates the rows' links of one type, each with an audit line on each end that is a
    record, as adding one link writes (`row.lines`)."""
    kind = cypher_type(key)
    return (
        "MATCH (u:User {id: $actor}) "
        "MATCH (t:RelationshipType {key: $key}) SET t.lastLinkedAt = datetime() "
        "WITH u UNWIND $rows AS row WITH u, row, row.source AS sourceId, row.target AS targetId "
        + find_party("a", "sourceId")
        + " "
        + find_party("b", "targetId")
        + f" CREATE (a)-[r:{kind} {{id: row.id}}]->(b) "
        "SET r.startsOn = row.startsOn, r.endsOn = row.endsOn, r.note = row.note, "
        "r.createdAt = datetime(), r.createdBy = $actor, "
        "a.updatedAt = datetime(), b.updatedAt = datetime() "
        "WITH u, row UNWIND row.lines AS l WITH u, l, l.record AS record_id "
        + find_party("x", "record_id", AUDITED_LABELS)
        + " CREATE (line:AuditLine {id: l.id, createdAt: datetime(), action: l.action, "
        "field: l.field, before: l.before, after: l.after, summary: l.summary})-[:ON]->(x), "
        "(line)-[:BY]->(u)"
    )


def audit_line(record_id: str, key: str, relationship_id: str, summary: str) -> Row:
    return {
        "id": new_id(),
        "record": record_id,
        "action": "LINK_ADDED",
        "field": key,
        "before": None,
        "after": relationship_id,
        "summary": summary,
    }


async def oldest_admin(tx: AsyncManagedTransaction) -> str | None:
    """The id of the active ADMIN created first: whom a command-line import acts as."""
    rows = await tx_rows(
        tx,
        "MATCH (u:User {role: 'ADMIN', active: true}) "
        "RETURN u.id AS id ORDER BY u.createdAt LIMIT 1",
        {},
    )
    return str(rows[0]["id"]) if rows else None


def too_large(error: Exception) -> bool:
    """Whether Neo4j refused a transaction for holding more than its memory limit allows."""
    return isinstance(error, Neo4jError) and error.code == (
        "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
    )


def chunks(rows: Sequence[Row], size: int = CHUNK) -> Iterable[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
