"""The one place that talks to the Neo4j driver."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Concatenate, LiteralString, ParamSpec, TypeVar

import neo4j
import neo4j.graph
import neo4j.time
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Query, RoutingControl

T = TypeVar("T")
P = ParamSpec("P")

Row = dict[str, Any]
Params = Mapping[str, Any]


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
        # The relationship-type keys statements splice in (see `kesher.graph.catalog`).
        self.relation_keys: frozenset[str] = frozenset()

    async def rows(self, text: LiteralString, params: Params) -> list[Row]:
        """Runs one read statement and returns its records as dictionaries."""
        return await self.driver.execute_query(
            Query(text, timeout=self.timeout),
            dict(params),
            database_=self.database,
            routing_=RoutingControl.READ,
            result_transformer_=_as_dicts,
        )

    async def write(
        self,
        work: Callable[Concatenate[AsyncManagedTransaction, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Runs `work` in one write transaction, retried by the driver on transient errors."""
        timed = neo4j.unit_of_work(timeout=self.timeout)(work)
        async with self.driver.session(database=self.database) as session:
            return await session.execute_write(timed, *args, **kwargs)

    async def ping(self) -> None:
        await self.driver.execute_query(
            "RETURN 1", database_=self.database, routing_=RoutingControl.READ
        )


async def _as_dicts(result: neo4j.AsyncResult) -> list[Row]:
    return _records(await result.fetch(2**31 - 1))


def _records(records: list[neo4j.Record]) -> list[Row]:
    # Statements return maps and lists, not nodes, so `Record.data()`'s own deep walk is
    # not needed: the values are only walked once, for temporal values.
    return [
        {key: _native(value) for key, value in zip(record.keys(), record.values(), strict=True)}
        for record in records
    ]


_PLAIN = frozenset({str, int, float, bool, type(None)})
_TEMPORAL = frozenset({neo4j.time.DateTime, neo4j.time.Date, neo4j.time.Time})


def _native(value: Any) -> Any:
    """Neo4j's temporal values become Python's, all the way down; a node or relationship
    becomes the map of its properties. Exact type checks keep this walk cheap: it visits
    every value of an answer."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {key: _native(item) for key, item in value.items()}
    if kind is list:
        return [_native(item) for item in value]
    if kind in _TEMPORAL:
        return value.to_native()
    if isinstance(value, neo4j.graph.Node | neo4j.graph.Relationship):
        return {key: _native(item) for key, item in value.items()}
    return value


async def tx_rows(tx: AsyncManagedTransaction, text: LiteralString, params: Params) -> list[Row]:
    """Runs one statement inside a write transaction and returns its records."""
    result = await tx.run(text, dict(params))
    return _records(await result.fetch(2**31 - 1))
