"""What mutations answer: a success type or `MutationError`, as one union per success type."""

from __future__ import annotations

from typing import Any, cast

import pytest
import strawberry
from graphql import GraphQLNonNull, GraphQLUnionType

from kesher.schema.payloads import Payload
from kesher.schema.schema import build_schema
from kesher.settings import Settings


def test_every_mutation_answers_its_success_or_the_error_in_a_union_named_after_it() -> None:
    # given
    mutation = build_schema(Settings(_env_file=None))._schema.mutation_type
    assert mutation is not None
    # when
    misnamed: list[str] = []
    for name, field in mutation.fields.items():
        answer = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        assert isinstance(answer, GraphQLUnionType), name
        success, error = (member.name for member in answer.types)
        if error != "MutationError" or answer.name != success.removesuffix("Success") + "Payload":
            misnamed.append(f"{name}: {answer.name} = {success} | {error}")
    # then
    assert misnamed == []


def test_a_success_type_without_a_declared_payload_is_named_in_the_error() -> None:
    @strawberry.type(description="Undeclared.")
    class UndeclaredSuccess:
        done: bool

    with pytest.raises(TypeError, match="UndeclaredSuccess has no payload union"):
        cast("Any", Payload)[UndeclaredSuccess]
