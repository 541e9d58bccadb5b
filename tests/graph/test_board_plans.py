"""The board statements: their plans on a seeded graph."""

from __future__ import annotations

from neo4j import Driver

from kesher.graph.activity_list import ActivityFilter
from kesher.graph.audit import WRITE
from kesher.graph.board import (
    ACTIVITY_STATUS,
    ACTIVITY_TYPE,
    CUSTOMER_STATUS,
    FIND,
    board_statement,
)
from kesher.graph.constraints import STATEMENTS
from kesher.graph.model import ACTIVITY, CUSTOMER, USER
from kesher.graph.records import RecordFilter
from kesher.graph.shapes import Link, Shape
from tests.graph.test_relation_map import plan_of


def seed(driver: Driver) -> None:
    """2,000 customers over four statuses and 20 owners; 2,000 activities over two statuses
    and two types."""
    for statement in STATEMENTS:
        driver.execute_query(statement, database_="neo4j")
    driver.execute_query("CALL db.awaitIndexes(300)", database_="neo4j")
    driver.execute_query(
        "UNWIND range(1, 20) AS i CREATE (:User {id: 'usr_' + i, name: 'U' + i, active: true})",
        database_="neo4j",
    )
    driver.execute_query(
        "UNWIND range(1, 2000) AS i MATCH (u:User {id: 'usr_' + (i % 20 + 1)}) "
        "CREATE (:Customer {id: 'cus_' + i, name: 'C' + i, updatedAt: datetime(), "
        "status: ['LEAD', 'PROSPECT', 'ACTIVE', 'FORMER'][i % 4]})-[:OWNED_BY]->(u)",
        database_="neo4j",
    )
    driver.execute_query(
        "UNWIND range(1, 2) AS i "
        "CREATE (:ActivityStatus {id: 'ast_' + i, name: 'S' + i, sortOrder: i}), "
        "(:ActivityType {id: 'aty_' + i, name: 'T' + i, sortOrder: i})",
        database_="neo4j",
    )
    driver.execute_query(
        "UNWIND range(1, 2000) AS i "
        "MATCH (u:User {id: 'usr_' + (i % 20 + 1)}), "
        "(s:ActivityStatus {id: 'ast_' + (i % 2 + 1)}), "
        "(t:ActivityType {id: 'aty_' + (i % 2 + 1)}) "
        "CREATE (a:Activity {id: 'act_' + i, subject: 'A' + i, updatedAt: datetime(), "
        "startAt: datetime()}), (a)-[:OWNED_BY]->(u), (a)-[:HAS_STATUS]->(s), "
        "(a)-[:HAS_TYPE]->(t)",
        database_="neo4j",
    )
    driver.execute_query("CALL db.prepareForReplanning(60)", database_="neo4j")


OWNER = Link("owner", CUSTOMER.relations["owner"], Shape(USER, frozenset({"name"})))


def test_a_customer_board_seeks_each_status_in_its_index(clean_db: Driver) -> None:
    seed(clean_db)
    shape = Shape(CUSTOMER, frozenset({"name"}), (OWNER,))
    for where in (RecordFilter(), RecordFilter(owner_ids=("usr_3",))):
        text, params = board_statement(None, CUSTOMER_STATUS, shape, where, 10)(frozenset())
        plan = plan_of(clean_db, text, params)
        operators = [operator for operator, _ in plan]
        assert "NodeIndexSeek" in operators, plan
        for scan in ("CartesianProduct", "NodeByLabelScan", "AllNodesScan"):
            assert scan not in operators, plan
        rows, _, _ = clean_db.execute_query(text, dict(params), database_="neo4j")
        columns = rows[0]["columns"]
        # usr_3 owns the customers i with i % 20 == 2, all of them ACTIVE (i % 4 == 2).
        expected = [100 if column["value"] == "ACTIVE" else 0 for column in columns]
        assert [column["count"] for column in columns] == (
            expected if where.owner_ids else [500] * 4
        )
        assert all(len(column["cards"]) == min(10, column["count"]) for column in columns)


def test_an_activity_board_walks_from_its_catalog_entries(clean_db: Driver) -> None:
    seed(clean_db)
    shape = Shape(ACTIVITY, frozenset({"subject"}))
    for columns in (ACTIVITY_STATUS, ACTIVITY_TYPE):
        text, params = board_statement(None, columns, shape, ActivityFilter(), 5)(frozenset())
        plan = plan_of(clean_db, text, params)
        operators = [operator for operator, _ in plan]
        assert "CartesianProduct" not in operators, plan
        assert "AllNodesScan" not in operators, plan
        # Only the few catalog entries are read by label; activities are reached by edge.
        label = columns.catalog.label if columns.catalog else ""
        scans = [details for operator, details in plan if operator == "NodeByLabelScan"]
        assert scans, plan
        assert all(label in details for details in scans), plan
        rows, _, _ = clean_db.execute_query(text, dict(params), database_="neo4j")
        assert [column["count"] for column in rows[0]["columns"]] == [1000, 1000]


def test_finding_a_record_and_writing_its_audit_line_seek_by_id(clean_db: Driver) -> None:
    seed(clean_db)
    find = plan_of(clean_db, FIND, {"id": "cus_1"})
    operators = [operator for operator, _ in find]
    # A write's seek takes its lock: NodeUniqueIndexSeek(Locking), one per label.
    assert operators.count("NodeUniqueIndexSeek(Locking)") == 3, find
    for scan in ("CartesianProduct", "NodeByLabelScan", "AllNodesScan"):
        assert scan not in operators, find
    params = {
        "id": "aud_1",
        "record": "cus_1",
        "actor": "usr_1",
        "action": "MOVED_ON_BOARD",
        "field": "status",
        "before": "LEAD",
        "after": "ACTIVE",
        "summary": "Moved",
    }
    write = [operator for operator, _ in plan_of(clean_db, WRITE, params)]
    assert write.count("NodeUniqueIndexSeek(Locking)") >= 5, write
    for scan in ("CartesianProduct", "NodeByLabelScan", "AllNodesScan"):
        assert scan not in write, write
