"""Writes generated rows to Neo4j in large batches, a few transactions at a time."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, LiteralString, TypeVar

from neo4j import AsyncDriver, AsyncManagedTransaction, RoutingControl
from tqdm import tqdm

from kesher.graph import bulk
from kesher.seeds.activities import AccessRow, ActivityRow, Catalogs
from kesher.seeds.chains import chain_rows
from kesher.seeds.generator import Account, UserRow
from kesher.seeds.relations import LinkRow, RelationshipTypeRow

T = TypeVar("T")

# About 8,000 nodes and edges per transaction. Measured on 2 cores with every index in
# place: 500 and 2,000 were both slower, and two transactions in flight beat one by a
# third (both cores stay busy) and three by nothing.
ACCOUNTS_PER_BATCH = 1000
USERS_PER_BATCH = 5000
CONCURRENT_BATCHES = 2
LINKS_PER_BATCH = 5000
# An activity comes with five or six edges, and most with two more in a chain. A batch
# takes whole customers' histories, so that a chain's members commit together.
ACTIVITIES_PER_BATCH = 1000

# The statements of one transaction, each with its rows.
Writes = list[tuple[LiteralString, list[Any]]]


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
    relationship_types: Sequence[RelationshipTypeRow] = (),
    activity_catalogs: Catalogs | None = None,
    calendar_access: tuple[Sequence[AccessRow], Sequence[AccessRow]] = ((), ()),
    customers: int | None = None,
    batch_size: int = ACCOUNTS_PER_BATCH,
    concurrency: int = CONCURRENT_BATCHES,
    progress: bool = True,
) -> LoadStats:
    """Creates the users with who manages or shares whose calendar, the catalogs, then
    the accounts with their links and activities, and counts what Neo4j reports as
    created.

    Users and catalogs go first because accounts and activities link to them. A link or
    an activity joins records of its own batch and of earlier ones, and batches commit
    out of order, so a batch's links and activities wait until every batch up to it has
    committed. A chain joins activities of one customer only, so it is created in the
    transaction that creates its members: activity batches are cut between customers.
    Last, each kind's `(:RefSequence {kind, last})` is raised to the highest reference
    number loaded, for the API to go on from. Links of a key missing from
    `relationship_types` are refused, and so are activities without `activity_catalogs`.
    `customers` is the expected number of accounts, for the progress bar only. Each batch
    is one write transaction, retried by the driver on transient errors; a failed batch
    stops the load, leaving the batches already committed in place.
    """
    if batch_size < 1 or concurrency < 1:
        raise ValueError("batch_size and concurrency must be at least 1")
    started = time.perf_counter()
    totals = _Totals()
    for people in batched(users, USERS_PER_BATCH):
        totals.add(await _write(driver, database, [(bulk.CREATE_USERS, people)]))
    manages, shares = calendar_access
    catalogs: Writes = [
        (bulk.CREATE_MANAGES, list(manages)),
        (bulk.CREATE_SHARES, list(shares)),
        (bulk.CREATE_RELATIONSHIP_TYPES, list(relationship_types)),
    ]
    if activity_catalogs is not None:
        catalogs.append((bulk.CREATE_ACTIVITY_TYPES, list(activity_catalogs.types)))
        catalogs.append((bulk.CREATE_ACTIVITY_STATUSES, list(activity_catalogs.statuses)))
    totals.add(await _write(driver, database, [(text, rows) for text, rows in catalogs if rows]))
    statements = LinkStatements(relationship_types)
    with tqdm(total=customers, unit="customer", disable=not progress) as bar:
        queue: asyncio.Queue[_Batch | None] = asyncio.Queue(maxsize=concurrency)
        committed = _Committed()

        # Link batches go alongside each other and the account batches, so both cores
        # stay busy. Two of them may lock the same record; a deadlock would be a transient
        # error the driver retries, and none was seen loading 50,000 customers.
        async def writer() -> None:
            while (batch := await queue.get()) is not None:
                totals.add(await _write(driver, database, batch.writes))
                if batch.index is not None:
                    await committed.add(batch.index)
                    bar.update(batch.customers)

        waiting: deque[tuple[int, list[LinkRow], list[list[ActivityRow]]]] = deque()
        ready: list[LinkRow] = []
        histories = _Histories()

        async def release(everything: bool = False) -> None:
            while waiting and committed.through(waiting[0][0]):
                _, links, activities = waiting.popleft()
                ready.extend(links)
                histories.extend(activities)
            while len(ready) >= LINKS_PER_BATCH or (everything and ready):
                links = ready[:LINKS_PER_BATCH]
                del ready[:LINKS_PER_BATCH]
                await queue.put(_Batch(statements.writes(links)))
            while histories.rows >= ACTIVITIES_PER_BATCH or (everything and histories.rows):
                await queue.put(_Batch(_activity_writes(histories.take(ACTIVITIES_PER_BATCH))))

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(concurrency):
                    group.create_task(writer())
                index = -1
                for index, batch in enumerate(batched(accounts, batch_size)):
                    if activity_catalogs is None and any(row["activities"] for row in batch):
                        raise ValueError("activities to load, but no activity catalogs")
                    records = [_records(account) for account in batch]
                    writes: Writes = [(bulk.CREATE_ACCOUNTS, records)]
                    await queue.put(_Batch(writes, index, len(batch)))
                    waiting.append(
                        (
                            index,
                            [link for row in batch for link in row["links"]],
                            [row["activities"] for row in batch if row["activities"]],
                        )
                    )
                    await release()
                await committed.wait_through(index)
                await release(everything=True)
                for _ in range(concurrency):
                    await queue.put(None)
        except ExceptionGroup as failed:
            # The writers fail for the same reason; the caller wants that reason.
            raise failed.exceptions[0] from None
    if histories.last_refs:
        sequences = [{"kind": kind, "last": last} for kind, last in histories.last_refs.items()]
        totals.add(await _write(driver, database, [(bulk.RAISE_REF_SEQUENCES, sequences)]))
    return LoadStats(totals.nodes, totals.relationships, time.perf_counter() - started)


class LinkStatements:
    """The create statement for each kind of link: its catalog key, and whether a
    free-text party stands at its start or its end."""

    def __init__(self, relationship_types: Iterable[RelationshipTypeRow]) -> None:
        self._statements: dict[tuple[str, str | None], LiteralString] = {}
        for row in relationship_types:
            key, source, target = row["key"], row["fromKind"], row["toKind"]
            self._statements[key, None] = bulk.create_links(key, source, target)
            self._statements[key, "from"] = bulk.create_links(key, "ExternalParty", target)
            self._statements[key, "to"] = bulk.create_links(key, source, "ExternalParty")

    def writes(self, links: Iterable[LinkRow]) -> Writes:
        """The links grouped by statement, for one transaction."""
        groups: dict[LiteralString, list[Any]] = {}
        for link in links:
            party = link["party"]
            end = None if party is None else "from" if party["id"] == link["fromId"] else "to"
            statement = self._statements.get((link["type"], end))
            if statement is None:
                raise ValueError(f"a link of type {link['type']!r}, which is not in the catalog")
            groups.setdefault(statement, []).append(link)
        return list(groups.items())


async def holds_records(driver: AsyncDriver, database: str) -> bool:
    """Whether the database has any user or customer (a count-store lookup)."""
    answer = await driver.execute_query(
        bulk.COUNT_USERS_AND_CUSTOMERS, database_=database, routing_=RoutingControl.READ
    )
    records: int = answer.records[0]["records"]
    return records > 0


async def wipe(driver: AsyncDriver, database: str) -> None:
    """Deletes every relationship, then every node, in transactions of 10,000."""
    async with driver.session(database=database) as session:
        for statement in bulk.WIPE:
            await (await session.run(statement)).consume()


def batched(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _records(account: Account) -> dict[str, Any]:
    """The account without its links and activities: what the account statement reads."""
    return {
        "customer": account["customer"],
        "contacts": account["contacts"],
        "projects": account["projects"],
    }


def _activity_writes(activities: list[ActivityRow]) -> Writes:
    """The activities, then the chains they make up, in one transaction."""
    writes: Writes = [(bulk.CREATE_ACTIVITIES, activities)]
    chains = chain_rows(activities)
    if chains:
        writes.append((bulk.CREATE_CHAINS, chains))
    return writes


@dataclass(slots=True)
class _Histories:
    """Customers' activities whose accounts have committed, waiting for a batch, and the
    highest reference number of each kind handed out so far."""

    rows: int = 0
    last_refs: dict[str, int] = field(default_factory=dict)
    _waiting: deque[list[ActivityRow]] = field(default_factory=deque)

    def extend(self, histories: Iterable[list[ActivityRow]]) -> None:
        for history in histories:
            self._waiting.append(history)
            self.rows += len(history)

    def take(self, least: int) -> list[ActivityRow]:
        """Whole histories, at least `least` activities when there are that many."""
        taken: list[ActivityRow] = []
        while self._waiting and len(taken) < least:
            taken += self._waiting.popleft()
        self.rows -= len(taken)
        for row in taken:
            if row["ref"] is not None:
                number = int(row["ref"].rpartition("-")[2])
                if number > self.last_refs.get(row["kind"], 0):
                    self.last_refs[row["kind"]] = number
        return taken


@dataclass(frozen=True, slots=True)
class _Batch:
    """One write transaction; `index` is the position of an account batch, None for links."""

    writes: Writes
    index: int | None = None
    customers: int = 0


@dataclass(slots=True)
class _Committed:
    """Which account batches are in the database, as the count of those in order."""

    count: int = 0
    _later: set[int] = field(default_factory=set)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def add(self, index: int) -> None:
        async with self._changed:
            self._later.add(index)
            while self.count in self._later:
                self._later.remove(self.count)
                self.count += 1
            self._changed.notify_all()

    def through(self, index: int) -> bool:
        """Whether batch `index` and every one before it have committed."""
        return index < self.count

    async def wait_through(self, index: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.through(index))


@dataclass(slots=True)
class _Totals:
    nodes: int = 0
    relationships: int = 0

    def add(self, created: tuple[int, int]) -> None:
        self.nodes += created[0]
        self.relationships += created[1]


async def _write(driver: AsyncDriver, database: str, writes: Writes) -> tuple[int, int]:
    async with driver.session(database=database) as session:
        return await session.execute_write(_create, writes)


async def _create(tx: AsyncManagedTransaction, writes: Writes) -> tuple[int, int]:
    nodes = relationships = 0
    for statement, rows in writes:
        result = await tx.run(statement, rows=rows)
        counters = (await result.consume()).counters
        nodes += counters.nodes_created
        relationships += counters.relationships_created
    return nodes, relationships
