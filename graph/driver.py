"""The one place that talks to the Neo4j driver."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Concatenate, LiteralString, ParamSpec, TypeVar

import neo4j
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
    return [_native(record.data()) for record in await result.fetch(2**31 - 1)]


def _native(value: Any) -> Any:
    """Neo4j's temporal values become Python's, all the way down."""
    if isinstance(value, dict):
        return {key: _native(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_native(item) for item in value]
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Date | neo4j.time.Time):
        return value.to_native()
    return value


async def tx_rows(tx: AsyncManagedTransaction, text: LiteralString, params: Params) -> list[Row]:
    """Runs one statement inside a write transaction and returns its records."""
    result = await tx.run(text, dict(params))
    return [_native(record.data()) for record in await result.fetch(2**31 - 1)]
