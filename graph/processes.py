"""Processes (R4.3): child activities made under a parent activity, one for every
customer of a segment, and the tree of activities a process made, read from its root.

A child points at its parent: `(child:Activity)-[:CHILD_OF]->(parent:Activity)`. A child
may be the parent of a later process, which makes the tree deeper.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph import chains
from kesher.graph.calendar_buckets import FILE
from kesher.graph.catalog import CATALOG_KEYS, Build, fresh_rows, fresh_tx_rows
from kesher.graph.driver import Graph, Params, Row, tx_rows
from kesher.graph.errors import GraphError
from kesher.graph.model import CUSTOMER, USER
from kesher.graph.records import RecordFilter, record_anchor, record_conditions
from kesher.graph.shapes import Link, Page, Shape
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience

# A segment's customer, with the owner its child falls back to.
_SEGMENT = Shape(
    CUSTOMER,
    links=(Link("owner", CUSTOMER.relations["owner"], Shape(USER, frozenset({"active"}))),),
)


async def segment(
    graph: Graph, tx: AsyncManagedTransaction, where: RecordFilter, cap: int
) -> list[Row]:
    """The live customers `where` picks, as the customer list filters them: at most
    `cap` + 1 (one more says the segment is over the cap), each as `{id, owner}` with
    the owner's `id` and `active` (or no owner). One statement."""
    rows = await fresh_tx_rows(graph, tx, segment_statement(where, cap))
    return [{"id": row["id"], "owner": row["owner"]} for row in rows[0]["rows"]]


def segment_statement(where: RecordFilter, cap: int) -> Build:
    """The statement `segment` runs, built from the catalog's keys."""
    live = dataclasses.replace(where, include_archived=False, search=None)

    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=None)  # customers and owners only
        n = statement.variable()
        conditions = record_conditions(statement, n, CUSTOMER, live)
        anchor = None
        if live.owner_ids or live.linked_customer_ids:
            anchor = record_anchor(statement, n, CUSTOMER, live)
        # Which customers come first does not matter (a segment over the cap is refused),
        # so the page is ordered by id alone and the planner may start from any index.
        text = statement.page(_SEGMENT, Page(size=cap, order=()), conditions, n=n, anchor=anchor)
        return text, statement.params

    return build


_CREATE_CHILDREN: LiteralString = (
    "MATCH (parent:Activity {id: $parentId}) "
    "MATCH (type:ActivityType {id: $typeId}) "
    "MATCH (status:ActivityStatus {id: $statusId}) "
    "UNWIND $children AS child "
    "MATCH (customer:Customer {id: child.customerId}) "
    "MATCH (owner:User {id: child.ownerId}) "
    "CREATE (a:Activity {id: child.id, ref: child.ref}) "
    "SET a += $values, a.createdAt = datetime(), a.updatedAt = datetime(), "
    # A task is reminded of when it falls due (see `kesher.graph.tasks`).
    "a.remindAt = CASE WHEN a.kind = 'TASK' THEN a.dueAt END "
    "CREATE (a)-[:OWNED_BY]->(owner), (a)-[:ABOUT {primary: true}]->(customer), "
    "(a)-[:HAS_TYPE]->(type), (a)-[:HAS_STATUS]->(status), (a)-[:CHILD_OF]->(parent) "
    "WITH a " + FILE + "RETURN count(a) AS created"
)


async def create_children(
    tx: AsyncManagedTransaction,
    parent_id: str,
    links: Mapping[str, str],
    values: Mapping[str, Any],
    children: list[Row],
) -> int:
    """Creates every child in one statement: each `{id, customerId, ownerId}` of
    `children` becomes an activity with `values`, the type and status of `links`, its
    owner and customer, under the parent. Runs inside the caller's write transaction;
    a child that could not be made (its customer or owner went away meanwhile) fails it
    all."""
    refs = await chains.reserve_refs(tx, str(values["kind"]), len(children))
    rows = await tx_rows(
        tx,
        _CREATE_CHILDREN,
        {
            "parentId": parent_id,
            "typeId": links["typeId"],
            "statusId": links["statusId"],
            "values": dict(values),
            "children": [child | {"ref": ref} for child, ref in zip(children, refs, strict=True)],
        },
    )
    created = int(rows[0]["created"]) if rows else 0
    if created != len(children):
        raise GraphError(
            "segment: the segment changed while the process ran; try again.", field="segment"
        )
    return created


async def tree(
    graph: Graph,
    audience: Audience,
    activity_id: str,
    root_shape: Shape,
    node_shape: Shape,
    cap: int,
) -> Row | None:
    """The tree of the process `activity_id` belongs to, from its root (the activity it
    reaches by `CHILD_OF` that has no parent): `root` in `root_shape`, and `nodes`, each
    `{activity, parent_id, depth}` with the activity in `node_shape`, breadth first (by
    depth, then start time, then id), at most `cap` + 1 of them. None when there is no
    activity with this id, or when the audience may not see it or the root. The nodes are
    those the audience may see. One statement."""
    build = tree_statement(audience, activity_id, root_shape, node_shape, cap)
    rows = await fresh_rows(graph, build)
    return {"root": rows[0]["root"], "nodes": rows[0]["nodes"]} if rows else None


def tree_statement(
    audience: Audience | None, activity_id: str, root_shape: Shape, node_shape: Shape, cap: int
) -> Build:
    """The statement `tree` runs, built from the catalog's keys."""

    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=audience)
        start, root, n = statement.variable(), statement.variable(), statement.variable()
        root_subqueries, root_projection = statement.projection(root, root_shape)
        node_subqueries, node_projection = statement.projection(n, node_shape)
        order = f"depth, {n}.startAt, {n}.id"
        catalog: LiteralString = ", " + CATALOG_KEYS if statement.uses_catalog else ""
        text = "\n".join(
            [
                f"MATCH ({start}:Activity {{id: {statement.param(activity_id)}}})",
                f"WHERE {statement.visible(start)}",
                f"CALL ({start}) {{",
                f"  MATCH ({start})-[:CHILD_OF*0..]->({root}:Activity)",
                f"  WHERE NOT EXISTS {{ ({root})-[:CHILD_OF]->(:Activity) }}",
                f"  AND {statement.visible(root)}",
                f"  RETURN {root} LIMIT 1",
                "}",
                *root_subqueries,
                f"CALL ({root}) {{",
                f"  MATCH path = ({n}:Activity)-[:CHILD_OF*0..]->({root})",
                f"  WHERE {statement.visible(n)}",
                f"  WITH {n}, length(path) AS depth, "
                "CASE WHEN length(path) = 0 THEN null ELSE nodes(path)[1].id END AS parentId",
                f"  ORDER BY {order} LIMIT {statement.param(cap + 1)}",
                *node_subqueries,
                f"  WITH * ORDER BY {order}" if node_subqueries else "",
                f"  RETURN collect({{activity: {node_projection}, parent_id: parentId, "
                "depth: depth}) AS nodes",
                "}",
                f"RETURN {root_projection} AS root, nodes{catalog}",
            ]
        )
        return text, statement.params

    return build
