"""The relationship-type catalog: what a typed, coloured link between records may be.

A type's `key` (upper snake case) is also the Neo4j relationship type of its edges, so
`MATCH (a)-[:FATHER_OF]->(b)` works in plain Cypher. Keys are the only identifiers ever
spliced into Cypher text, and only after `cypher_type` has checked them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from kesher.graph.driver import Graph, Params, Row, tx_rows
from kesher.graph.edges import STRUCTURAL_KEYS
from kesher.graph.errors import Conflict, GraphError, InUse, LimitReached, NotFound
from kesher.graph.kinds import Kind
from kesher.graph.parties import type_map

KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
KEY_MAX_LENGTH = 60


class InvalidKey(ValueError):
    """A relationship-type key that may not become a Neo4j relationship type."""


def check_key(key: str) -> str:
    """The key if it is a valid catalog key; otherwise `InvalidKey` saying why."""
    if len(key) > KEY_MAX_LENGTH:
        raise InvalidKey(f"at most {KEY_MAX_LENGTH} characters")
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidKey("upper snake case: A-Z and 0-9 in words joined by '_', e.g. FATHER_OF")
    if key in STRUCTURAL_KEYS:
        raise InvalidKey(f"{key} is one of the graph's structural edge types")
    return key


def cypher_type(key: str) -> LiteralString:
    """A checked key, ready to splice into Cypher as a relationship type: the one place a
    checked string becomes Cypher text."""
    checked: Any = check_key(key)
    return checked  # type: ignore[no-any-return]


def cypher_types(keys: Iterable[str]) -> LiteralString:
    """`A|B|C` for a relationship pattern; empty when there are no keys."""
    return "|".join(cypher_type(key) for key in sorted(set(keys)))


@dataclass(frozen=True)
class RelationshipType:
    """One catalog entry as stored on its `:RelationshipType` node."""

    key: str
    label: str
    reciprocal_label: str
    symmetric: bool
    colour: str
    sort_order: int
    from_kind: Kind
    to_kind: Kind
    limit_per_source: int | None = None
    limit_per_target: int | None = None


# Statements that splice the catalog's keys also return the keys the catalog really has,
# as this column, so a process whose set went stale (another process changed the
# catalog) notices, learns the new set and runs the statement once more. Its variable has
# a name of its own: a `t` bound in the statement around it would turn the MATCH into a
# look at that one node.
CATALOG_KEYS: LiteralString = (
    "COLLECT { MATCH (catalogType:RelationshipType) WHERE catalogType.key IS NOT NULL "
    "RETURN catalogType.key } AS catalogKeys"
)

Build = Callable[[frozenset[str]], tuple[LiteralString, Params]]


async def load_keys(graph: Graph) -> None:
    rows = await graph.rows("RETURN " + CATALOG_KEYS, {})
    graph.relation_keys = frozenset(rows[0]["catalogKeys"])


async def fresh_rows(graph: Graph, build: Build) -> list[Row]:
    """Runs a read built from the known keys; again with the real keys if they changed."""
    return await _fresh(graph, build, graph.rows)


async def fresh_tx_rows(graph: Graph, tx: AsyncManagedTransaction, build: Build) -> list[Row]:
    async def run(text: LiteralString, params: Params) -> list[Row]:
        return await tx_rows(tx, text, params)

    return await _fresh(graph, build, run)


async def _fresh(
    graph: Graph,
    build: Build,
    run: Callable[[LiteralString, Params], Awaitable[list[Row]]],
) -> list[Row]:
    keys = graph.relation_keys
    rows = await run(*build(keys))
    if rows and "catalogKeys" in rows[0]:
        actual = frozenset(rows[0]["catalogKeys"])
        if actual != keys:
            graph.relation_keys = actual
            rows = await run(*build(actual))
    return rows


_TYPE_FIELDS: LiteralString = type_map("t")


_IN_ORDER: LiteralString = (
    f"MATCH (t:RelationshipType) WITH t ORDER BY t.sortOrder, t.key "
    f"RETURN collect({_TYPE_FIELDS}) AS types"
)


async def relationship_types(graph: Graph) -> list[Row]:
    """The catalog in sort order."""
    rows = await graph.rows(f"{_IN_ORDER}, {CATALOG_KEYS}", {})
    if not rows:  # no type defined yet: the grouping above has no row to answer with
        graph.relation_keys = frozenset()
        return []
    graph.relation_keys = frozenset(rows[0]["catalogKeys"])
    return list(rows[0]["types"])


async def relationship_types_in(tx: AsyncManagedTransaction) -> list[Row]:
    """The catalog in sort order, read inside a write transaction (a mutation's read-back)."""
    rows = await tx_rows(tx, _IN_ORDER, {})
    return list(rows[0]["types"])


def learn_keys(graph: Graph, types: list[Row]) -> None:
    """This process knows the catalog's keys as a committed read-back of it shows them."""
    graph.relation_keys = frozenset(str(row["key"]) for row in types)


async def relationship_type(tx: AsyncManagedTransaction, key: str) -> Row:
    rows = await tx_rows(
        tx, f"MATCH (t:RelationshipType {{key: $key}}) RETURN {_TYPE_FIELDS} AS type", {"key": key}
    )
    if not rows:
        raise NotFound(f"No relationship type has the key {key!r}.", field="key")
    return dict(rows[0]["type"])


async def define_type(tx: AsyncManagedTransaction, type_id: str, values: Mapping[str, Any]) -> None:
    """Adds a type; without a sort order it goes last."""
    exists = await tx_rows(
        tx, "MATCH (t:RelationshipType {key: $key}) RETURN t.id AS id", {"key": values["key"]}
    )
    if exists:
        raise Conflict(f"A relationship type with the key {values['key']!r} exists.", field="key")
    try:
        await tx_rows(
            tx,
            "OPTIONAL MATCH (other:RelationshipType) "
            "WITH coalesce(max(other.sortOrder), 0) + 1 AS last "
            "CREATE (t:RelationshipType {id: $id}) SET t += $values, "
            "t.sortOrder = coalesce($values.sortOrder, last), "
            "t.createdAt = datetime(), t.updatedAt = datetime()",
            {"id": type_id, "values": dict(values)},
        )
    except ConstraintError as error:
        raise Conflict(
            f"A relationship type with the key {values['key']!r} exists.", field="key"
        ) from error


async def update_type(tx: AsyncManagedTransaction, key: str, values: Mapping[str, Any]) -> None:
    """Changes labels, colour, order or limits; a limit already exceeded is refused."""
    current = await relationship_type(tx, key)
    kind = cypher_type(key)
    symmetric = values.get("symmetric", current["symmetric"])
    if symmetric and current["from_kind"] != current["to_kind"]:
        raise GraphError(
            "symmetric: only a type joining two records of the same kind can be symmetric.",
            field="symmetric",
        )
    if symmetric and not current["symmetric"]:
        # Once the type reads the same from both sides, links both ways between one pair
        # over the same time would repeat each other.
        rows = await tx_rows(
            tx,
            f"MATCH (a)-[r:{kind}]->(b)-[s:{kind}]->(a) "
            "WHERE (r.endsOn IS NULL OR r.endsOn >= date()) "
            "AND (s.endsOn IS NULL OR s.endsOn >= date()) "
            "AND (r.startsOn IS NULL OR s.endsOn IS NULL OR r.startsOn <= s.endsOn) "
            "AND (s.startsOn IS NULL OR r.endsOn IS NULL OR s.startsOn <= r.endsOn) "
            "RETURN count(r) AS both",
            {},
        )
        if rows[0]["both"]:
            raise Conflict(
                "symmetric: some records are linked both ways; remove one link of each pair.",
                field="symmetric",
            )
    limits = (
        ("limitPerSource", "limit_per_source", "startNode"),
        ("limitPerTarget", "limit_per_target", "endNode"),
    )
    for field_name, stored_name, end in limits:
        limit = values.get(field_name, current[stored_name])
        if limit is None or (field_name not in values and symmetric == current["symmetric"]):
            continue
        # A record's links in effect (not yet ended) count; a symmetric type counts both ways.
        ends: LiteralString = "[startNode(r), endNode(r)]" if symmetric else f"[{end}(r)]"
        rows = await tx_rows(
            tx,
            f"MATCH ()-[r:{kind}]->() WHERE r.endsOn IS NULL OR r.endsOn >= date() "
            f"UNWIND {ends} AS record WITH record, count(*) AS links "
            "RETURN max(links) AS most",
            {},
        )
        most = rows[0]["most"] if rows else None
        if most is not None and most > limit:
            raise LimitReached(
                f"{field_name}: a record already has {most} {key} links in effect.",
                field=field_name,
            )
    await tx_rows(
        tx,
        "MATCH (t:RelationshipType {key: $key}) SET t += $values, t.updatedAt = datetime()",
        {"key": key, "values": dict(values)},
    )


async def reorder_types(tx: AsyncManagedTransaction, keys: list[str]) -> None:
    """Sets the sort order to the order of `keys`, which must name every type once."""
    rows = await tx_rows(tx, "MATCH (t:RelationshipType) RETURN collect(t.key) AS keys", {})
    check_order(keys, set(rows[0]["keys"]), "keys", "relationship type")
    await tx_rows(
        tx,
        "UNWIND range(0, size($keys) - 1) AS i "
        "MATCH (t:RelationshipType {key: $keys[i]}) "
        "SET t.sortOrder = i + 1, t.updatedAt = datetime()",
        {"keys": keys},
    )


def check_order(named: list[str], existing: set[str], field: str, noun: str) -> None:
    """A new order must name every entry of a catalog exactly once."""
    if len(set(named)) != len(named):
        raise GraphError(f"{field}: an entry is named twice.", field=field)
    unknown = sorted(set(named) - existing)
    if unknown:
        raise NotFound(f"{field}: no {noun} is named {unknown[0]!r}.", field=field)
    missing = sorted(existing - set(named))
    if missing:
        raise GraphError(
            f"{field}: every {noun} must be named; missing {', '.join(missing)}.", field=field
        )


async def remove_type(tx: AsyncManagedTransaction, key: str) -> Row:
    """Deletes an unused type and answers with what it was."""
    removed = await relationship_type(tx, key)
    kind = cypher_type(key)
    # Locking the type first means no link of it can be added while this runs.
    await tx_rows(
        tx, "MATCH (t:RelationshipType {key: $key}) SET t.updatedAt = datetime()", {"key": key}
    )
    rows = await tx_rows(tx, f"MATCH ()-[r:{kind}]->() RETURN count(r) AS links", {})
    if rows[0]["links"]:
        raise InUse(
            f"key: {rows[0]['links']} links still have the type {key}; remove them first.",
            field="key",
        )
    await tx_rows(tx, "MATCH (t:RelationshipType {key: $key}) DELETE t", {"key": key})
    return removed
