"""The stream's part of a card statement: its plan and its order on a busy record."""

from __future__ import annotations

from neo4j import Driver

from kesher.graph.constraints import STATEMENTS
from kesher.graph.items import AUDIT_LINE, NOTE
from kesher.graph.model import CUSTOMER, USER
from kesher.graph.shapes import Facet, Link, Page, Shape, SortKey
from kesher.graph.statement import Statement
from kesher.graph.stream import AT, KIND, STREAM_ENTRY
from tests.graph.test_relation_map import assert_seeks_and_no_scans, plan_of


def seed(driver: Driver) -> None:
    """200 customers, each with 30 notes, 30 audit lines and 30 activities; one user."""
    for statement in STATEMENTS:
        driver.execute_query(statement, database_="neo4j")
    driver.execute_query("CALL db.awaitIndexes(300)", database_="neo4j")
    driver.execute_query(
        "CREATE (u:User {id: 'usr_1', name: 'U'}) WITH u UNWIND range(1, 200) AS i "
        "CREATE (c:Customer {id: 'cus_' + i, name: 'C' + i}) WITH u, c, i "
        "UNWIND range(1, 30) AS j "
        "CREATE (:Note {id: 'not_' + i + '_' + j, text: 'n' + j, "
        "createdAt: datetime('2026-01-01T00:00:00Z') + duration({hours: 3 * j})})-[:ON]->(c), "
        "(:AuditLine {id: 'aud_' + i + '_' + j, action: 'CHANGED', summary: 's' + j, "
        "createdAt: datetime('2026-01-01T01:00:00Z') + duration({hours: 3 * j})})-[:ON]->(c), "
        "(a:Activity {id: 'act_' + i + '_' + j, kind: CASE j % 3 WHEN 0 THEN 'TASK' "
        "ELSE 'EVENT' END, subject: 'a' + j, "
        "startAt: datetime('2026-01-01T02:00:00Z') + duration({hours: 3 * j})})-[:ABOUT]->(c), "
        "(a)-[:OWNED_BY]->(u)",
        database_="neo4j",
    )


def stream_statement(kinds: list[str] | None) -> tuple[str, dict[str, object]]:
    page = Page(size=10, order=(SortKey(AT, descending=True),))
    entry = Shape(
        STREAM_ENTRY,
        frozenset({"kind", "at", "summary"}),
        links=(Link("by", STREAM_ENTRY.relations["by"], Shape(USER, frozenset({"name"}))),),
        facets=(
            Facet("note", Shape(NOTE, frozenset({"text"}))),
            Facet("auditLine", Shape(AUDIT_LINE, frozenset({"action"}))),
        ),
    )
    conditions = () if kinds is None else ((KIND + " IN {v}", kinds),)
    link = Link("stream", CUSTOMER.relations["stream"], entry, page, conditions)
    statement = Statement(audience=None)
    text = statement.card(Shape(CUSTOMER, frozenset({"name"}), (link,)), "cus_7")
    return text, statement.params


def test_a_stream_seeks_its_record_and_expands_from_it(clean_db: Driver) -> None:
    seed(clean_db)
    for kinds in (None, ["TASK", "NOTE"]):
        text, params = stream_statement(kinds)
        assert_seeks_and_no_scans(plan_of(clean_db, text, params))


def test_a_stream_page_is_the_newest_of_each_kind_asked_for(clean_db: Driver) -> None:
    seed(clean_db)
    text, params = stream_statement(["TASK", "NOTE"])
    rows, _, _ = clean_db.execute_query(text, params, database_="neo4j")
    entries = rows[0]["row"]["stream"]["rows"]
    # Newest first: note 30 (hour 90), task 30 (hour 92) comes first, then note 30, ...
    assert [(e["kind"], e["summary"]) for e in entries[:4]] == [
        ("TASK", "a30"),
        ("NOTE", "n30"),
        ("NOTE", "n29"),
        ("NOTE", "n28"),
    ]
    assert len(entries) == 11  # a page of 10 and one more, which tells a next page exists
    assert all(
        e["by"] == ({"id": "usr_1", "name": "U"} if e["kind"] == "TASK" else None) for e in entries
    )
    assert all((e["note"] is None) == (e["kind"] != "NOTE") for e in entries)
    assert all(e["auditLine"] is None for e in entries)
