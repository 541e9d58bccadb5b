"""The relation map and the shortest path between two parties, each one Cypher statement.

The map is a breadth-first walk from its roots, unrolled into one `CALL` subquery per
level: each level expands the last level's nodes once, keeps the nodes not seen before
(so cycles end there) and stops adding nodes at the limit. A last pass finds the links
among the deepest nodes. Nodes and edges come back once each, with the depth at which a
node was first reached, which is its distance from the nearest root. A node is the party
and its depth: the depth belongs to this map, the party to every map.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import LiteralString

from kesher.graph.catalog import CATALOG_KEYS, cypher_types, fresh_rows
from kesher.graph.driver import Graph, Params, Row
from kesher.graph.edges import MAP_EDGES
from kesher.graph.errors import GraphError, NotFound
from kesher.graph.parties import PARTY_LABELS, find_party, party
from kesher.graph.statement import Statement

# Structural edges a map may add, with the labels the catalog would give them.
STRUCTURAL: dict[str, Row] = {key: {"key": key, **asdict(look)} for key, look in MAP_EDGES.items()}


@dataclass(frozen=True)
class Walk:
    """What a map or path may cross. `kinds` are graph labels (None: every kind)."""

    type_keys: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    as_of: date | None = None
    include_structural: bool = False


@dataclass(frozen=True)
class MapRequest:
    root_ids: tuple[str, ...]
    depth: int
    limit: int
    walk: Walk = Walk()


@dataclass(frozen=True)
class RelationMap:
    nodes: list[Row]
    edges: list[Row]
    truncated: bool


def _types(walk: Walk, known: frozenset[str]) -> LiteralString:
    keys = known if walk.type_keys is None else walk.type_keys
    types = cypher_types(keys)
    if walk.include_structural:
        types = "|".join(part for part in (types, "|".join(MAP_EDGES)) if part)
    return types


def _edge_condition(cypher: Statement, walk: Walk, r: LiteralString) -> LiteralString:
    if walk.as_of is None:
        return "true"
    day = cypher.param(walk.as_of)
    return (
        f"({r}.startsOn IS NULL OR {r}.startsOn <= {day}) AND "
        f"({r}.endsOn IS NULL OR {r}.endsOn >= {day})"
    )


def _node_condition(walk: Walk, b: LiteralString) -> LiteralString:
    live: LiteralString = f"{b}.archivedAt IS NULL"
    if walk.kinds is None:
        return live
    labels = " OR ".join(f"{b}:{label}" for label in PARTY_LABELS if label in walk.kinds)
    return f"{live} AND ({labels or 'false'})"


_EDGE: LiteralString = (
    "{id: r.id, key: type(r), source: startNode(r).id, target: endNode(r).id, "
    "starts_on: r.startsOn, ends_on: r.endsOn}"
)
_CATALOG: LiteralString = (
    "COLLECT { MATCH (t:RelationshipType) WHERE t.key IS NOT NULL "
    "RETURN t {.key, .label, reciprocal_label: t.reciprocalLabel, .colour} } AS catalog"
)


def map_statement(
    request: MapRequest, known: frozenset[str], row_cap: int
) -> tuple[LiteralString, Params]:
    """The map's one statement; `row_cap` bounds the links read per level."""
    cypher = Statement(audience=None)  # a map reads parties, never activities
    walk = request.walk
    types = _types(walk, known)
    roots = cypher.param(list(request.root_ids))
    limit = cypher.param(request.limit)
    cap = cypher.param(row_cap)
    parts: list[LiteralString] = [
        f"CALL () {{ UNWIND {roots} AS rid {find_party('x', 'rid')} "
        "RETURN collect(DISTINCT x) AS roots }",
        "WITH roots, roots AS frontier, roots AS seen, [roots] AS levels, "
        "[] AS edges, false AS truncated",
    ]
    if types:
        edge_ok = _edge_condition(cypher, walk, "r")
        node_ok = _node_condition(walk, "b")
        for _ in range(request.depth):
            parts += [
                "CALL (frontier, seen) {",
                f"  UNWIND frontier AS a MATCH (a)-[r:{types}]-(b) WHERE {edge_ok} AND {node_ok}",
                f"  WITH r, b LIMIT {cap}",
                "  WITH collect(DISTINCT r) AS found, collect(DISTINCT b) AS reached, "
                "count(*) AS read",
                "  RETURN found, [x IN reached WHERE NOT x IN seen] AS fresh, read",
                "}",
                f"WITH roots, seen, levels, edges + found AS edges, fresh, {limit} - size(seen) "
                f"AS room, truncated OR read >= {cap} AS truncated",
                "WITH roots, edges, fresh[0..room] AS frontier, seen + fresh[0..room] AS seen, "
                "levels + [fresh[0..room]] AS levels, truncated OR size(fresh) > room AS truncated",
            ]
        parts += [
            "CALL (frontier) {",
            f"  UNWIND frontier AS a MATCH (a)-[r:{types}]-(b) WHERE b IN frontier AND {edge_ok}",
            f"  WITH r LIMIT {cap} RETURN collect(DISTINCT r) AS closing",
            "}",
            "WITH roots, levels, edges + closing AS edges, truncated",
        ]
    parts.append(
        "RETURN [depth IN range(0, size(levels) - 1) | "
        f"[x IN levels[depth] | {{id: x.id, party: {party('x')}, depth: depth}}]] "
        "AS levels, "
        f"[r IN edges | {_EDGE}] AS edges, truncated, "
        f"[rid IN {roots} WHERE NOT rid IN [x IN roots | x.id]] AS missing, "
        f"{_CATALOG}, {CATALOG_KEYS}"
    )
    return "\n".join(parts), cypher.params


def path_statement(
    from_id: str, to_id: str, max_depth: int, walk: Walk, known: frozenset[str]
) -> tuple[LiteralString, Params]:
    """The shortest chain of links between two parties; `path` is null when there is none."""
    cypher = Statement(audience=None)  # a map reads parties, never activities
    types = _types(walk, known)
    start, end = cypher.param(from_id), cypher.param(to_id)
    found: LiteralString = "null AS p"
    if types:
        hops = str(int(max_depth))
        found = (
            f"OPTIONAL MATCH p = SHORTEST 1 (a) ((m)-[r:{types} WHERE "
            f"{_edge_condition(cypher, walk, 'r')}]-(q) WHERE q = b OR "
            f"({_node_condition(walk, 'q')})){{1,{hops}}} (b)"
        )
        found = "WITH a, b " + found
    text = "\n".join(
        (
            f"OPTIONAL CALL () {{ {_branches('a', start)} }}",
            f"OPTIONAL CALL (a) {{ {_branches('b', end)} }}",
            found if types else "WITH a, b, null AS p",
            "RETURN a IS NOT NULL AS fromFound, b IS NOT NULL AS toFound, "
            f"[x IN nodes(p) | {{id: x.id, party: {party('x')}}}] AS nodes, "
            f"[r IN relationships(p) | {_EDGE}] AS edges, "
            f"{_CATALOG}, {CATALOG_KEYS}",
        )
    )
    return text, cypher.params


def _branches(x: LiteralString, party_id: LiteralString) -> LiteralString:
    return " UNION ".join(
        f"MATCH ({x}:{label} {{id: {party_id}}}) RETURN {x}" for label in PARTY_LABELS
    )


async def relation_map(graph: Graph, request: MapRequest, row_cap: int) -> RelationMap:
    rows = await fresh_rows(graph, lambda known: map_statement(request, known, row_cap))
    row = rows[0]
    if row["missing"]:
        raise NotFound(f"rootIds: nothing has the id {row['missing'][0]!r}.", field="rootIds")
    _check_type_keys(request.walk, row["catalogKeys"])
    nodes = [node for level in row["levels"] for node in level]
    return RelationMap(nodes, _edges(row["edges"], row["catalog"], nodes), row["truncated"])


async def relationship_path(
    graph: Graph, from_id: str, to_id: str, max_depth: int, walk: Walk
) -> RelationMap | None:
    if from_id == to_id:
        raise GraphError("toId: a path needs two different parties.", field="toId")
    rows = await fresh_rows(
        graph, lambda known: path_statement(from_id, to_id, max_depth, walk, known)
    )
    row = rows[0]
    for end, flag in (("fromId", "fromFound"), ("toId", "toFound")):
        if not row[flag]:
            raise NotFound(f"{end}: no record or party has this id.", field=end)
    _check_type_keys(walk, row["catalogKeys"])
    if not row["edges"]:
        return None
    nodes = [{**node, "depth": depth} for depth, node in enumerate(row["nodes"])]
    return RelationMap(nodes, _edges(row["edges"], row["catalog"], nodes), False)


def _check_type_keys(walk: Walk, catalog_keys: Iterable[str]) -> None:
    unknown = sorted(set(walk.type_keys or ()) - set(catalog_keys))
    if unknown:
        raise NotFound(
            f"typeKeys: no relationship type has the key {unknown[0]!r}.", field="typeKeys"
        )


def _edges(found: list[Row], catalog: list[Row], nodes: list[Row]) -> list[Row]:
    """Each edge once, only between nodes of the answer, with its type's labels and colour."""
    types = {entry["key"]: entry for entry in catalog} | STRUCTURAL
    present = {node["id"] for node in nodes}
    edges: dict[str, Row] = {}
    for edge in found:
        if edge["source"] not in present or edge["target"] not in present:
            continue
        edge_id = edge["id"] or f"{edge['key']}:{edge['source']}:{edge['target']}"
        kind = types.get(edge["key"], {})
        edges.setdefault(
            edge_id,
            {
                **edge,
                "id": edge_id,
                "type_key": edge["key"],
                "label": kind.get("label", edge["key"]),
                "reciprocal_label": kind.get("reciprocal_label", edge["key"]),
                "colour": kind.get("colour", "#9E9E9E"),
                "structural": edge["key"] in STRUCTURAL,
            },
        )
    return list(edges.values())
