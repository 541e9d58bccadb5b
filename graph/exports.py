"""The statements of CSV exports: each list with the filters its GraphQL list takes, one
statement whose rows are flat maps of the export's columns, streamed as they come."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import LiteralString

from kesher.graph import activity_list
from kesher.graph.driver import Graph, Row
from kesher.graph.labels import Label
from kesher.graph.model import ACTIVITY, ACTIVITY_STATE, CONTACT, CUSTOMER, PROJECT
from kesher.graph.records import (
    SEARCH_INDEXES,
    RecordFilter,
    lucene_query,
    record_anchor,
    record_conditions,
)
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience

# Each record list's columns, by name: those its import reads, then when it was made and
# last changed.
_OWNER: LiteralString = "COLLECT { MATCH (n)-[:OWNED_BY]->(u:User) RETURN u.id }[0]"
_WORKS_AT: LiteralString = "COLLECT { MATCH (n)-[:WORKS_AT]->(c:Customer) RETURN c.id }[0]"
_FOR: LiteralString = "COLLECT { MATCH (n)-[:FOR]->(c:Customer) RETURN c.id }[0]"
_TIMES: dict[LiteralString, LiteralString] = {
    "createdAt": "n.createdAt",
    "updatedAt": "n.updatedAt",
}
RECORDS: Mapping[str, tuple[Label, Mapping[LiteralString, LiteralString]]] = {
    "customers": (
        CUSTOMER,
        {
            "id": "n.id",
            "externalKey": "n.externalKey",
            "name": "n.name",
            "status": "n.status",
            "email": "n.email",
            "phone": "n.phone",
            "website": "n.website",
            "city": "n.city",
            "ownerId": _OWNER,
            **_TIMES,
        },
    ),
    "contacts": (
        CONTACT,
        {
            "id": "n.id",
            "externalKey": "n.externalKey",
            "customerId": _WORKS_AT,
            "firstName": "n.firstName",
            "lastName": "n.lastName",
            "email": "n.email",
            "phone": "n.phone",
            "title": "n.title",
            **_TIMES,
        },
    ),
    "projects": (
        PROJECT,
        {
            "id": "n.id",
            "externalKey": "n.externalKey",
            "customerId": _FOR,
            "name": "n.name",
            "status": "n.status",
            "description": "n.description",
            **_TIMES,
        },
    ),
}

ACTIVITIES: Mapping[LiteralString, LiteralString] = {
    "id": "n.id",
    "ref": "n.ref",
    "kind": "n.kind",
    "subject": "n.subject",
    "type": "COLLECT { MATCH (n)-[:HAS_TYPE]->(t) RETURN t.name }[0]",
    "status": "COLLECT { MATCH (n)-[:HAS_STATUS]->(s) RETURN s.name }[0]",
    "state": ACTIVITY_STATE.format(n="n"),
    "startsAt": "n.startAt",
    "endsAt": "n.endAt",
    "dueAt": "n.dueAt",
    "allDay": "n.allDay",
    "timeZone": "n.timeZone",
    "ownerId": "COLLECT { MATCH (n)-[:OWNED_BY]->(u:User) RETURN u.id }[0]",
    "owner": "COLLECT { MATCH (n)-[:OWNED_BY]->(u:User) RETURN u.name }[0]",
    "customerId": "COLLECT { MATCH (n)-[:ABOUT {primary: true}]->(c:Customer) RETURN c.id }[0]",
    "customer": "COLLECT { MATCH (n)-[:ABOUT {primary: true}]->(c:Customer) RETURN c.name }[0]",
    "closedAt": "n.closedAt",
    "createdAt": "n.createdAt",
}


def _projection(columns: Mapping[LiteralString, LiteralString]) -> LiteralString:
    return ", ".join(f"{expression} AS {name}" for name, expression in columns.items())


def records(graph: Graph, audience: Audience, kind: str, where: RecordFilter) -> AsyncIterator[Row]:
    """The list's rows by name, as the GraphQL list filters them."""
    label, columns = RECORDS[kind]
    statement = Statement(keys=graph.relation_keys, audience=audience)
    n: LiteralString = "n"
    conditions = record_conditions(statement, n, label, where)
    if where.search:
        query = statement.param(lucene_query(where.search))
        index = SEARCH_INDEXES[label.name]
        source: LiteralString = (
            f"CALL db.index.fulltext.queryNodes('{index}', {query}) YIELD node AS n "
            f"WHERE n:{label.name}"
        )
        joiner: LiteralString = " AND "
    elif where.owner_ids or where.customer_ids or where.linked_customer_ids:
        source, joiner = record_anchor(statement, n, label, where), " WHERE "
    else:
        source, joiner = f"MATCH (n:{label.name})", " WHERE "
        conditions.append("n.name IS NOT NULL")
    where_text: LiteralString = joiner + " AND ".join(conditions) if conditions else ""
    text = f"{source}{where_text} WITH n ORDER BY n.name, n.id RETURN {_projection(columns)}"
    return graph.stream(text, statement.params)


def activities(
    graph: Graph, audience: Audience, where: activity_list.ActivityFilter
) -> AsyncIterator[Row]:
    """The activities the audience may see, as the activity list filters them, by start."""
    statement = Statement(keys=graph.relation_keys, audience=audience)
    n: LiteralString = "n"
    source = activity_list.source(statement, n, where)
    conditions = activity_list.activity_conditions(statement, n, where, anchored=source is not None)
    conditions += statement.visibility_conditions(n, ACTIVITY)
    if where.search:
        query = statement.param(lucene_query(where.search))
        source = (
            f"CALL db.index.fulltext.queryNodes('activity_search', {query}) YIELD node AS n "
            "WITH n WHERE n:Activity"
        )
        joiner: LiteralString = " AND "
    else:
        joiner = " WHERE "
        if source is None:
            source = "MATCH (n:Activity)"
            conditions.append("n.startAt IS NOT NULL")
    where_text: LiteralString = joiner + " AND ".join(conditions) if conditions else ""
    text = f"{source}{where_text} WITH n ORDER BY n.startAt, n.id RETURN {_projection(ACTIVITIES)}"
    return graph.stream(text, statement.params)


async def confirm_viewer(graph: Graph) -> None:
    """One statement that does nothing but the viewer's check every statement begins with
    (`kesher.graph.viewer_guard`): a link is made only for a user still signed in as their
    token says."""
    await graph.rows("RETURN true AS signedIn", {})
