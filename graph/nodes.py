"""Objects by their global ids (the Relay `node` and `nodes` fields), in one statement.

An id's prefix tells what it names (`cus_…` a customer, `act_…` an activity, a link's id
its start node's id and a colon). The statement has one `CALL` per kind asked for, which
seeks that kind's ids through its unique index and reads each in the shape the client
selected for that type; kinds nobody asked for cost nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import LiteralString

from kesher.graph.catalog import CATALOG_KEYS, fresh_rows
from kesher.graph.driver import Graph, Params, Row
from kesher.graph.parties import PARTY_LABELS, link, type_map
from kesher.graph.shapes import Shape
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience

# The label each id prefix names; links and occurrences are read in their own ways.
PREFIXES: Mapping[str, LiteralString] = {
    "usr": "User",
    "cus": "Customer",
    "con": "Contact",
    "prj": "Project",
    "act": "Activity",
    "aty": "ActivityType",
    "ast": "ActivityStatus",
    "chn": "Chain",
    "att": "Attachment",
    "not": "Note",
    "ntf": "Notification",
    "aud": "AuditLine",
    "cal": "CallLog",
    "eml": "Email",
}

# Kinds only some viewers may read, as the predicate over `{n}` and the viewer `{v}` their
# own root field applies: a notification is its user's alone.
VISIBLE: Mapping[str, LiteralString] = {
    "Notification": "({n})-[:NOTIFIES]->(:User {{id: {v}}})",
}


@dataclass(frozen=True)
class Wanted:
    """What to read: ids by the key their answers go under, each key's label and shape."""

    records: Mapping[str, tuple[Shape, tuple[str, ...]]] = field(default_factory=dict)
    relationship_ids: tuple[str, ...] = ()
    relationship_type_ids: tuple[str, ...] = ()


def source_of(relationship_id: str) -> str:
    return relationship_id.rpartition(":")[0]


def nodes_statement(
    wanted: Wanted, audience: Audience, keys: frozenset[str]
) -> tuple[LiteralString, Params]:
    statement = Statement(keys=keys, audience=audience)
    parts: list[LiteralString] = []
    columns: list[LiteralString] = []

    def block(*lines: LiteralString) -> None:
        # Each block imports the columns before it, so the planner chains the blocks one
        # after another (Apply) rather than as a cartesian product of their single rows.
        parts.extend((f"CALL ({', '.join(columns)}) {{", *lines, "}"))

    for number, (shape, ids) in enumerate(wanted.records.values()):
        n = statement.variable()
        column: LiteralString = f"found{number}"
        subqueries, projection = statement.projection(n, shape)
        visible = VISIBLE.get(shape.label.name)
        conditions = statement.visibility_conditions(n, shape.label)
        if visible is not None:
            conditions.append(visible.format(n=n, v=statement.param(audience.viewer_id)))
        where: LiteralString = " WHERE " + " AND ".join(conditions) if conditions else ""
        block(
            f"UNWIND {statement.param(list(ids))} AS wanted",
            f"MATCH ({n}:{shape.label.name} {{id: wanted}}){where}",
            *subqueries,
            f"RETURN collect({projection}) AS {column}",
        )
        columns.append(column)
    if wanted.relationship_ids:
        pairs = [{"id": i, "source": source_of(i)} for i in wanted.relationship_ids]
        branches = " UNION ".join(
            f"MATCH (a:{label} {{id: source}}) RETURN a" for label in PARTY_LABELS
        )
        block(
            f"UNWIND {statement.param(pairs)} AS wanted",
            "WITH wanted.id AS linkId, wanted.source AS source",
            f"CALL (source) {{ {branches} }}",
            "MATCH (a)-[r]->(b) WHERE r.id = linkId",
            "MATCH (t:RelationshipType {key: type(r)})",
            f"RETURN collect({link('r', 't', 'a', 'b')}) AS links",
        )
        columns.append("links")
    if wanted.relationship_type_ids:
        block(
            f"UNWIND {statement.param(list(wanted.relationship_type_ids))} AS wanted",
            "MATCH (t:RelationshipType {id: wanted})",
            f"RETURN collect({type_map('t')}) AS types",
        )
        columns.append("types")
    if statement.uses_catalog:
        columns.append(CATALOG_KEYS)
    returned = ", ".join(columns) if columns else "null AS nothing"
    return "\n".join((*parts, "RETURN " + returned)), statement.params


@dataclass(frozen=True)
class Found:
    """What was found, by id: each key's rows, the links and the relationship types."""

    records: Mapping[str, Mapping[str, Row]]
    relationships: Mapping[str, Row]
    relationship_types: Mapping[str, Row]


async def nodes(graph: Graph, wanted: Wanted, audience: Audience) -> Found:
    rows = await fresh_rows(graph, lambda keys: nodes_statement(wanted, audience, keys))
    row = rows[0]
    records = {
        key: {found["id"]: found for found in row[f"found{number}"]}
        for number, key in enumerate(wanted.records)
    }
    return Found(
        records,
        {found["id"]: found for found in row.get("links") or ()},
        {found["id"]: found for found in row.get("types") or ()},
    )
