"""The `kesher seed` and `kesher bench-load` commands; the only module here that prints."""

from __future__ import annotations

import secrets
import time

from neo4j import AsyncDriver

from kesher.graph.constraints import apply_constraints
from kesher.passwords import hash_password
from kesher.seeds.activities import ACTIVITIES_PER_CUSTOMER
from kesher.seeds.generator import Dataset
from kesher.seeds.loader import LoadStats, holds_records, load, wipe

BENCH_SEED = 0


class DatabaseNotEmpty(Exception):
    """Seeding adds fresh records only; it refuses a database that already has some."""


async def run_seed(
    driver: AsyncDriver,
    database: str,
    customers: int,
    seed: int,
    progress: bool,
    activities_per_customer: float = ACTIVITIES_PER_CUSTOMER,
    history: int = 1,
) -> LoadStats:
    """Loads `customers` generated customers, their contacts, projects, owners, links and
    activities (`activities_per_customer` on average, over `history` times the usual
    length of history).

    The users get a random password nobody knows (an admin can reset it): seeded data may
    end up somewhere shared, and a known password should come from `seed_demo` only.
    """
    await apply_constraints(driver, database)
    if await holds_records(driver, database):
        raise DatabaseNotEmpty(f"database {database!r} already holds users or customers")
    dataset = Dataset(
        customers, seed=seed, activities_per_customer=activities_per_customer, history=history
    )
    stats = await _load(driver, database, dataset, progress)
    _print_figures(stats)
    return stats


async def run_bench_load(
    driver: AsyncDriver,
    database: str,
    customers: int,
    warm_up: int = 20_000,
    activities_per_customer: float = ACTIVITIES_PER_CUSTOMER,
) -> LoadStats:
    """Empties the database, loads `customers` generated customers and prints the speed.

    A freshly started Neo4j runs its first writes interpreted, several times slower than
    once the JIT has compiled them; a warm-up load (printed too, then wiped) keeps that
    start-up cost out of the measured figure.
    """
    if warm_up:
        await wipe(driver, database)
        await apply_constraints(driver, database)
        warm_set = Dataset(
            warm_up, seed=BENCH_SEED + 1, activities_per_customer=activities_per_customer
        )
        warm = await _load(driver, database, warm_set, False)
        print(f"warm-up        {warm.per_second:>12,.0f} nodes+relationships per second")
    started = time.perf_counter()
    await wipe(driver, database)
    await apply_constraints(driver, database)
    print(f"emptied {database!r} and applied constraints in {time.perf_counter() - started:.1f} s")
    dataset = Dataset(customers, seed=BENCH_SEED, activities_per_customer=activities_per_customer)
    stats = await _load(driver, database, dataset, progress=True)
    _print_figures(stats)
    return stats


async def _load(driver: AsyncDriver, database: str, dataset: Dataset, progress: bool) -> LoadStats:
    password_hash = hash_password(secrets.token_urlsafe(32))
    return await load(
        driver,
        database,
        dataset.users(password_hash),
        dataset.accounts(),
        relationship_types=dataset.relationship_types(),
        activity_catalogs=dataset.activity_catalogs,
        calendar_access=dataset.calendar_access(),
        customers=dataset.customers,
        progress=progress,
    )


def _print_figures(stats: LoadStats) -> None:
    print(f"nodes          {stats.nodes:>12,}")
    print(f"relationships  {stats.relationships:>12,}")
    print(f"seconds        {stats.seconds:>12.1f}")
    print(f"per second     {stats.per_second:>12,.0f} nodes+relationships")
