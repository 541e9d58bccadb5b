"""Writes generated rows to Neo4j in large batches, a few transactions at a time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, LiteralString, TypeVar

from neo4j import AsyncDriver, AsyncManagedTransaction, RoutingControl
from tqdm import tqdm

from kesher.graph import bulk
from kesher.seeds.generator import Account, UserRow

T = TypeVar("T")

# About 8,000 nodes and edges per transaction. Measured on 2 cores with every index in
# place: 500 and 2,000 were both slower, and two transactions in flight beat one by a
# third (both cores stay busy) and three by nothing.
ACCOUNTS_PER_BATCH = 1000
USERS_PER_BATCH = 5000
CONCURRENT_BATCHES = 2


@dataclass(frozen=True, slots=True)
class LoadStats:
    nodes: int
    relationships: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Nodes and relationships written per second."""
        return (self.nodes + self.relationships) / self.seconds if self.seconds > 0 else 0.0


async def load(
    driver: AsyncDriver,
    database: str,
    users: Iterable[UserRow],
    accounts: Iterable[Account],
    *,
    customers: int | None = None,
    batch_size: int = ACCOUNTS_PER_BATCH,
    concurrency: int = CONCURRENT_BATCHES,
    progress: bool = True,
) -> LoadStats:
    """Creates the users, then the accounts, and counts what Neo4j reports as created.

    Users go first because accounts link to their owners. `customers` is the expected
    number of accounts, for the progress bar only. Each batch is one write transaction,
    retried by the driver on transient errors; a failed batch stops the load, leaving
    the batches already committed in place.
    """
    if batch_size < 1 or concurrency < 1:
        raise ValueError("batch_size and concurrency must be at least 1")
    started = time.perf_counter()
    totals = _Totals()
    for people in batched(users, USERS_PER_BATCH):
        totals.add(await _write(driver, database, bulk.CREATE_USERS, people))
    with tqdm(total=customers, unit="customer", disable=not progress) as bar:
        queue: asyncio.Queue[list[Account] | None] = asyncio.Queue(maxsize=concurrency)

        async def writer() -> None:
            while (batch := await queue.get()) is not None:
                totals.add(await _write(driver, database, bulk.CREATE_ACCOUNTS, batch))
                bar.update(len(batch))

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(concurrency):
                    group.create_task(writer())
                for batch in batched(accounts, batch_size):
                    await queue.put(batch)
                for _ in range(concurrency):
                    await queue.put(None)
        except ExceptionGroup as failed:
            # The writers fail for the same reason; the caller wants that reason.
            raise failed.exceptions[0] from None
    return LoadStats(totals.nodes, totals.relationships, time.perf_counter() - started)


async def holds_records(driver: AsyncDriver, database: str) -> bool:
    """Whether the database has any user or customer (a count-store lookup)."""
    answer = await driver.execute_query(
        bulk.COUNT_USERS_AND_CUSTOMERS, database_=database, routing_=RoutingControl.READ
    )
    records: int = answer.records[0]["records"]
    return records > 0


async def wipe(driver: AsyncDriver, database: str) -> None:
    """Deletes every node and relationship, in transactions of 10,000 nodes."""
    async with driver.session(database=database) as session:
        await (await session.run(bulk.WIPE)).consume()


def batched(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass(slots=True)
class _Totals:
    nodes: int = 0
    relationships: int = 0

    def add(self, created: tuple[int, int]) -> None:
        self.nodes += created[0]
        self.relationships += created[1]


async def _write(
    driver: AsyncDriver, database: str, statement: LiteralString, rows: Sequence[Any]
) -> tuple[int, int]:
    async with driver.session(database=database) as session:
        return await session.execute_write(_create, statement, rows)


async def _create(
    tx: AsyncManagedTransaction, statement: LiteralString, rows: Sequence[Any]
) -> tuple[int, int]:
    result = await tx.run(statement, rows=rows)
    counters = (await result.consume()).counters
    return counters.nodes_created, counters.relationships_created
