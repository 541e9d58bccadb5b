"""The activity list statement: its plans on a seeded graph."""

from __future__ import annotations

from datetime import UTC, datetime

from neo4j import Driver

from kesher.graph.activity_list import ActivityFilter, activity_conditions
from kesher.graph.chain_model import CHAIN
from kesher.graph.constraints import STATEMENTS
from kesher.graph.model import ACTIVITY
from kesher.graph.shapes import Link, Page, Shape, SortKey
from kesher.graph.statement import Statement
from tests.graph.test_relation_map import plan_of

LATEST_FIRST = (SortKey("{n}.startAt", descending=True),)


def seed(driver: Driver, apart_seconds: int = 3600, then: str = "") -> None:
    """20 users, each owning 150 of 3,000 one-hour events `apart_seconds` apart; `then`
    continues the statement that made each one (`WITH a ...`)."""
    for statement in STATEMENTS:
        driver.execute_query(statement, database_="neo4j")
    driver.execute_query("CALL db.awaitIndexes(300)", database_="neo4j")
    driver.execute_query(
        "UNWIND range(1, 20) AS i CREATE (:User {id: 'usr_' + i, name: 'U' + i})",
        database_="neo4j",
    )
    driver.execute_query(
        "UNWIND range(1, 3000) AS i MATCH (u:User {id: 'usr_' + (i % 20 + 1)}) "
        "CREATE (a:Activity {id: 'act_' + i, kind: 'EVENT', subject: 'Meeting ' + i, "
        "startAt: datetime({epochSeconds: 1767225600 + i * $apart}), "
        "endAt: datetime({epochSeconds: 1767229200 + i * $apart})})-[:OWNED_BY]->(u) " + then,
        apart=apart_seconds,
        database_="neo4j",
    )
    driver.execute_query("CALL db.prepareForReplanning(60)", database_="neo4j")


def statement_for(where: ActivityFilter) -> tuple[str, dict[str, object]]:
    statement = Statement(audience=None)
    n = statement.variable()
    conditions = activity_conditions(statement, n, where)
    anchor = None
    if where.owner_ids:
        ids = statement.param(list(where.owner_ids))
        anchor = f"MATCH (u:User) WHERE u.id IN {ids} MATCH ({n}:Activity)-[:OWNED_BY]->(u)"
    else:
        conditions.append(f"{n}.startAt IS NOT NULL")
    text = statement.page(
        Shape(ACTIVITY, frozenset({"subject"})),
        Page(size=20, order=LATEST_FIRST),
        conditions,
        n=n,
        anchor=anchor,
    )
    return text, statement.params


def test_the_list_reads_the_start_time_index_in_order(clean_db: Driver) -> None:
    seed(clean_db)
    window = ActivityFilter(
        overlaps_from=datetime(2026, 1, 2, tzinfo=UTC), overlaps_to=datetime(2026, 2, 1, tzinfo=UTC)
    )
    for where in (ActivityFilter(), window):
        plan = [operator for operator, _ in plan_of(clean_db, *statement_for(where))]
        assert "NodeByLabelScan" not in plan, plan
        assert "CartesianProduct" not in plan, plan
        assert any(op.startswith("NodeIndex") for op in plan), plan
        assert "Sort" not in plan, plan


def test_the_list_of_an_owner_starts_from_the_owner(clean_db: Driver) -> None:
    seed(clean_db)
    plan = [op for op, _ in plan_of(clean_db, *statement_for(ActivityFilter(owner_ids=("usr_3",))))]
    assert "NodeUniqueIndexSeek" in plan, plan
    assert "NodeByLabelScan" not in plan, plan


def test_a_page_with_state_attachments_and_chain_counts_still_reads_the_index_in_order(
    clean_db: Driver,
) -> None:
    seed(clean_db)
    statement = Statement(audience=None)
    n = statement.variable()
    chain = Shape(CHAIN, frozenset({"steps", "started_at", "duration_seconds", "slowest_step"}))
    shape = Shape(
        ACTIVITY,
        frozenset({"subject", "state", "ref", "has_attachments"}),
        (Link("chain", ACTIVITY.relations["chain"], chain),),
        frozenset({"offers", "product_records", "events", "tasks"}),
    )
    text = statement.page(
        shape, Page(size=50, order=LATEST_FIRST), [f"{n}.startAt IS NOT NULL"], n=n
    )
    plan = [operator for operator, _ in plan_of(clean_db, text, statement.params)]
    assert "CartesianProduct" not in plan, plan
    assert "Sort" not in plan, plan
    assert "AllNodesScan" not in plan, plan
    scans = [operator for operator in plan if operator == "NodeByLabelScan"]
    assert scans == [], plan
    assert any(op.startswith("NodeIndex") for op in plan), plan


def test_a_backward_page_reads_the_start_time_index_the_other_way(clean_db: Driver) -> None:
    seed(clean_db)
    statement = Statement(audience=None)
    n = statement.variable()
    cursor = (datetime(2026, 2, 1, tzinfo=UTC), "act_744")
    page = Page(size=20, order=LATEST_FIRST, cursor=cursor, backward=True, behind=True)
    text = statement.page(
        Shape(ACTIVITY, frozenset({"subject"})), page, [f"{n}.startAt IS NOT NULL"], n=n
    )
    assert "ORDER BY n1.startAt, n1.id DESC LIMIT" in text
    plan = [operator for operator, _ in plan_of(clean_db, text, statement.params)]
    assert "NodeByLabelScan" not in plan, plan
    assert "CartesianProduct" not in plan, plan
    assert any(op.startswith("NodeIndex") for op in plan), plan
    assert "Sort" not in plan, plan
