"""Merging duplicate records: every edge of the merged records moves to the kept one, in
the caller's write transaction, and the merged records go.

Every edge type moves, whatever it is (typed catalog links both ways, contacts and
projects of a customer, activities about it, notes, files, call logs, e-mails, audit
lines, assignments, and whatever the model gains later), read from the graph rather than
from a list. An edge is dropped instead of moved when it would join the kept record to
itself or to another merged one, when it repeats an edge the kept record already has (a
catalog link only while both are in effect over the same time), and when it is a
structural link a record has only one of (a contact's customer, a customer's owner) and
the kept record has its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.audit import write_audit
from kesher.graph.driver import Row, tx_rows
from kesher.graph.errors import GraphError, KindMismatch, LimitReached, NotFound
from kesher.graph.labels import Label
from kesher.graph.parties import PARTY_LABELS, find_party
from kesher.graph.relationships import new_relationship_id

MERGED = "MERGED"

# The most records one merge may fold into the kept one.
MAX_MERGED = 50

_EDGE_TYPE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_OUTGOING_EDGE = re.compile(r"^\(\{a\}\)-\[:([A-Z_]+)\]->")


def single_edges(label: Label) -> frozenset[str]:
    """The structural edges a record of `label` has at most one of, leaving it: those of
    the model's relations that reach one record (a contact's customer, an owner)."""
    found = set()
    for relation in label.relations.values():
        match = _OUTGOING_EDGE.match(relation.pattern)
        if match and not relation.many:
            found.add(match.group(1))
    return frozenset(found)


def _edge_type(name: str) -> LiteralString:
    """An edge type read from the graph, as Cypher text: it passed the pattern every
    relationship type name of this graph keeps, so it cannot carry Cypher."""
    if not _EDGE_TYPE.fullmatch(name):
        raise GraphError(f"An edge of type {name!r} cannot be moved.")
    checked: Any = name
    return checked  # type: ignore[no-any-return]


@dataclass
class _Edge:
    type: str
    outgoing: bool
    other: str
    props: dict[str, Any]
    element: str


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two catalog links are in effect over some common day (an open end has no
    limit)."""
    a_start, a_end = a.get("startsOn"), a.get("endsOn")
    b_start, b_end = b.get("startsOn"), b.get("endsOn")
    return (a_start is None or b_end is None or a_start <= b_end) and (
        b_start is None or a_end is None or b_start <= a_end
    )


async def _check_records(
    tx: AsyncManagedTransaction, label: Label, keep_id: str, merge_ids: Sequence[str]
) -> list[Row]:
    """Refuses an unknown id or one of another kind; write-locks every record named. The
    merged records' names come back, in the order given."""
    rows = await tx_rows(
        tx,
        "UNWIND $ids AS record_id "
        + find_party("x", "record_id", PARTY_LABELS)
        + " SET x.updatedAt = datetime() "
        "RETURN x.id AS id, [l IN labels(x) WHERE l IN $labels][0] AS label, x.name AS name",
        {"ids": [keep_id, *merge_ids], "labels": list(PARTY_LABELS)},
    )
    found = {row["id"]: row for row in rows}
    noun = label.name.lower()
    for field_name, record_id in [("keepId", keep_id), *(("mergeIds", i) for i in merge_ids)]:
        row = found.get(record_id)
        if row is None:
            raise NotFound(f"{field_name}: no {noun} has the id {record_id!r}.", field=field_name)
        if row["label"] != label.name:
            raise KindMismatch(
                f"{field_name}: {record_id!r} is a {str(row['label']).lower()}, not a {noun}; "
                "only records of one kind merge.",
                field=field_name,
            )
    return [found[i] for i in merge_ids]


async def merge_records(
    tx: AsyncManagedTransaction,
    label: Label,
    keep_id: str,
    merge_ids: Sequence[str],
    actor_id: str,
) -> None:
    """Folds the records `merge_ids` into `keep_id` (all of `label`), with an audit line
    on the kept record naming what was merged."""
    merged = await _check_records(tx, label, keep_id, merge_ids)
    name: LiteralString = label.name
    rows = await tx_rows(
        tx,
        f"MATCH (k:{name} {{id: $keep}}) "
        f"UNWIND $merged AS merged_id MATCH (m:{name} {{id: merged_id}}) "
        "WITH k, collect(m) AS ms "
        "RETURN elementId(k) AS keep, [m IN ms | elementId(m)] AS merged, "
        "COLLECT { MATCH (k)-[r]-(o) RETURN {type: type(r), outgoing: startNode(r) = k, "
        "other: elementId(o), props: properties(r), element: elementId(r)} } AS kept, "
        "COLLECT { UNWIND ms AS m MATCH (m)-[r]-(o) RETURN DISTINCT {type: type(r), "
        "outgoing: startNode(r) = m, other: elementId(o), props: properties(r), "
        "element: elementId(r), from: m.id} } AS moving, "
        "COLLECT { MATCH (t:RelationshipType) RETURN t {.key, .symmetric, "
        ".limitPerSource, .limitPerTarget} } AS catalog",
        {"keep": keep_id, "merged": list(merge_ids)},
    )
    row = rows[0]
    catalog = {entry["key"]: entry for entry in row["catalog"]}
    ends = {row["keep"], *row["merged"]}
    single = single_edges(label)
    kept = [
        _Edge(e["type"], e["outgoing"], e["other"], dict(e["props"]), e["element"])
        for e in row["kept"]
    ]
    moves: dict[tuple[str, bool], list[Row]] = defaultdict(list)
    made_primary: list[str] = []
    for entry in row["moving"]:
        edge = _Edge(
            entry["type"], entry["outgoing"], entry["other"], dict(entry["props"]), entry["element"]
        )
        if edge.other in ends:
            continue
        if (
            edge.outgoing
            and edge.type in single
            and any(k.type == edge.type and k.outgoing for k in kept)
        ):
            continue
        symmetric = bool(catalog.get(edge.type, {}).get("symmetric"))
        same = [
            k
            for k in kept
            if k.type == edge.type
            and k.other == edge.other
            and (symmetric or k.outgoing == edge.outgoing)
            and (edge.type not in catalog or _overlap(k.props, edge.props))
        ]
        if same:
            # An activity about both: it stays about the kept one, primarily if it was so
            # about either.
            if edge.props.get("primary") and not any(k.props.get("primary") for k in same):
                made_primary.append(same[0].element)
                same[0].props["primary"] = True
            continue
        if edge.outgoing and str(edge.props.get("id", "")).startswith(entry["from"] + ":"):
            # A link's id starts with its start node's id, by which it is found.
            edge.props["id"] = new_relationship_id(keep_id)
        kept.append(edge)
        moves[(edge.type, edge.outgoing)].append({"other": edge.other, "props": edge.props})
    for (edge_type, outgoing), edges in sorted(moves.items()):
        kind = _edge_type(edge_type)
        arrow: LiteralString = (
            f"CREATE (k)-[r:{kind}]->(o)" if outgoing else f"CREATE (k)<-[r:{kind}]-(o)"
        )
        await tx_rows(
            tx,
            f"MATCH (k:{name} {{id: $keep}}) UNWIND $edges AS e "
            f"MATCH (o) WHERE elementId(o) = e.other {arrow} SET r = e.props",
            {"keep": keep_id, "edges": edges},
        )
    if made_primary:
        await tx_rows(
            tx,
            "UNWIND $edges AS element MATCH ()-[r]->() WHERE elementId(r) = element "
            "SET r.primary = true",
            {"edges": made_primary},
        )
    await tx_rows(
        tx,
        f"UNWIND $merged AS merged_id MATCH (m:{name} {{id: merged_id}}) DETACH DELETE m",
        {"merged": list(merge_ids)},
    )
    await _check_limits(tx, label, keep_id, {t for t, _ in moves if t in catalog}, catalog)
    names = ", ".join(f"{m['name']} ({m['id']})" for m in merged)
    await write_audit(
        tx,
        keep_id,
        actor_id,
        MERGED,
        "id",
        ", ".join(merge_ids),
        keep_id,
        f"Merged {names} into this {label.name.lower()}",
    )


async def _check_limits(
    tx: AsyncManagedTransaction,
    label: Label,
    keep_id: str,
    moved: set[str],
    catalog: dict[str, Row],
) -> None:
    """Refuses a merge that leaves the kept record with more links in effect of a type
    than the type allows per record."""
    name: LiteralString = label.name
    for key in sorted(moved):
        entry = catalog[key]
        if entry["limitPerSource"] is None and entry["limitPerTarget"] is None:
            continue
        kind = _edge_type(key)
        rows = await tx_rows(
            tx,
            f"MATCH (k:{name} {{id: $keep}}) RETURN "
            f"COUNT {{ (k)-[r:{kind}]->() WHERE r.endsOn IS NULL OR r.endsOn >= $today }} "
            "AS fromSource, "
            f"COUNT {{ (k)<-[r:{kind}]-() WHERE r.endsOn IS NULL OR r.endsOn >= $today }} "
            "AS atTarget",
            {"keep": keep_id, "today": date.today()},
        )
        counts = rows[0]
        for count, limit_name in (("fromSource", "limitPerSource"), ("atTarget", "limitPerTarget")):
            limit = entry[limit_name]
            if entry["symmetric"]:
                total = counts["fromSource"] + counts["atTarget"]
            else:
                total = counts[count]
            if limit is not None and total > limit:
                raise LimitReached(
                    f"mergeIds: the merged record would have {total} {key} links in effect; "
                    f"the type allows {limit}. End or remove some first.",
                    field="mergeIds",
                )
