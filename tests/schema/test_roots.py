"""The query and mutation roots are assembled from the features' own classes."""

from __future__ import annotations

from strawberry.types.base import get_object_definition

from kesher.schema.mutation import Mutation
from kesher.schema.query import Query


def test_every_root_field_is_declared_by_a_feature() -> None:
    # given: the two roots as the schema builds them
    roots = (Query, Mutation)
    # when
    declared_on_a_root = [
        f"{root.__name__}.{field.python_name}"
        for root in roots
        for field in get_object_definition(root, strict=True).fields
        if field.origin in roots
    ]
    # then: each field lives with its feature; the roots only inherit
    assert declared_on_a_root == []


def test_log_call_lives_with_call_logs() -> None:
    fields = get_object_definition(Mutation, strict=True).fields
    origin = next(field.origin for field in fields if field.python_name == "log_call")
    assert origin is not None
    assert origin.__module__ == "kesher.schema.call_logs"
