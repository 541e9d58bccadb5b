"""Generated chains and reference numbers: the rules they keep, and what a load leaves."""

from __future__ import annotations

import re
import statistics
from collections import Counter

import pytest
from neo4j import AsyncDriver

from kesher.graph.chains import REF_PREFIXES
from kesher.graph.constraints import apply_constraints
from kesher.seeds.activities import ActivityRow
from kesher.seeds.chains import MAX_LENGTH, MIN_LENGTH, ChainRow, chain_rows
from kesher.seeds.generator import Dataset
from tests.seeds.test_loader import load_dataset

pytestmark = pytest.mark.anyio

REF = re.compile(r"^(EV|TS|OF|PR)-[0-9]{6,}$")
CHAIN_ID = re.compile(r"^chn_[0-9a-f]{24}$")

LOADED_CHAINS = """
MATCH (c:Chain)
RETURN c.id AS id, c.createdAt.epochSeconds AS created,
  COLLECT { MATCH (a:Activity)-[:IN_CHAIN]->(c) RETURN a.id } AS members,
  COLLECT {
    MATCH (later:Activity)-[:IN_CHAIN]->(c), (later)-[:FOLLOWS]->(earlier:Activity)
    RETURN [later.id, earlier.id]
  } AS follows
"""
LOADED_REFS = """
MATCH (a:Activity) RETURN a.id AS id, a.ref AS ref, 'ref' IN keys(a) AS stored
"""
SEQUENCES = "MATCH (s:RefSequence) RETURN s.kind AS kind, s.last AS last"


def histories(dataset: Dataset) -> list[tuple[str, list[ActivityRow]]]:
    """Each customer's id with its activities."""
    return [(account["customer"]["id"], account["activities"]) for account in dataset.accounts()]


def highest_refs(dataset: Dataset) -> dict[str, int]:
    highest: dict[str, int] = {}
    for _, rows in histories(dataset):
        for row in rows:
            if row["ref"] is not None:
                highest[row["kind"]] = int(row["ref"].partition("-")[2])
    return highest


def test_reference_numbers_count_from_one_per_kind_in_the_order_generated() -> None:
    # given
    dataset = Dataset(1_500, seed=21)

    # when
    rows = [row for _, history in histories(dataset) for row in history]

    # then
    numbers: Counter[str] = Counter()
    for row in rows:
        prefix = REF_PREFIXES.get(row["kind"])
        if prefix is None:
            assert row["kind"] in ("CALL", "EMAIL")
            assert row["ref"] is None
            continue
        numbers[row["kind"]] += 1
        assert row["ref"] == f"{prefix}-{numbers[row['kind']]:06d}"
        assert REF.match(row["ref"])
    refs = [row["ref"] for row in rows if row["ref"] is not None]
    assert len(refs) == len(set(refs))
    assert set(numbers) == {"EVENT", "TASK", "OFFER", "PRODUCT_RECORD"}
    assert min(numbers.values()) > 500


def test_chains_are_paths_in_time_through_one_customers_history() -> None:
    # given
    dataset = Dataset(2_000, seed=22)
    seen: set[str] = set()
    chains: list[ChainRow] = []
    chained = total = 0

    # when
    found = histories(dataset)

    # then
    for customer, history in found:
        assert [(row["startAt"], row["id"]) for row in history] == sorted(
            (row["startAt"], row["id"]) for row in history
        )
        by_id = {row["id"]: row for row in history}
        for chain in chain_rows(history):
            assert CHAIN_ID.match(chain["id"])
            assert chain["id"] not in seen
            seen.add(chain["id"])
            members = [by_id[id_] for id_ in chain["activityIds"]]
            assert MIN_LENGTH <= len(members) <= MAX_LENGTH
            assert {row["customerId"] for row in members} == {customer}
            assert {row["chainId"] for row in members} == {chain["id"]}
            assert [row["followsId"] for row in members] == [None, *chain["activityIds"][:-1]]
            starts = [row["startAt"] for row in members]
            assert starts == sorted(starts)
            assert chain["createdAt"] == members[0]["createdAt"]
            chains.append(chain)
        chained += sum(row["chainId"] is not None for row in history)
        total += len(history)
    assert chained == sum(len(chain["activityIds"]) for chain in chains)
    assert 0.5 < chained / total < 0.65


def test_most_chains_are_short_and_busy_customers_have_long_ones() -> None:
    # given
    dataset = Dataset(3_000, seed=23)

    # when
    lengths = [
        len(chain["activityIds"])
        for _, history in histories(dataset)
        for chain in chain_rows(history)
    ]

    # then
    assert statistics.median(lengths) <= 3
    assert sum(length >= 20 for length in lengths) >= 3
    assert max(lengths) <= MAX_LENGTH


def test_the_same_seed_gives_the_same_chains_and_refs() -> None:
    # given
    first, second = Dataset(200, seed=24), Dataset(200, seed=24)

    # then
    assert histories(first) == histories(second)


def test_chain_rows_refuse_a_chain_missing_a_member() -> None:
    # given
    history, chain = next(
        (rows, chain)
        for _, rows in histories(Dataset(100, seed=25))
        for chain in chain_rows(rows)
        if len(chain["activityIds"]) >= 3
    )
    second = chain["activityIds"][1]

    # when / then
    with pytest.raises(ValueError, match="not one path"):
        chain_rows(row for row in history if row["id"] != second)


async def test_loaded_chains_refs_and_sequences_match_the_generated_rows(
    driver: AsyncDriver, database: str
) -> None:
    # given
    dataset = Dataset(300, seed=26)
    rows = [row for _, history in histories(dataset) for row in history]
    chains = [chain for _, history in histories(dataset) for chain in chain_rows(history)]
    await apply_constraints(driver, database)

    # when
    await load_dataset(driver, database, dataset)

    # then
    loaded = (await driver.execute_query(LOADED_CHAINS, database_=database)).records
    assert len(loaded) == len(chains)
    by_id = {record["id"]: record for record in loaded}
    for chain in chains:
        record = by_id[chain["id"]]
        ids = chain["activityIds"]
        assert record["created"] == chain["createdAt"]
        assert sorted(record["members"]) == sorted(ids)
        assert sorted(map(tuple, record["follows"])) == sorted(zip(ids[1:], ids[:-1], strict=True))
    refs = (await driver.execute_query(LOADED_REFS, database_=database)).records
    assert {record["id"]: record["ref"] for record in refs} == {
        row["id"]: row["ref"] for row in rows
    }
    assert all(record["stored"] == (record["ref"] is not None) for record in refs)
    sequences = (await driver.execute_query(SEQUENCES, database_=database)).records
    assert {record["kind"]: record["last"] for record in sequences} == highest_refs(dataset)


async def test_a_load_raises_the_reference_sequences_and_never_lowers_them(
    driver: AsyncDriver, database: str
) -> None:
    # given
    dataset = Dataset(100, seed=27)
    highest = highest_refs(dataset)
    await apply_constraints(driver, database)
    await driver.execute_query(
        "UNWIND [['OFFER', 1000000], ['EVENT', 1]] AS row "
        "MERGE (s:RefSequence {kind: row[0]}) SET s.last = row[1]",
        database_=database,
    )

    # when
    await load_dataset(driver, database, dataset)

    # then
    sequences = (await driver.execute_query(SEQUENCES, database_=database)).records
    assert {record["kind"]: record["last"] for record in sequences} == highest | {
        "OFFER": 1_000_000
    }
    assert highest["EVENT"] > 1
