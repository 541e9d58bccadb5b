"""The one place that talks to the Neo4j driver."""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Concatenate, LiteralString, ParamSpec, TypeVar

import neo4j
import neo4j.graph
import neo4j.time
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Query, RoutingControl
from neo4j.api import AsyncBookmarkManager
from opentelemetry.trace import SpanKind, Tracer

from kesher.graph import viewer_guard
from kesher.graph.errors import TimedOut, Unavailable, ViewerRefused
from kesher.graph.events import Event, collecting

T = TypeVar("T")
P = ParamSpec("P")

Row = dict[str, Any]

# The driver's ways of saying the database is out of reach (after its own retries).
_GONE = (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired)

# Neo4j's ways of saying it stopped a transaction that ran past its timeout.
_TIMED_OUT = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    }
)
# Its ways of saying a transaction was terminated, which a timeout does to one waiting
# for a lock (as an operator or a shutdown may also do): a timeout when its time is up.
_TERMINATED = frozenset(
    {
        "Neo.ClientError.Transaction.LockClientStopped",
        "Neo.ClientError.Transaction.Terminated",
        "Neo.TransientError.Transaction.LockClientStopped",
        "Neo.TransientError.Transaction.Terminated",
    }
)

# When the request being served must be answered by, on the event loop's clock (see
# `kesher.resolvers.deadline`); a statement's timeout never runs past it.
deadline: ContextVar[float | None] = ContextVar("deadline", default=None)

# How often a read is tried when the driver says its failure may pass.
READ_ATTEMPTS = 3
Params = Mapping[str, Any]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _fast_datetimes() -> None:
    """Makes the driver read a DATETIME with a UTC offset (every time Kesher stores)
    straight into a Python `datetime`, about sixty times faster than through
    `neo4j.time.DateTime`, which costs some 40 µs a value: a calendar month of ten users
    holds a thousand of them. Times in a named zone, and any the fast way cannot hold
    (beyond Python's years, or finer than a microsecond, which a backup must read
    exactly), take the driver's own way.

    The driver has no public hook for this, so it replaces the driver's hydration
    function in its module before any connection is made; if a driver version moves the
    function, nothing is replaced and the driver's way is used (a test notices).
    """
    try:
        temporal = importlib.import_module("neo4j._codec.hydration.bolt.v2.temporal")
    except ImportError:
        return
    original = getattr(temporal, "hydrate_datetime", None)
    if original is None or getattr(original, "kesher", False):
        return
    offsets: dict[int, timezone] = {}

    def hydrate_datetime(seconds: int, nanoseconds: int, tz: object = None) -> object:
        if type(tz) is int and nanoseconds % 1000 == 0:
            try:
                moment = _EPOCH + timedelta(0, seconds, nanoseconds // 1000)
                if tz == 0:
                    return moment
                zone = offsets.get(tz)
                if zone is None:
                    zone = offsets.setdefault(tz, timezone(timedelta(seconds=tz)))
                return moment.astimezone(zone)
            except (OverflowError, ValueError):
                pass
        return original(seconds, nanoseconds, tz)

    hydrate_datetime.kesher = True  # type: ignore[attr-defined]
    temporal.hydrate_datetime = hydrate_datetime  # type: ignore[attr-defined]


_fast_datetimes()


# Traces each statement as a span when set (`kesher.tracing`); unset, statements run as
# they would without tracing.
_tracer: Tracer | None = None


def trace_statements(tracer: Tracer | None) -> None:
    global _tracer
    _tracer = tracer


@contextmanager
def _statement_span(text: str, database: str | None) -> Iterator[None]:
    tracer = _tracer
    if tracer is None:
        yield
        return
    attributes = {"db.system": "neo4j", "db.system.name": "neo4j", "db.statement": text}
    if database is not None:
        attributes["db.namespace"] = database
    with tracer.start_as_current_span("neo4j", kind=SpanKind.CLIENT, attributes=attributes):
        yield


def connect(uri: str, user: str, password: str) -> AsyncDriver:
    auth = neo4j.basic_auth(user, password) if password else None
    return AsyncGraphDatabase.driver(
        uri, auth=auth, max_connection_pool_size=100, notifications_min_severity="OFF"
    )


def query(text: LiteralString) -> LiteralString:
    """Marks a Cypher text; only literal strings (and builder output) are ever run."""
    return text


class Graph:
    """A driver bound to one database and one statement timeout."""

    def __init__(self, driver: AsyncDriver, database: str, timeout: float) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout
        # Every session of this process shares it, so a read after a write sees the write,
        # even on a cluster member the write has not reached yet (the read waits for it).
        # None runs sessions without bookmarks (a benchmark compares the two).
        self.bookmarks: AsyncBookmarkManager | None = AsyncGraphDatabase.bookmark_manager()
        # The relationship-type keys statements splice in (see `kesher.graph.catalog`).
        self.relation_keys: frozenset[str] = frozenset()
        # Called after each committed write with the events it emitted (subscriptions).
        self.on_commit: Callable[[list[Event]], Awaitable[None]] | None = None
        # Told how long each driver call took ("read" or "write", seconds): the metrics.
        self.timed: Callable[[str, float], None] | None = None

    async def rows(self, text: LiteralString, params: Params) -> list[Row]:
        """Runs one read statement and returns its records as dictionaries.

        The statement runs in an auto-commit transaction: its RUN and PULL go out together
        and come back in one round trip, where a managed transaction would add BEGIN and
        COMMIT and a second round trip (about 1 ms of a 2 ms read, measured). A read is
        safe to repeat, so what the driver calls retryable (a lost connection, a leader
        change, a transient error) is tried again, a few times, as `execute_query` would.

        While a request is answered, the statement also checks its viewer
        (`kesher.graph.viewer_guard`) and raises `ViewerRefused` when the check fails.
        """
        started = time.perf_counter()
        try:
            with _statement_span(text, self.database):
                return await self._read(text, params)
        finally:
            if self.timed is not None:
                self.timed("read", time.perf_counter() - started)

    async def _read(self, text: LiteralString, params: Params) -> list[Row]:
        text, values = viewer_guard.guarded(text, dict(params))
        for attempt in range(READ_ATTEMPTS):
            limit = self._limit()
            query = Query(text, timeout=limit.seconds)
            try:
                async with self.driver.session(
                    database=self.database,
                    default_access_mode=neo4j.READ_ACCESS,
                    bookmark_manager=self.bookmarks,
                ) as session:
                    return await _as_dicts(await session.run(query, values))
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as error:
                if viewer_guard.refused(error):
                    raise ViewerRefused() from error
                limit.check(error)
                if attempt + 1 == READ_ATTEMPTS or not error.is_retryable():
                    if isinstance(error, _GONE):
                        raise Unavailable(str(error)) from error
                    raise
                await asyncio.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    async def stream(self, text: LiteralString, params: Params) -> AsyncIterator[Row]:
        """Runs one read statement and yields its records as they arrive, for an answer
        too large to hold (an export). Not retried: rows may already have been passed on.
        The statement also checks its viewer, as `rows` does."""
        text, values = viewer_guard.guarded(text, dict(params))
        query = Query(text, timeout=self._limit().seconds)
        async with self.driver.session(
            database=self.database,
            default_access_mode=neo4j.READ_ACCESS,
            bookmark_manager=self.bookmarks,
        ) as session:
            try:
                result = await session.run(query, values)
                async for record in result:
                    yield {
                        key: _native(value)
                        for key, value in zip(record.keys(), record.values(), strict=True)
                    }
            except _GONE as error:
                raise Unavailable(str(error)) from error
            except neo4j.exceptions.Neo4jError as error:
                if viewer_guard.refused(error):
                    raise ViewerRefused() from error
                raise

    async def write(
        self,
        work: Callable[Concatenate[AsyncManagedTransaction, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Runs `work` in one write transaction, retried by the driver on transient errors,
        then hands the events the committed attempt emitted to `on_commit`.

        While a request is answered, the transaction's first statement also checks its
        viewer; when the check fails nothing is written and `ViewerRefused` is raised."""
        events: list[Event] = []

        async def attempt(tx: AsyncManagedTransaction, /, *args: P.args, **kwargs: P.kwargs) -> T:
            with collecting(events), viewer_guard.transaction():
                return await work(tx, *args, **kwargs)

        limit = self._limit()
        timed = neo4j.unit_of_work(timeout=limit.seconds)(attempt)
        started = time.perf_counter()
        try:
            async with self.driver.session(
                database=self.database,
                max_transaction_retry_time=limit.retry_time,
                bookmark_manager=self.bookmarks,
            ) as session:
                result = await session.execute_write(timed, *args, **kwargs)
        except _GONE as error:
            raise Unavailable(str(error)) from error
        except neo4j.exceptions.Neo4jError as error:
            if viewer_guard.refused(error):
                raise ViewerRefused() from error
            limit.check(error)
            raise
        finally:
            if self.timed is not None:
                self.timed("write", time.perf_counter() - started)
        if events and self.on_commit is not None:
            await self.on_commit(list(events))
        return result

    def _limit(self) -> _Limit:
        """The time a statement about to start may take; none when the request's deadline
        has passed."""
        end = deadline.get()
        left = None if end is None else end - asyncio.get_running_loop().time()
        if left is not None and left <= 0:
            raise TimedOut(0, by_deadline=True)
        return _Limit(self.timeout, left, time.monotonic())

    async def ping(self) -> None:
        await self.driver.execute_query(
            "RETURN 1", database_=self.database, routing_=RoutingControl.READ
        )


# The driver's schedule of retries for a write: the first after about a second, each
# next one twice as long after, give or take a fifth.
_FIRST_RETRY_DELAY = 1.0
_RETRY_JITTER = 0.2
# The driver's own limit on retrying a write, when no deadline is nearer.
_RETRY_TIME = 30.0
# What an attempt that fails (a refused connection, a transient error) may itself take.
_ATTEMPT_ALLOWANCE = 0.5


@dataclass(frozen=True)
class _Limit:
    """A statement's timeout, and what is left of the request's deadline (None outside a
    request); the statement may take the lesser."""

    timeout: float
    left: float | None
    started: float

    @property
    def by_deadline(self) -> bool:
        return self.left is not None and self.left < self.timeout

    @property
    def seconds(self) -> float:
        return self.timeout if self.left is None else min(self.timeout, self.left)

    @property
    def retry_time(self) -> float:
        """How long the driver may go on retrying a failed write (the database out of
        reach, a transient error) so that its last attempt fails before the deadline, and
        the answer says why. Past this time the driver makes one more attempt, after a wait
        of at most (1 + jitter) / (1 - jitter) times the time spent so far, plus a first
        delay; a time below zero means no retry at all."""
        if self.left is None:
            return _RETRY_TIME
        jitter = _RETRY_JITTER
        spare = self.left - _FIRST_RETRY_DELAY * (1 + jitter) - _ATTEMPT_ALLOWANCE
        return min(_RETRY_TIME, spare / (1 + (1 + jitter) / (1 - jitter)))

    def check(self, error: Exception) -> None:
        """Raises `TimedOut` when Neo4j stopped the statement for running past this limit."""
        if not isinstance(error, neo4j.exceptions.Neo4jError):
            return
        time_up = time.monotonic() - self.started >= self.seconds
        if error.code in _TIMED_OUT or (error.code in _TERMINATED and time_up):
            raise TimedOut(self.seconds, by_deadline=self.by_deadline) from error


async def _as_dicts(result: neo4j.AsyncResult) -> list[Row]:
    return _records(await result.fetch(2**31 - 1))


def _records(records: list[neo4j.Record]) -> list[Row]:
    # Statements return maps and lists, not nodes, so `Record.data()`'s own deep walk is
    # not needed: the values are only walked once, for temporal values, and the maps and
    # lists the driver made for this answer are changed where they stand.
    return [_native(dict(zip(record.keys(), record.values(), strict=True))) for record in records]


_PLAIN = frozenset({str, int, float, bool, type(None), datetime})
_TEMPORAL = frozenset({neo4j.time.DateTime, neo4j.time.Date, neo4j.time.Time})


def _native(value: Any) -> Any:
    """Neo4j's temporal values become Python's, all the way down; a node or relationship
    becomes the map of its properties. Exact type checks keep this walk cheap: it visits
    every value of an answer, and calls itself only for a value that is not plain."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(item) not in _PLAIN:
                value[key] = _native(item)
        return value
    if kind is list:
        for index, item in enumerate(value):
            if type(item) not in _PLAIN:
                value[index] = _native(item)
        return value
    if kind in _PLAIN:
        return value
    if kind in _TEMPORAL:
        return value.to_native()
    if isinstance(value, neo4j.graph.Node | neo4j.graph.Relationship):
        return {key: _native(item) for key, item in value.items()}
    return value


async def tx_rows(tx: AsyncManagedTransaction, text: LiteralString, params: Params) -> list[Row]:
    """Runs one statement inside a write transaction and returns its records."""
    text, values = viewer_guard.first_in_transaction(text, dict(params))
    with _statement_span(text, None):
        result = await tx.run(text, values)
        return _records(await result.fetch(2**31 - 1))
