"""The statements of a logical backup (`kesher backup`) and its restore: every node, with
its outgoing relationships, read in pages in a stable order, and loaded again in batches.

Nodes are read with their element id, which names them in the archive; relationships
name their ends by it. A restore gives each new node a temporary label and that key,
with an index of its own, so that relationships find their ends by an index seek; both
go once the load is done. Labels, relationship types and the names of date-time
properties are passed as parameters (Neo4j's dynamic labels, types and property names),
never spliced into the statement; date-times are built by the statement from their
instant and zone, which is many times faster than the driver sending them.
"""

from __future__ import annotations

from typing import Any, LiteralString

from neo4j import AsyncDriver, AsyncManagedTransaction, RoutingControl

from kesher.graph import bulk

Row = dict[str, Any]

# Each relationship is read once, with its start node: the page holds the nodes' outgoing
# relationships, so that only nodes are ever scanned for the next page.
_PAGE: LiteralString = """
MATCH (n) WHERE elementId(n) > $after
WITH n ORDER BY elementId(n) LIMIT $size
RETURN elementId(n) AS key, labels(n) AS labels, properties(n) AS properties,
       [(n)-[r]->(m) | {type: type(r), end: elementId(m), properties: properties(r)}]
         AS outgoing
"""

_TOTALS: LiteralString = """
RETURN COUNT { MATCH (n) } AS nodes, COUNT { MATCH ()-[r]->() } AS relationships
"""

# What the service's own start-up writes into an empty database (`apply_constraints`)
# and the lock nodes its writers create: a database holding nothing else holds no data.
_HOLDS_DATA: LiteralString = """
RETURN EXISTS {
  MATCH (n)
  WHERE NOT (n:ReminderLock OR n:ChainLock OR n:CalendarBackfill
    OR (n:RefSequence AND n.last = 0))
} AS holds
"""

_LABEL_COUNTS: LiteralString = """
MATCH (n) UNWIND labels(n) AS label RETURN label AS name, count(*) AS count
"""

_TYPE_COUNTS: LiteralString = """
MATCH ()-[r]->() RETURN type(r) AS name, count(*) AS count
"""

# The temporary label and key a restore gives the nodes it creates.
RESTORE_LABEL = "KesherRestoring"
RESTORE_KEY = "kesherRestoreKey"
_RESTORE_INDEX: tuple[LiteralString, ...] = (
    "CREATE RANGE INDEX kesher_restore_key IF NOT EXISTS "
    "FOR (n:KesherRestoring) ON (n.kesherRestoreKey)",
    "CALL db.awaitIndex('kesher_restore_key', 300)",
)

_CREATE_NODES: LiteralString = """
UNWIND $rows AS row
CREATE (n:$(row.labels))
SET n = row.properties, n:KesherRestoring, n.kesherRestoreKey = row.key
FOREACH (t IN row.datetimes |
  SET n[t[0]] = datetime({epochSeconds: t[1], nanosecond: t[2], timezone: t[3]}))
"""

# The hints keep the index seek even when the plan was made while the label was empty.
_CREATE_RELATIONSHIPS: LiteralString = """
UNWIND $rows AS row
MATCH (a:KesherRestoring {kesherRestoreKey: row.start})
USING INDEX a:KesherRestoring(kesherRestoreKey)
MATCH (b:KesherRestoring {kesherRestoreKey: row.end})
USING INDEX b:KesherRestoring(kesherRestoreKey)
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.properties
FOREACH (t IN row.datetimes |
  SET r[t[0]] = datetime({epochSeconds: t[1], nanosecond: t[2], timezone: t[3]}))
RETURN count(r) AS created
"""

_FINISH: tuple[LiteralString, ...] = (
    "MATCH (n:KesherRestoring) "
    "CALL (n) { REMOVE n:KesherRestoring, n.kesherRestoreKey } IN TRANSACTIONS OF 10000 ROWS",
    "DROP INDEX kesher_restore_key IF EXISTS",
)


class MissingEnds(Exception):
    """Relationships of a batch whose start or end node is not in the backup."""


async def page(driver: AsyncDriver, database: str, after: str, size: int) -> list[Row]:
    """Up to `size` nodes whose element id follows `after`, in element id order, each with
    its outgoing relationships (`type`, `end`, `properties`)."""
    return await _read(driver, database, _PAGE, after=after, size=size)


async def totals(driver: AsyncDriver, database: str) -> tuple[int, int]:
    """How many nodes and relationships the database holds (count-store lookups)."""
    [row] = await _read(driver, database, _TOTALS)
    return row["nodes"], row["relationships"]


async def holds_data(driver: AsyncDriver, database: str) -> bool:
    """Whether the database holds anything beyond what the service's start-up writes."""
    [row] = await _read(driver, database, _HOLDS_DATA)
    return bool(row["holds"])


async def counts(driver: AsyncDriver, database: str) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type."""
    labels = await _read(driver, database, _LABEL_COUNTS)
    types = await _read(driver, database, _TYPE_COUNTS)
    return (
        {row["name"]: row["count"] for row in labels},
        {row["name"]: row["count"] for row in types},
    )


async def clear(driver: AsyncDriver, database: str) -> None:
    """Deletes every relationship and node, in transactions of 10,000; constraints and
    indexes stay."""
    async with driver.session(database=database) as session:
        for statement in bulk.WIPE:
            await (await session.run(statement)).consume()


async def prepare_restore(driver: AsyncDriver, database: str) -> None:
    """The index the load finds a relationship's ends by."""
    for statement in _RESTORE_INDEX:
        await driver.execute_query(statement, database_=database)


async def create_nodes(driver: AsyncDriver, database: str, rows: list[Row]) -> None:
    """Creates nodes (`key`, `labels`, `properties`, `datetimes`: `[name, seconds since
    the epoch, nanoseconds, zone or offset]`) in one transaction."""
    async with driver.session(database=database) as session:
        await session.execute_write(_run, _CREATE_NODES, rows)


async def create_relationships(driver: AsyncDriver, database: str, rows: list[Row]) -> None:
    """Creates relationships (`type`, `start`, `end`, `properties`, `datetimes`) between
    nodes of this restore, in one transaction; refuses the whole batch when an end is missing."""
    async with driver.session(database=database) as session:
        await session.execute_write(_create_relationships, rows)


async def finish_restore(driver: AsyncDriver, database: str) -> None:
    """Removes the restore's temporary label, keys and index."""
    async with driver.session(database=database) as session:
        for statement in _FINISH:
            await (await session.run(statement)).consume()


async def _run(tx: AsyncManagedTransaction, statement: LiteralString, rows: list[Row]) -> None:
    await (await tx.run(statement, rows=rows)).consume()


async def _create_relationships(tx: AsyncManagedTransaction, rows: list[Row]) -> None:
    record = await (await tx.run(_CREATE_RELATIONSHIPS, rows=rows)).single(strict=True)
    if record["created"] != len(rows):
        raise MissingEnds(f"{len(rows) - record['created']} relationships lack a start or end")


async def _read(
    driver: AsyncDriver, database: str, statement: LiteralString, **params: Any
) -> list[Row]:
    answer = await driver.execute_query(
        statement, params, database_=database, routing_=RoutingControl.READ
    )
    return [dict(zip(record.keys(), record.values(), strict=True)) for record in answer.records]
