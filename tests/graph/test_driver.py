"""The driver wrapper: statement timeouts and all-or-nothing writes."""

from __future__ import annotations

import pytest
from neo4j import AsyncDriver, AsyncManagedTransaction
from neo4j.exceptions import ClientError

from kesher.graph.driver import Graph, tx_rows

pytestmark = pytest.mark.anyio

SLOW = "UNWIND range(1, 200000000) AS i WITH i WHERE i % 7 = 99 RETURN count(i) AS n"


async def test_a_statement_over_its_time_is_stopped(driver: AsyncDriver, database: str) -> None:
    graph = Graph(driver, database, timeout=0.5)
    with pytest.raises(ClientError) as raised:
        await graph.rows(SLOW, {})
    assert "TransactionTimedOut" in str(raised.value.code)


async def test_a_failed_write_leaves_nothing_behind(driver: AsyncDriver, database: str) -> None:
    graph = Graph(driver, database, timeout=5)

    async def half_done(tx: AsyncManagedTransaction) -> None:
        await tx_rows(tx, "CREATE (:Customer {id: 'cus_half', name: 'Half'})", {})
        raise LookupError("refused after the first statement")

    with pytest.raises(LookupError):
        await graph.write(half_done)
    rows = await graph.rows("MATCH (c:Customer {id: 'cus_half'}) RETURN c", {})
    assert rows == []
