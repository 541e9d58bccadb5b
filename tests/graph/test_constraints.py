"""Every node the code writes with an id is found by it through a unique index."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest
from neo4j import Driver

from kesher.graph.constraints import STATEMENTS
from tests.conftest import Person, gql
from tests.graph.test_relation_map import plan_of
from tests.resolvers.relationships_support import customer
from tests.resolvers.test_calls import LOG_CALL

# A node written with its id in Cypher text: `CREATE (c:CallLog {id: $id, …})`,
# `MERGE (l:ChainLock {{id: 'chains'}})` in an f-string.
_WRITTEN_WITH_ID = re.compile(r"(?:CREATE|MERGE)\s*\(\w*:(\w+)\s*\{\{?\s*id:")
# A label given to a node that has one already (a free-text party becoming a record).
_LABEL_SET = re.compile(r"\bSET \w+:(\w+)")
_SOURCES = ("graph", "resolvers", "seeds", "kesher")


def _labels_written_with_an_id() -> set[str]:
    root = Path(__file__).resolve().parents[2]
    labels: set[str] = set()
    for folder in _SOURCES:
        for path in (root / folder).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            labels.update(_WRITTEN_WITH_ID.findall(text), _LABEL_SET.findall(text))
    return labels


def _id_constraints(driver: Driver) -> set[str]:
    rows, _, _ = driver.execute_query("SHOW CONSTRAINTS", database_="neo4j")
    return {
        label
        for row in rows
        if row["type"] == "UNIQUENESS"
        and row["entityType"] == "NODE"
        and row["properties"] == ["id"]
        for label in row["labelsOrTypes"]
    }


def test_every_label_written_with_an_id_has_a_uniqueness_constraint_on_it(
    clean_db: Driver,
) -> None:
    # given the constraints the service applies when it starts
    for statement in STATEMENTS:
        clean_db.execute_query(statement, database_="neo4j")
    written = _labels_written_with_an_id()
    assert {"Customer", "ExternalParty", "CallLog", "ImportJob", "ChainLock"} <= written

    # when
    constrained = _id_constraints(clean_db)

    # then
    assert written - constrained == set()


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Each statement the app runs in a write transaction, with its parameters."""
    sent: list[tuple[str, dict[str, Any]]] = []
    original = neo4j.AsyncManagedTransaction.run

    async def recorded(self: Any, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        sent.append((str(query), dict(parameters or {})))
        return await original(self, query, parameters, **kwargs)

    monkeypatch.setattr(neo4j.AsyncManagedTransaction, "run", recorded)
    return sent


@pytest.mark.anyio
async def test_a_logged_call_is_read_back_by_an_index_seek(
    client: httpx.AsyncClient,
    clean_db: Driver,
    member: Person,
    statements: list[tuple[str, dict[str, Any]]],
) -> None:
    # given many logged calls, so a scan of the label would show in the plan
    record = await customer(client, member, "Acme")
    clean_db.execute_query(
        "UNWIND range(1, 500) AS i CREATE (:CallLog {id: 'cal_old_' + i, summary: 'old'})",
        database_="neo4j",
    )
    statements.clear()

    # when
    variables = {
        "recordId": record,
        "callType": "OUTGOING",
        "outcome": "CONNECTED",
        "summary": "Agreed on the renewal",
    }
    answer = await gql(client, LOG_CALL, variables, member)

    # then
    assert answer["data"]["logCall"]["__typename"] == "CallLogSuccess", answer
    text, params = statements[-1]
    assert "CallLog" in text
    operators = [operator for operator, _ in plan_of(clean_db, text, params)]
    assert "NodeUniqueIndexSeek" in operators, operators
    assert "NodeByLabelScan" not in operators, operators
    assert "AllNodesScan" not in operators, operators
