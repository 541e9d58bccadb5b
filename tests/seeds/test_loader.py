"""Loading generated data into Neo4j: the batched loader, the demo set and the commands."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import AsyncDriver

from kesher.graph.constraints import apply_constraints
from kesher.passwords import verify_password
from kesher.seeds.cli import DatabaseNotEmpty, run_bench_load, run_seed
from kesher.seeds.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
from kesher.seeds.generator import Dataset
from kesher.seeds.loader import load

pytestmark = pytest.mark.anyio

COUNT_LABELS = """
MATCH (n) UNWIND labels(n) AS label
RETURN label, count(*) AS n
"""
COUNT_TYPES = """
MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n
"""


async def counts(driver: AsyncDriver, database: str) -> dict[str, int]:
    labels = await driver.execute_query(COUNT_LABELS, database_=database)
    types = await driver.execute_query(COUNT_TYPES, database_=database)
    return {row["label"]: row["n"] for row in labels.records} | {
        row["type"]: row["n"] for row in types.records
    }


def expected_counts(dataset: Dataset) -> dict[str, int]:
    found: dict[str, int] = {"User": len(list(dataset.users(""))), "Customer": 0}
    found |= {"Contact": 0, "Project": 0, "OWNED_BY": 0, "WORKS_AT": 0, "FOR": 0}
    for account in dataset.accounts():
        found["Customer"] += 1
        found["OWNED_BY"] += account["customer"]["ownerId"] is not None
        found["Contact"] += len(account["contacts"])
        found["WORKS_AT"] += len(account["contacts"])
        found["Project"] += len(account["projects"])
        found["FOR"] += len(account["projects"])
    return found


async def test_load_writes_what_the_generator_made(driver: AsyncDriver, database: str) -> None:
    # given
    await apply_constraints(driver, database)
    dataset = Dataset(300, seed=11)
    expected = expected_counts(dataset)

    # when
    stats = await load(
        driver,
        database,
        dataset.users("hash"),
        dataset.accounts(),
        batch_size=64,
        concurrency=2,
        progress=False,
    )

    # then
    assert await counts(driver, database) == expected
    assert stats.nodes == sum(
        expected[label] for label in ("User", "Customer", "Contact", "Project")
    )
    assert stats.relationships == expected["OWNED_BY"] + expected["WORKS_AT"] + expected["FOR"]
    assert stats.per_second > 0


async def test_loaded_records_keep_their_fields_and_times(
    driver: AsyncDriver, database: str
) -> None:
    # given
    dataset = Dataset(40, seed=4)
    first = next(dataset.accounts())["customer"]

    # when
    await load(driver, database, dataset.users("hash"), dataset.accounts(), progress=False)

    # then
    answer = await driver.execute_query(
        "MATCH (c:Customer {id: $id}) "
        "RETURN c {.*} AS customer, valueType(c.createdAt) AS kind, "
        "c.createdAt.epochSeconds AS created, c.createdAt.timezone AS zone",
        id=first["id"],
        database_=database,
    )
    row: dict[str, Any] = answer.records[0].data()
    assert row["kind"] == "ZONED DATETIME NOT NULL"
    assert row["created"] == first["createdAt"]
    assert row["zone"] == "Z"
    for field in ("name", "status", "email", "phone", "website", "city"):
        assert row["customer"][field] == first[field]
    assert ("archivedAt" in row["customer"]) == (first["archivedAt"] is not None)


async def test_seed_demo_fills_an_empty_database_once(driver: AsyncDriver, database: str) -> None:
    # given
    await apply_constraints(driver, database)

    # when
    first = await seed_demo(driver, database, customers=30)
    after_first = await counts(driver, database)
    second = await seed_demo(driver, database, customers=30)

    # then
    assert first is True
    assert second is False
    assert after_first["Customer"] == 30
    assert after_first["User"] == 5
    assert await counts(driver, database) == after_first


async def test_the_demo_admin_signs_in_with_the_demo_password(
    driver: AsyncDriver, database: str
) -> None:
    # given
    await seed_demo(driver, database, customers=5)

    # when
    answer = await driver.execute_query(
        "MATCH (u:User) RETURN u.email AS email, u.role AS role, u.active AS active, "
        "u.passwordHash AS hash ORDER BY u.email",
        database_=database,
    )

    # then
    users = {row["email"]: row for row in answer.records}
    admin = users[DEMO_EMAIL]
    assert admin["role"] == "ADMIN"
    assert admin["active"] is True
    assert verify_password(admin["hash"], DEMO_PASSWORD)
    assert not verify_password(admin["hash"], "wrong")
    assert {row["role"] for row in users.values()} == {"ADMIN", "MANAGER", "MEMBER"}
    assert all(verify_password(row["hash"], DEMO_PASSWORD) for row in users.values())


async def test_seed_demo_leaves_a_database_with_customers_alone(
    driver: AsyncDriver, database: str
) -> None:
    # given
    await driver.execute_query("CREATE (:Customer {id: 'cus_existing'})", database_=database)

    # when
    seeded = await seed_demo(driver, database, customers=5)

    # then
    assert seeded is False
    assert await counts(driver, database) == {"Customer": 1}


async def test_two_processes_seeding_at_once_load_the_demo_once(
    driver: AsyncDriver, database: str
) -> None:
    # given
    await apply_constraints(driver, database)

    # when
    results = await asyncio.gather(
        seed_demo(driver, database, customers=20), seed_demo(driver, database, customers=20)
    )

    # then
    assert sorted(results) == [False, True]
    found = await counts(driver, database)
    assert found["User"] == 5
    assert found["Customer"] == 20


async def test_bench_load_starts_from_an_empty_database(
    driver: AsyncDriver, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    await driver.execute_query("CREATE (:Leftover)-[:OLD]->(:Leftover)", database_=database)

    # when
    stats = await run_bench_load(driver, database, customers=25)

    # then
    assert await counts(driver, database) == expected_counts(Dataset(25, seed=0))
    printed = capsys.readouterr().out
    assert f"{stats.nodes:,}" in printed
    assert "per second" in printed


async def test_seeding_refuses_a_database_that_holds_users(
    driver: AsyncDriver, database: str
) -> None:
    # given
    await run_seed(driver, database, customers=10, seed=1, progress=False)

    # when / then
    with pytest.raises(DatabaseNotEmpty):
        await run_seed(driver, database, customers=10, seed=2, progress=False)
    assert (await counts(driver, database))["Customer"] == 10
