"""The statement that reads objects by their global ids: its plan and its answer."""

from __future__ import annotations

from neo4j import Driver

from kesher.graph.model import CONTACT, CUSTOMER
from kesher.graph.nodes import Wanted, nodes_statement
from kesher.graph.relationship_parts import RelationshipList
from kesher.graph.shapes import Page, Shape
from kesher.graph.visibility import Audience
from tests.graph.test_relation_map import KEYS, assert_seeks_and_no_scans, plan_of, seeded

__all__ = ["seeded"]

WANTED = Wanted(
    records={
        "Customer": (
            Shape(
                CUSTOMER,
                frozenset({"name"}),
                parts=(RelationshipList("links", Page(size=5, order=())),),
            ),
            ("cus_1", "cus_2", "cus_nothing"),
        ),
        "Contact": (Shape(CONTACT, frozenset({"name"})), ("con_3",)),
    },
    relationship_ids=("cus_1:p", "cus_2:a", "cus_3:nothing"),
    relationship_type_ids=("rty_1",),
)


def test_objects_of_several_kinds_are_seeks_by_id(seeded: Driver) -> None:
    # when
    text, params = nodes_statement(WANTED, Audience("usr_1", admin=False), KEYS)
    plan = plan_of(seeded, text, params)

    # then
    assert_seeks_and_no_scans(plan)


def test_each_kind_comes_back_under_its_own_column(seeded: Driver) -> None:
    # when
    text, params = nodes_statement(WANTED, Audience("usr_1", admin=False), KEYS)
    rows, _, _ = seeded.execute_query(text, dict(params), database_="neo4j")

    # then
    row = rows[0]
    assert sorted(found["name"] for found in row["found0"]) == ["Customer 1", "Customer 2"]
    assert [found["name"] for found in row["found1"]] == ["Contact 3"]
    assert sorted(
        (link["id"], link["source"]["id"], link["target"]["id"]) for link in row["links"]
    ) == [
        ("cus_1:p", "cus_1", "cus_2"),
        ("cus_2:a", "cus_2", "con_10"),
    ]
    assert [found["key"] for found in row["types"]] == ["PARTNER_OF"]
