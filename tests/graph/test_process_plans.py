"""The process statements: their plans on a seeded graph."""

from __future__ import annotations

from neo4j import Driver

from kesher.graph.constraints import STATEMENTS
from kesher.graph.model import ACTIVITY, USER
from kesher.graph.processes import segment_statement, tree_statement
from kesher.graph.records import RecordFilter
from kesher.graph.shapes import Link, Page, Shape
from tests.graph.test_relation_map import assert_seeks_and_no_scans, plan_of


def seed(driver: Driver) -> None:
    """A campaign with 200 children, each with two of its own, and 2,000 customers."""
    for statement in STATEMENTS:
        driver.execute_query(statement, database_="neo4j")
    driver.execute_query("CALL db.awaitIndexes(300)", database_="neo4j")
    driver.execute_query(
        "UNWIND range(1, 20) AS i CREATE (:User {id: 'usr_' + i, name: 'U' + i, active: true})",
        database_="neo4j",
    )
    driver.execute_query(
        "UNWIND range(1, 2000) AS i MATCH (u:User {id: 'usr_' + (i % 20 + 1)}) "
        "CREATE (:Customer {id: 'cus_' + i, name: 'C' + i, "
        "status: ['LEAD', 'PROSPECT', 'ACTIVE', 'FORMER'][i % 4]})-[:OWNED_BY]->(u)",
        database_="neo4j",
    )
    driver.execute_query(
        "CREATE (root:Activity {id: 'act_root', subject: 'Campaign', "
        "startAt: datetime('2026-04-01T00:00:00Z')}) "
        "WITH root UNWIND range(1, 200) AS i "
        "MATCH (u:User {id: 'usr_' + (i % 20 + 1)}) "
        "CREATE (c:Activity {id: 'act_' + i, subject: 'Child ' + i, "
        "startAt: datetime('2026-04-02T00:00:00Z')})-[:CHILD_OF]->(root), (c)-[:OWNED_BY]->(u) "
        "WITH c, u UNWIND range(1, 2) AS j "
        "CREATE (:Activity {id: c.id + '_' + j, subject: 'Follow-up', "
        "startAt: datetime('2026-04-09T00:00:00Z')})-[:CHILD_OF]->(c)",
        database_="neo4j",
    )
    driver.execute_query("CALL db.prepareForReplanning(60)", database_="neo4j")


OWNER = Link("owner", ACTIVITY.relations["owner"], Shape(USER, frozenset({"name"})))
CHILDREN = Link(
    "children",
    ACTIVITY.relations["children"],
    Shape(ACTIVITY, frozenset({"subject"})),
    Page(size=5, order=()),
)


def test_the_tree_seeks_its_activity_and_walks_from_it(clean_db: Driver) -> None:
    seed(clean_db)
    root_shape = Shape(ACTIVITY, frozenset({"subject"}), (CHILDREN,))
    node_shape = Shape(ACTIVITY, frozenset({"subject", "starts_at"}), (OWNER,))
    for start in ("act_root", "act_7", "act_7_2"):
        text, params = tree_statement(None, start, root_shape, node_shape, 2000)(frozenset())
        assert_seeks_and_no_scans(plan_of(clean_db, text, params))
        rows, _, _ = clean_db.execute_query(text, dict(params), database_="neo4j")
        assert rows[0]["root"]["id"] == "act_root"
        assert len(rows[0]["nodes"]) == 601


def test_a_segment_starts_from_an_index(clean_db: Driver) -> None:
    seed(clean_db)
    by_status = RecordFilter(statuses=("PROSPECT",))
    by_owner = RecordFilter(owner_ids=("usr_3",), statuses=("PROSPECT",))
    for where, seek in ((by_status, "NodeIndexSeek"), (by_owner, "NodeUniqueIndexSeek")):
        text, params = segment_statement(where, 5000)(frozenset())
        plan = plan_of(clean_db, text, params)
        operators = [operator for operator, _ in plan]
        assert seek in operators, plan
        for scan in ("CartesianProduct", "NodeByLabelScan", "AllNodesScan"):
            assert scan not in operators, plan
