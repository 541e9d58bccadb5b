"""The driver wrapper: statement timeouts and all-or-nothing writes."""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Collection
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from neo4j import AsyncDriver, AsyncManagedTransaction
from neo4j.api import AsyncBookmarkManager
from neo4j.exceptions import ClientError

from kesher.graph.driver import Graph, deadline, tx_rows
from kesher.graph.errors import TimedOut

pytestmark = pytest.mark.anyio

SLOW = "UNWIND range(1, 200000000) AS i WITH i WHERE i % 7 = 99 RETURN count(i) AS n"


async def test_a_statement_over_its_time_is_stopped(driver: AsyncDriver, database: str) -> None:
    graph = Graph(driver, database, timeout=0.5)
    with pytest.raises(TimedOut) as raised:
        await graph.rows(SLOW, {})
    # its own timeout, not a request's deadline (outside a request there is none)
    assert raised.value.seconds == 0.5
    assert not raised.value.by_deadline
    assert isinstance(raised.value.__cause__, ClientError)
    assert "TransactionTimedOut" in str(raised.value.__cause__.code)


async def test_a_statement_takes_no_longer_than_what_is_left_of_the_deadline(
    driver: AsyncDriver, database: str
) -> None:
    # given: a statement timeout of a minute, and a request due in half a second
    graph = Graph(driver, database, timeout=60)
    token = deadline.set(asyncio.get_running_loop().time() + 0.5)
    try:
        # when
        started = time.monotonic()
        with pytest.raises(TimedOut) as stopped:
            await graph.rows(SLOW, {})
        took = time.monotonic() - started
        # then: Neo4j stopped it at the deadline, and one after it does not start
        assert stopped.value.by_deadline
        assert took < 10
        with pytest.raises(TimedOut) as refused:
            await graph.rows("RETURN 1 AS one", {})
        assert refused.value.by_deadline
    finally:
        deadline.reset(token)


async def test_a_failed_write_leaves_nothing_behind(driver: AsyncDriver, database: str) -> None:
    graph = Graph(driver, database, timeout=5)

    async def half_done(tx: AsyncManagedTransaction) -> None:
        await tx_rows(tx, "CREATE (:Customer {id: 'cus_half', name: 'Half'})", {})
        raise LookupError("refused after the first statement")

    with pytest.raises(LookupError):
        await graph.write(half_done)
    rows = await graph.rows("MATCH (c:Customer {id: 'cus_half'}) RETURN c", {})
    assert rows == []


class Recording:
    """A bookmark manager (`neo4j.AsyncBookmarkManager`, a protocol) over another, which
    keeps what each session it served was given and told."""

    def __init__(self, manager: AsyncBookmarkManager) -> None:
        self.manager = manager
        self.given: list[frozenset[str]] = []
        self.told: list[frozenset[str]] = []

    async def update_bookmarks(
        self, previous_bookmarks: Collection[str], new_bookmarks: Collection[str]
    ) -> None:
        self.told.append(frozenset(new_bookmarks))
        await self.manager.update_bookmarks(previous_bookmarks, new_bookmarks)

    async def get_bookmarks(self) -> Collection[str]:
        bookmarks: Collection[str] = await self.manager.get_bookmarks()
        self.given.append(frozenset(bookmarks))
        return bookmarks


async def test_a_read_carries_the_bookmark_of_the_last_write(
    driver: AsyncDriver, database: str
) -> None:
    # given: a graph whose sessions share a bookmark manager, seen through a recorder
    graph = Graph(driver, database, timeout=5)
    assert graph.bookmarks is not None
    recording = Recording(graph.bookmarks)
    graph.bookmarks = recording

    async def create(tx: AsyncManagedTransaction) -> None:
        await tx_rows(tx, "CREATE (:Customer {id: 'cus_bookmarked', name: 'Acme'})", {})

    # when: a write, then a read
    await graph.write(create)
    [written] = recording.told
    rows = await graph.rows("MATCH (c:Customer {id: 'cus_bookmarked'}) RETURN c.name AS name", {})

    # then: the write left its bookmark in the manager, and the read was opened with it
    assert written
    assert recording.given[-1] == written
    assert frozenset(await graph.bookmarks.get_bookmarks()) >= written
    assert rows == [{"name": "Acme"}]


TIMES = """
RETURN datetime({epochSeconds: 1767225600}) AS utc,
  datetime('2026-03-29T02:30:00.123456789+03:00') AS offset,
  datetime('1965-05-01T12:00:00-04:30') AS before_1970,
  datetime('2026-03-29T09:00:00[Asia/Jerusalem]') AS named,
  localdatetime('2026-03-29T09:00:00') AS local,
  [datetime('2026-01-01T00:00:00Z')] AS nested
"""


async def test_times_are_read_as_python_datetimes_at_the_same_instant(
    driver: AsyncDriver, database: str
) -> None:
    # given
    graph = Graph(driver, database, timeout=5)
    jerusalem_summer = timezone(timedelta(hours=3))

    # when
    row = (await graph.rows(TIMES, {}))[0]

    # then
    assert row["utc"] == datetime(2026, 1, 1, tzinfo=UTC)
    assert row["utc"].isoformat() == "2026-01-01T00:00:00+00:00"
    assert row["offset"] == datetime(2026, 3, 29, 2, 30, 0, 123456, tzinfo=jerusalem_summer)
    assert row["offset"].utcoffset() == timedelta(hours=3)
    assert row["before_1970"].isoformat() == "1965-05-01T12:00:00-04:30"
    assert row["named"] == datetime(2026, 3, 29, 9, tzinfo=ZoneInfo("Asia/Jerusalem"))
    assert row["local"] == datetime(2026, 3, 29, 9)
    assert row["nested"] == [datetime(2026, 1, 1, tzinfo=UTC)]
    assert all(type(row[key]) is datetime for key in ("utc", "offset", "named", "local"))


def test_offset_times_skip_the_drivers_slow_temporal_type() -> None:
    temporal = importlib.import_module("neo4j._codec.hydration.bolt.v2.temporal")
    hydrated = temporal.hydrate_datetime(1767225600, 5_000, 7200)
    assert type(hydrated) is datetime
    assert hydrated == datetime(2026, 1, 1, tzinfo=UTC).replace(microsecond=5)
    assert hydrated.utcoffset() == timedelta(hours=2)


def test_utc_times_are_read_exactly_before_1970_and_to_the_nanosecond() -> None:
    temporal = importlib.import_module("neo4j._codec.hydration.bolt.v2.temporal")
    utc = temporal.hydrate_datetime(1767225600, 5_000, 0)
    assert type(utc) is datetime
    assert utc.isoformat() == "2026-01-01T00:00:00.000005+00:00"
    before = temporal.hydrate_datetime(-157766400, 0, 0)
    assert before.isoformat() == "1965-01-01T00:00:00+00:00"
    # Finer than a microsecond Python cannot hold it: the driver's own type does.
    exact = temporal.hydrate_datetime(1767225600, 5_001, 0)
    assert type(exact) is not datetime
    assert exact.nanosecond == 5_001
