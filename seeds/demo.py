"""The demo data a fresh installation starts with."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from neo4j import AsyncDriver, AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from kesher.graph import bulk
from kesher.passwords import hash_password
from kesher.seeds.generator import Dataset, UserRow
from kesher.seeds.loader import holds_records, load

DEMO_EMAIL = "admin@example.com"
DEMO_PASSWORD = "kesher-demo"
DEMO_HANDLE = "admin"
DEMO_NAME = "Demo Admin"
DEMO_SEED = 2024


async def seed_demo(driver: AsyncDriver, database: str, customers: int = 200) -> bool:
    """Loads the demo set into a database with no users and no customers.

    Returns False, having written nothing, when the database holds either. The check is
    repeated in the transaction that creates the users, so when two processes start on
    one empty database the uniqueness constraints (`apply_constraints`) let only one win.
    Every demo user signs in with DEMO_PASSWORD; the first is the admin, DEMO_EMAIL.
    """
    if await holds_records(driver, database):
        return False
    dataset = Dataset(customers, seed=DEMO_SEED, until=datetime.now(UTC))
    users = await asyncio.gather(
        *(_demo_user(row, index) for index, row in enumerate(dataset.users("")))
    )
    try:
        async with driver.session(database=database) as session:
            claimed = await session.execute_write(_claim, users)
    except ConstraintError:
        return False
    if claimed:
        await load(
            driver,
            database,
            (),
            dataset.accounts(),
            relationship_types=dataset.relationship_types(),
            activity_catalogs=dataset.activity_catalogs,
            calendar_access=dataset.calendar_access(),
            progress=False,
        )
    return claimed


async def _demo_user(row: UserRow, index: int) -> UserRow:
    if index == 0:
        row = {
            **row,
            "role": "ADMIN",
            "email": DEMO_EMAIL,
            "handle": DEMO_HANDLE,
            "name": DEMO_NAME,
        }
    # Argon2 releases the GIL; hashing off the event loop keeps a starting server responsive.
    return {
        **row,
        "active": True,
        "passwordHash": await asyncio.to_thread(hash_password, DEMO_PASSWORD),
    }


async def _claim(tx: AsyncManagedTransaction, users: list[UserRow]) -> bool:
    found = await (await tx.run(bulk.COUNT_USERS_AND_CUSTOMERS)).single(strict=True)
    if found["records"] > 0:
        return False
    await (await tx.run(bulk.CREATE_USERS, rows=users)).consume()
    return True
