"""The registries of party kinds and structural edge types, and what is derived from them."""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType
from graphql import build_schema as parse_schema
from neo4j import Driver
from pydantic import TypeAdapter, ValidationError

from kesher.graph.catalog import InvalidKey, check_key
from kesher.graph.edges import MAP_EDGES, STRUCTURAL_EDGES, StructuralEdge
from kesher.graph.kinds import KIND_PAIRS, PARTY_KINDS, RECORD_KINDS, pair_name
from kesher.graph.parties import kind_of
from kesher.resolvers import inputs
from kesher.schema.schema import build_schema
from kesher.settings import Settings


def _enum_values(name: str) -> list[str]:
    schema = parse_schema(build_schema(Settings(_env_file=None)).as_str())
    found = schema.get_type(name)
    assert isinstance(found, GraphQLEnumType)
    return list(found.values)


def test_the_api_enums_list_the_registered_kinds_in_order() -> None:
    assert _enum_values("PartyKind") == [kind.name for kind in PARTY_KINDS]
    assert _enum_values("RecordKind") == [kind.name for kind in RECORD_KINDS]
    assert _enum_values("KindPair") == [pair_name(*pair) for pair in KIND_PAIRS]


def test_the_cypher_names_each_party_by_its_registered_kind(clean_db: Driver) -> None:
    # given a node of every kind
    for number, kind in enumerate(PARTY_KINDS):
        clean_db.execute_query(
            f"CREATE (:{kind.label} {{id: $id}})",
            id=f"{kind.prefix}_{number}",
            database_="neo4j",
        )

    # when
    rows, _, _ = clean_db.execute_query(
        f"MATCH (x) RETURN x.id AS id, {kind_of('x')} AS kind", database_="neo4j"
    )

    # then
    assert {row["id"]: row["kind"] for row in rows} == {
        f"{kind.prefix}_{number}": kind.name for number, kind in enumerate(PARTY_KINDS)
    }


@pytest.mark.parametrize("edge", STRUCTURAL_EDGES, ids=lambda edge: edge.key)
def test_no_catalog_key_takes_a_structural_edge_type(edge: StructuralEdge) -> None:
    with pytest.raises(InvalidKey, match="structural"):
        check_key(edge.key)


def test_a_map_follows_the_employer_and_customer_edges() -> None:
    assert set(MAP_EDGES) == {"WORKS_AT", "FOR"}


def test_the_input_checks_take_exactly_the_registered_names() -> None:
    for checked, names in (
        (inputs.KindPair, [pair_name(*pair) for pair in KIND_PAIRS]),
        (inputs.PartyKindName, [kind.name for kind in PARTY_KINDS]),
    ):
        adapter: TypeAdapter[str] = TypeAdapter(checked)
        assert [adapter.validate_python(name) for name in names] == names
        with pytest.raises(ValidationError, match="must be one of"):
            adapter.validate_python("CUSTOMER_PROJECT")
