"""The demo set and the seeding commands: what they load into an empty database, and what
they refuse to touch."""

from __future__ import annotations

import asyncio

import pytest
from neo4j import AsyncDriver

from kesher.graph.constraints import apply_constraints
from kesher.passwords import verify_password
from kesher.seeds.cli import DatabaseNotEmpty, run_bench_load, run_seed
from kesher.seeds.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
from kesher.seeds.generator import Dataset
from kesher.seeds.relations import LINK_PLANS
from tests.seeds.test_loader import counts, expected_counts

pytestmark = pytest.mark.anyio


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
    assert after_first["RelationshipType"] == len(LINK_PLANS)
    assert after_first["PARTNER_OF"] > 0
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
    stats = await run_bench_load(driver, database, customers=25, warm_up=200)

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
