"""The statements that add a link find every node they touch by an index seek."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import Person
from tests.graph.test_constraints import statements
from tests.graph.test_relation_map import plan_of
from tests.resolvers.relationships_support import PARTNER, add, catalog, customer

__all__ = ["statements"]

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("to", ["record", "free text"])
async def test_adding_a_link_scans_no_label(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    statements: list[tuple[str, dict[str, Any]]],
    to: str,
) -> None:
    # given many parties of every kind, so a scan of a label would show in a plan
    await catalog(client, admin, PARTNER)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    clean_db.execute_query(
        "UNWIND range(1, 300) AS i "
        "CREATE (:Customer {id: 'cus_many_' + i, name: 'Customer ' + i}), "
        "(:Contact {id: 'con_many_' + i, name: 'Contact ' + i}), "
        "(:Project {id: 'prj_many_' + i, name: 'Project ' + i}), "
        "(:ExternalParty {id: 'ext_many_' + i, name: 'Party ' + i})",
        database_="neo4j",
    )
    statements.clear()

    # when
    added = await add(
        client, member, a, "PARTNER_OF", {"id": b} if to == "record" else {"freeText": "Someone"}
    )

    # then
    assert added["__typename"] == "RelationshipSuccess", added
    assert len(statements) == (5 if to == "record" else 6)
    for text, params in statements:
        operators = [operator for operator, _ in plan_of(clean_db, text, params)]
        assert "NodeByLabelScan" not in operators, (text, operators)
        assert "AllNodesScan" not in operators, (text, operators)
