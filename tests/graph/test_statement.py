"""The statement builder: one statement per answer, only what was asked, good plans."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import Driver

from kesher.graph.model import CONTACT, CUSTOMER, PROJECT, USER
from kesher.graph.records import RecordFilter, lucene_query, record_conditions
from kesher.graph.shapes import Link, Page, Search, Shape, SortKey
from kesher.graph.statement import Statement

BY_NAME = (SortKey("{n}.name"),)


def card_shape(total: bool = False) -> Shape:
    contacts = Link(
        "contacts",
        CUSTOMER.relations["contacts"],
        Shape(CONTACT, frozenset({"name", "email"})),
        Page(size=5, order=BY_NAME, total=total),
    )
    owner = Link("owner", CUSTOMER.relations["owner"], Shape(USER, frozenset({"name"})))
    return Shape(
        CUSTOMER, frozenset({"name", "status"}), (contacts, owner), frozenset({"contacts"})
    )


def test_unselected_parts_cost_nothing() -> None:
    text = Statement(audience=None).card(Shape(CUSTOMER, frozenset({"name"})), "cus_1")
    assert "CALL" not in text
    assert "COUNT" not in text
    assert text.count("MATCH") == 1


def test_each_followed_relation_is_a_subquery_with_its_limit_inside() -> None:
    statement = Statement(audience=None)
    text = statement.card(card_shape(), "cus_1")
    assert text.count("CALL (n1) {") == 2
    contacts_subquery = text.split("CALL (n1) {")[1]
    assert "LIMIT $" in contacts_subquery
    assert statement.params["p0"] == 6  # one more than asked, to tell if more follow


def test_total_is_counted_only_when_asked() -> None:
    assert "total:" not in Statement(audience=None).card(card_shape(total=False), "c")
    assert "total:" in Statement(audience=None).card(card_shape(total=True), "c")


def test_values_are_parameters_never_text() -> None:
    statement = Statement(audience=None)
    hostile = "x'}) DETACH DELETE n //"
    text = statement.card(Shape(CUSTOMER, frozenset({"name"})), hostile)
    assert hostile not in text
    assert hostile in statement.params.values()


def test_keyset_predicate_follows_each_key_direction() -> None:
    statement = Statement(audience=None)
    keys = (SortKey("{n}.createdAt", descending=True), SortKey("{n}.id"))
    text = statement.keyset("n", keys, ("t", "id"))
    assert text == "((n.createdAt < $p0) OR (n.createdAt = $p1 AND n.id > $p2))"


def test_lucene_syntax_is_escaped_and_words_are_prefixes() -> None:
    assert lucene_query('peres "eng') == 'peres* AND \\"eng*'
    assert lucene_query("  ") == ""


@pytest.fixture
def seeded(clean_db: Driver) -> Driver:
    """Enough data that the planner chooses as it would in production."""
    from kesher.graph.constraints import STATEMENTS

    for statement in STATEMENTS:
        clean_db.execute_query(statement, database_="neo4j")
    clean_db.execute_query("CALL db.awaitIndexes(300)", database_="neo4j")
    clean_db.execute_query(
        "UNWIND range(1, 3000) AS i "
        "CREATE (c:Customer {id: 'cus_' + i, name: 'Customer ' + i, status: 'LEAD', "
        "createdAt: datetime()}) "
        "CREATE (:Contact {id: 'con_' + i, name: 'Contact ' + i})-[:WORKS_AT]->(c) "
        "CREATE (:Project {id: 'prj_' + i, name: 'Project ' + i})-[:FOR]->(c)",
        database_="neo4j",
    )
    clean_db.execute_query(
        "UNWIND range(1, 20) AS i CREATE (:User {id: 'usr_' + i, name: 'U' + i})",
        database_="neo4j",
    )
    # Fresh statistics and no plans cached from the emptier databases of earlier tests.
    clean_db.execute_query("CALL db.prepareForReplanning(60)", database_="neo4j")
    return clean_db


def operators(driver: Driver, text: str, params: dict[str, Any]) -> list[str]:
    result = driver.execute_query("EXPLAIN " + text, params, database_="neo4j")
    found: list[str] = []

    def walk(plan: Any) -> None:
        found.append(plan["operatorType"].split("@")[0])
        for child in plan.get("children", []):
            walk(child)

    walk(result.summary.plan)
    return found


def test_card_plan_seeks_the_record_by_its_unique_id(seeded: Driver) -> None:
    statement = Statement(audience=None)
    text = statement.card(card_shape(total=True), "cus_7")
    plan = operators(seeded, text, statement.params)
    assert "CartesianProduct" not in plan
    assert "NodeUniqueIndexSeek" in plan
    assert "NodeByLabelScan" not in plan
    assert "AllNodesScan" not in plan


def test_list_plan_reads_the_name_index_in_order(seeded: Driver) -> None:
    statement = Statement(audience=None)
    n = statement.variable()
    conditions = record_conditions(statement, n, CUSTOMER, RecordFilter())
    conditions.append(f"{n}.name IS NOT NULL")
    owner = Link("owner", CUSTOMER.relations["owner"], Shape(USER, frozenset({"name"})))
    shape = Shape(CUSTOMER, frozenset({"name"}), (owner,), frozenset({"contacts"}))
    text = statement.page(shape, Page(size=20, order=BY_NAME), conditions, n=n)
    plan = operators(seeded, text, statement.params)
    assert "CartesianProduct" not in plan
    assert "NodeByLabelScan" not in plan
    assert "NodeIndexScan" in plan
    # The index gives the order; only rows with equal names are sorted among themselves.
    assert "PartialTop" in plan
    assert "Top" not in plan
    assert "Sort" not in plan


def test_search_plan_starts_from_the_fulltext_index(seeded: Driver) -> None:
    statement = Statement(audience=None)
    n = statement.variable()
    page = Page(size=20, order=(SortKey("score", descending=True),))
    text = statement.page(
        Shape(PROJECT, frozenset({"name"})), page, [], Search("project_search", "proj*"), n=n
    )
    plan = operators(seeded, text, statement.params)
    assert "ProcedureCall" in plan
    assert "CartesianProduct" not in plan
    assert "NodeByLabelScan" not in plan


def test_list_filtered_by_customer_starts_from_the_customer(seeded: Driver) -> None:
    from kesher.graph.records import record_anchor

    statement = Statement(audience=None)
    n = statement.variable()
    where = RecordFilter(customer_ids=("cus_1", "cus_2"))
    conditions = record_conditions(statement, n, CONTACT, where)
    anchor = record_anchor(statement, n, CONTACT, where)
    text = statement.page(
        Shape(CONTACT, frozenset({"name"})),
        Page(size=20, order=BY_NAME),
        conditions,
        n=n,
        anchor=anchor,
    )
    plan = operators(seeded, text, statement.params)
    assert "NodeUniqueIndexSeek" in plan, " ".join(plan)
    assert "NodeByLabelScan" not in plan
    assert "NodeIndexScan" not in plan


def test_a_backward_page_of_a_card_list_is_read_from_the_card(seeded: Driver) -> None:
    statement = Statement(audience=None)
    page = Page(size=5, order=BY_NAME, cursor=("Contact 9", "con_9"), backward=True, behind=True)
    contacts = Link(
        "contacts", CUSTOMER.relations["contacts"], Shape(CONTACT, frozenset({"name"})), page
    )
    text = statement.card(Shape(CUSTOMER, frozenset({"name"}), (contacts,)), "cus_7")
    assert "ORDER BY n2.name DESC, n2.id DESC LIMIT" in text
    plan = operators(seeded, text, statement.params)
    assert "CartesianProduct" not in plan
    assert "NodeUniqueIndexSeek" in plan
    assert "NodeByLabelScan" not in plan
    assert "AllNodesScan" not in plan


def test_a_backward_page_of_a_list_reads_the_name_index_the_other_way(seeded: Driver) -> None:
    statement = Statement(audience=None)
    n = statement.variable()
    conditions = record_conditions(statement, n, CUSTOMER, RecordFilter())
    conditions.append(f"{n}.name IS NOT NULL")
    page = Page(size=20, order=BY_NAME, cursor=("Customer 500", "cus_500"), backward=True)
    text = statement.page(Shape(CUSTOMER, frozenset({"name"})), page, conditions, n=n)
    plan = operators(seeded, text, statement.params)
    assert "CartesianProduct" not in plan
    assert "NodeByLabelScan" not in plan
    assert "NodeIndexScan" in plan or "NodeIndexSeekByRange" in plan, plan
    assert "Sort" not in plan, plan


def test_keyset_predicates_turn_round_for_backward_pages_and_take_the_cursor_when_asked() -> None:
    keys = (SortKey("{n}.createdAt", descending=True), SortKey("{n}.id"))
    assert Statement(audience=None).keyset("n", keys, ("t", "id"), backward=True) == (
        "((n.createdAt > $p0) OR (n.createdAt = $p1 AND n.id < $p2))"
    )
    assert Statement(audience=None).keyset("n", keys, ("t", "id"), inclusive=True) == (
        "((n.createdAt < $p0) OR (n.createdAt = $p1 AND n.id > $p2) "
        "OR (n.createdAt = $p3 AND n.id = $p4))"
    )
