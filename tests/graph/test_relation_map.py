"""The relation map and path statements: their plans on a seeded graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from neo4j import Driver

from kesher.graph.constraints import STATEMENTS
from kesher.graph.model import CUSTOMER
from kesher.graph.relation_map import MapRequest, Walk, map_statement, path_statement
from kesher.graph.relationship_parts import LinkedCustomers, LinkedToCustomers, RelationshipList
from kesher.graph.shapes import Page, Shape
from kesher.graph.statement import Statement

KEYS = frozenset({"PARTNER_OF", "ADVISOR"})


@pytest.fixture
def seeded(clean_db: Driver) -> Driver:
    """Customers in a ring of partners with an advisor each: cycles everywhere."""
    for statement in STATEMENTS:
        clean_db.execute_query(statement, database_="neo4j")
    clean_db.execute_query("CALL db.awaitIndexes(300)", database_="neo4j")
    clean_db.execute_query(
        "CREATE (:RelationshipType {id: 'rty_1', key: 'PARTNER_OF', label: 'partner', "
        "reciprocalLabel: 'partner', symmetric: true, colour: '#000000', sortOrder: 1, "
        "fromKind: 'Customer', toKind: 'Customer'}), "
        "(:RelationshipType {id: 'rty_2', key: 'ADVISOR', label: 'advised', "
        "reciprocalLabel: 'advisor', symmetric: false, colour: '#FFFFFF', sortOrder: 2, "
        "fromKind: 'Customer', toKind: 'Contact'})",
        database_="neo4j",
    )
    clean_db.execute_query(
        "UNWIND range(1, 1000) AS i "
        "CREATE (c:Customer {id: 'cus_' + i, name: 'Customer ' + i, status: 'LEAD'}) "
        "CREATE (k:Contact {id: 'con_' + i, name: 'Contact ' + i})-[:WORKS_AT]->(c) "
        "CREATE (:Project {id: 'prj_' + i, name: 'Project ' + i})-[:FOR]->(c)",
        database_="neo4j",
    )
    clean_db.execute_query(
        "UNWIND range(1, 1000) AS i "
        "MATCH (a:Customer {id: 'cus_' + i}), (b:Customer {id: 'cus_' + (i % 1000 + 1)}), "
        "(k:Contact {id: 'con_' + ((i + 7) % 1000 + 1)}) "
        "CREATE (a)-[:PARTNER_OF {id: a.id + ':p'}]->(b), (a)-[:ADVISOR {id: a.id + ':a'}]->(k)",
        database_="neo4j",
    )
    clean_db.execute_query("CALL db.prepareForReplanning(60)", database_="neo4j")
    return clean_db


def plan_of(driver: Driver, text: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each operator of the plan with its details."""
    result = driver.execute_query("EXPLAIN " + text, dict(params), database_="neo4j")
    found: list[tuple[str, str]] = []

    def walk(plan: Any) -> None:
        found.append((plan["operatorType"].split("@")[0], plan["args"].get("Details", "")))
        for child in plan.get("children", []):
            walk(child)

    walk(result.summary.plan)
    return found


def assert_seeks_and_no_scans(plan: list[tuple[str, str]]) -> None:
    operators = [operator for operator, _ in plan]
    assert "CartesianProduct" not in operators, plan
    assert "NodeByLabelScan" not in operators, plan
    assert "AllNodesScan" not in operators, plan
    assert not any("RelationshipsScan" in operator for operator in operators), plan
    assert "NodeUniqueIndexSeek" in operators, plan


def test_map_plan_seeks_its_roots_and_expands_from_them(seeded: Driver) -> None:
    # given
    request = MapRequest(("cus_1", "con_5"), depth=3, limit=200, walk=Walk(include_structural=True))

    # when
    text, params = map_statement(request, KEYS, row_cap=5000)
    plan = plan_of(seeded, text, params)

    # then
    assert_seeks_and_no_scans(plan)
    expands = [details for operator, details in plan if operator.startswith("Expand")]
    assert len(expands) == 4  # three levels and the closing pass
    assert all("PARTNER_OF" in details and "WORKS_AT" in details for details in expands)


def test_map_plan_with_filters_keeps_the_same_shape(seeded: Driver) -> None:
    walk = Walk(
        type_keys=frozenset({"PARTNER_OF"}),
        kinds=frozenset({"Customer"}),
        as_of=__import__("datetime").date(2025, 1, 1),
    )
    text, params = map_statement(MapRequest(("cus_9",), 2, 50, walk), KEYS, row_cap=1000)
    plan = plan_of(seeded, text, params)
    assert_seeks_and_no_scans(plan)
    assert not any("ADVISOR" in details for _, details in plan)


def test_path_plan_searches_from_both_ends_found_by_id(seeded: Driver) -> None:
    text, params = path_statement("cus_1", "cus_40", 6, Walk(), KEYS)
    plan = plan_of(seeded, text, params)
    assert_seeks_and_no_scans(plan)
    assert any(operator.startswith("StatefulShortestPath") for operator, _ in plan), plan


def test_card_with_relationships_seeks_the_record(seeded: Driver) -> None:
    statement = Statement(keys=KEYS, audience=None)
    shape = Shape(
        CUSTOMER,
        frozenset({"name"}),
        parts=(
            RelationshipList("relationships", Page(size=20, order=(), total=True)),
            LinkedToCustomers(),
            LinkedCustomers(20),
        ),
    )
    text = statement.card(shape, "cus_3")
    plan = plan_of(seeded, text, statement.params)
    assert_seeks_and_no_scans(plan)
