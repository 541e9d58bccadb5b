"""Calendar buckets: where a calendar finds each user's activities without reading their
whole history.

Every activity that can show on a calendar is filed, for its owner and each participant,
under that user's month buckets, `(:Activity)-[:ON_CALENDAR]->(:CalendarMonth {key,
user, month})`, one for each UTC month from the month it starts in to the month it ends
in (a series: the month its last occurrence ends in). The key is `"<userId>|2026-12"`.
A series that never ends, and anything spanning more than `LONG_MONTHS` months, is filed
under the user's long bucket instead (`month: "long"`, key `"<userId>|long"`), which
every calendar of that user reads. A calendar reads the buckets of its window's months
and the long bucket, then applies the same overlap filter as before.

Every write that creates an activity or changes its times, recurrence, owner or
participants re-files it in the same statement or transaction (`FILE`). A bucket left
empty stays; it costs an index entry and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import LiteralString

from neo4j import AsyncDriver, AsyncManagedTransaction

from kesher.graph.driver import tx_rows

# An activity spanning more UTC months than this goes in its users' long bucket.
LONG_MONTHS = 12
LONG = "long"

# Re-files the activity bound to `a`: drops its bucket edges, then files it under the
# month buckets (or long bucket) of its owner and each participant. Appended to a
# statement that binds `a`; it keeps `a` and the row count as they were.
FILE: LiteralString = """
CALL (a) {
  OPTIONAL MATCH (a)-[filed:ON_CALENDAR]->(:CalendarMonth)
  DELETE filed
}
CALL (a) {
  WITH a WHERE a.startAt IS NOT NULL
  WITH a, datetime({epochSeconds: a.startAt.epochSeconds}) AS first,
    CASE WHEN a.recurrence IS NOT NULL AND a.recurrenceEndsAt IS NULL THEN null
    ELSE reduce(last = a.startAt, t IN [a.endAt,
      CASE WHEN a.recurrence IS NOT NULL THEN a.recurrenceEndsAt END] |
      CASE WHEN t > last THEN t ELSE last END) END AS ends
  WITH a, first.year * 12 + first.month - 1 AS from,
    CASE WHEN ends IS NOT NULL THEN datetime({epochSeconds: ends.epochSeconds}) END AS last
  WITH a, from, last.year * 12 + last.month - 1 AS to
  WITH a, CASE WHEN to IS NULL OR to - from >= 12 THEN ['long']
    ELSE [i IN range(from, to) |
      right('000' + toString(i / 12), 4) + '-' + right('0' + toString(i % 12 + 1), 2)] END
    AS months
  MATCH (a)-[:OWNED_BY|WITH_USER]->(u:User)
  WITH DISTINCT a, u, months
  UNWIND months AS month
  MERGE (m:CalendarMonth {key: u.id + '|' + month})
    ON CREATE SET m.user = u.id, m.month = month
  CREATE (a)-[:ON_CALENDAR]->(m)
}
"""

_REFILE: LiteralString = "MATCH (a:Activity) WHERE a.id IN $ids " + FILE


async def refile(tx: AsyncManagedTransaction, activity_ids: list[str]) -> None:
    """Re-files the activities inside the caller's write transaction."""
    await tx_rows(tx, _REFILE, {"ids": activity_ids})


def month_keys(starts: datetime, ends: datetime) -> list[str]:
    """The bucket months a window [starts, ends) reads, with the long bucket last."""
    first = starts.astimezone(UTC)
    last = (ends - timedelta(microseconds=1)).astimezone(UTC)
    index, to = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, to + 1)] + [LONG]


# Existing databases: activities filed nowhere get filed, in batches, once; the marker
# node says it was done, so a restart does not scan the activities again.
_FILED: LiteralString = "MATCH (b:CalendarBackfill {id: 'calendar-buckets'}) RETURN b.id AS id"
_BACKFILL: LiteralString = (
    "MATCH (a:Activity) WHERE a.startAt IS NOT NULL AND NOT EXISTS { (a)-[:ON_CALENDAR]->() } "
    "CALL (a) {" + FILE + "} IN TRANSACTIONS OF 5000 ROWS"
)
_MARK: LiteralString = (
    "MERGE (b:CalendarBackfill {id: 'calendar-buckets'}) ON CREATE SET b.at = datetime()"
)


async def backfill(driver: AsyncDriver, database: str) -> bool:
    """Files every activity not yet filed, unless that was done before; whether it ran."""
    records, _, _ = await driver.execute_query(_FILED, database_=database)
    if records:
        return False
    async with driver.session(database=database) as session:
        result = await session.run(_BACKFILL)
        await result.consume()
    await driver.execute_query(_MARK, database_=database)
    return True
