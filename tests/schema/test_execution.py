"""The executor's fast path for plain objects gives exactly the standard answers."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from kesher.schema.execution import PlainObjectsExecution
from kesher.schema.schema import _field_value


@strawberry.enum
class Colour(Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    colour: Colour
    size: int | None

    @strawberry.field
    @staticmethod
    def shout(parent: strawberry.Parent[dict[str, Any]]) -> str:
        return str(parent["name"]).upper()


ROWS: list[dict[str, Any]] = [
    {"id": 1, "name": "one", "colour": "RED", "size": 3},
    {"id": "2", "name": "two", "colour": "BLUE", "size": None},
]


@strawberry.type
class Query:
    @strawberry.field(graphql_type=list[Item])  # type: ignore[untyped-decorator]
    def items(self, broken: bool = False) -> list[dict[str, Any]]:
        return [*ROWS, {"id": "3", "name": None, "colour": "RED", "size": 1}] if broken else ROWS


DOCUMENT = """
query Items($broken: Boolean!) {
  items(broken: $broken) { __typename id name colour size alias: name }
  again: items(broken: false) { id shout }
}
"""


def schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    config = strawberry.schema.config.StrawberryConfig(default_resolver=_field_value)
    standard = strawberry.Schema(query=Query, config=config)
    fast = strawberry.Schema(
        query=Query, config=config, execution_context_class=PlainObjectsExecution
    )
    return standard, fast


def test_plain_objects_come_out_as_the_standard_executor_makes_them() -> None:
    standard, fast = schemas()
    expected = standard.execute_sync(DOCUMENT, {"broken": False})
    answer = fast.execute_sync(DOCUMENT, {"broken": False})
    assert answer.errors is None
    assert answer.data == expected.data
    assert answer.data is not None
    assert answer.data["items"][0] == {
        "__typename": "Item",
        "id": "1",
        "name": "one",
        "colour": "RED",
        "size": 3,
        "alias": "one",
    }


def test_a_null_in_a_non_null_field_gives_the_standard_error() -> None:
    standard, fast = schemas()
    expected = standard.execute_sync(DOCUMENT, {"broken": True})
    answer = fast.execute_sync(DOCUMENT, {"broken": True})
    assert answer.data == expected.data
    assert answer.errors is not None
    assert expected.errors is not None
    assert [error.path for error in answer.errors] == [error.path for error in expected.errors]
    assert [error.message for error in answer.errors] == [e.message for e in expected.errors]
