"""The schema as clients see it: committed, described, guarded and limited."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    build_client_schema,
    get_introspection_query,
)
from strawberry.types.base import get_object_definition

from kesher.schema.mutation import Mutation
from kesher.schema.permissions import IsAuthenticated
from kesher.schema.query import Query
from kesher.schema.schema import build_schema
from kesher.settings import Settings
from tests.conftest import Person, gql

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    generated = build_schema(Settings(_env_file=None)).as_str() + "\n"
    assert SCHEMA_FILE.read_text() == generated, "schema.graphql is stale: run `make schema`"


@pytest.mark.anyio
async def test_the_standard_introspection_query_runs_through_the_schema_itself() -> None:
    # given: the schema as a tool runs it, with no request behind it
    schema = build_schema(Settings(_env_file=None))
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    # when
    result = await schema.execute(query)
    # then: the whole schema comes back, as clients rebuild it
    assert result.errors is None
    assert result.data is not None
    rebuilt = build_client_schema(result.data)  # type: ignore[arg-type]
    assert set(rebuilt.type_map) == set(schema._schema.type_map)


def test_every_type_and_field_has_a_description() -> None:
    schema = build_schema(Settings(_env_file=None))._schema
    missing: list[str] = []
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not kind.description:
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, d in kind.fields.items() if not d.description]
        if isinstance(kind, GraphQLEnumType) and name == "ErrorCode":
            missing += [f"{name}.{v}" for v, d in kind.values.items() if not d.description]
    assert missing == []


def test_every_root_field_but_login_needs_a_signed_in_user() -> None:
    unguarded = [
        f"{root.__name__}.{field.name}"
        for root in (Query, Mutation)
        for field in get_object_definition(root, strict=True).fields
        if not any(issubclass(p, IsAuthenticated) for p in field.permission_classes)
    ]
    assert unguarded == ["Mutation.login"]


@pytest.mark.anyio
async def test_deep_queries_are_refused(client: httpx.AsyncClient, member: Person) -> None:
    nested = "name"
    for _ in range(7):
        nested = f"owner {{ ownedCustomers {{ edges {{ node {{ {nested} }} }} }} }}"
    answer = await gql(
        client, f"{{ customers {{ edges {{ node {{ {nested} }} }} }} }}", None, member
    )
    assert "exceeds maximum operation depth" in answer["errors"][0]["message"]


@pytest.mark.anyio
async def test_many_aliases_are_refused(client: httpx.AsyncClient, member: Person) -> None:
    aliases = " ".join(f"a{i}: me {{ id }}" for i in range(31))
    answer = await gql(client, f"{{ {aliases} }}", None, member)
    assert "aliases" in answer["errors"][0]["message"]


@pytest.mark.anyio
async def test_huge_documents_are_refused(client: httpx.AsyncClient, member: Person) -> None:
    fields = " ".join(["id"] * 6000)
    answer = await gql(client, f"{{ me {{ {fields} }} }}", None, member)
    assert "token" in answer["errors"][0]["message"].lower()
