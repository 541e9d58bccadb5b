"""The executor's fast path for plain objects gives exactly the standard answers."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.extensions import ParserCache

from kesher.schema.execution import PlainObjectsExecution
from kesher.schema.schema import _field_value


@strawberry.enum
class Colour(Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Maker:
    name: str
    country: str | None


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    colour: Colour
    size: int | None
    maker: Maker
    supplier: Maker | None
    tags: list[str]
    makers: list[Maker]
    notes: list[str | None] | None

    @strawberry.field
    @staticmethod
    def shout(parent: strawberry.Parent[dict[str, Any]]) -> str:
        return str(parent["name"]).upper()


ACME = {"name": "Acme", "country": "IL"}
LISTS: dict[str, Any] = {"tags": [], "makers": [], "notes": None}
ROWS: list[dict[str, Any]] = [
    {
        "id": 1,
        "name": "one",
        "colour": "RED",
        "size": 3,
        "maker": ACME,
        "supplier": None,
        "tags": ["new", "big"],
        "makers": [ACME, {"name": "Beta", "country": None}],
        "notes": ["kept", None],
    },
    {
        "id": "2",
        "name": "two",
        "colour": "BLUE",
        "size": None,
        "maker": {"name": "Beta", "country": None},
        "supplier": ACME,
        **LISTS,
    },
]
# Each breaks a different rule: a null name, a maker without a name, a maker that is
# not a row at all, a null tag, makers that are not a list, a list of makers with one
# that is not a row.
BROKEN: list[dict[str, Any]] = [
    {"id": "3", "name": None, "colour": "RED", "size": 1, "maker": ACME, **LISTS},
    {"id": "4", "name": "four", "colour": "RED", "size": 1, "maker": {"name": None}, **LISTS},
    {"id": "5", "name": "five", "colour": "RED", "size": 1, "maker": "Acme", **LISTS},
    {"id": "6", "name": "six", "colour": "RED", "size": 1, "maker": ACME, **LISTS, "tags": [None]},
    {
        "id": "7",
        "name": "seven",
        "colour": "RED",
        "size": 1,
        "maker": ACME,
        **LISTS,
        "makers": ACME,
    },
    {"id": "8", "name": "eight", "colour": "RED", "maker": ACME, **LISTS, "makers": [ACME, "x"]},
]


@strawberry.type
class Query:
    @strawberry.field(graphql_type=list[Item])  # type: ignore[untyped-decorator]
    def items(self, broken: bool = False) -> list[dict[str, Any]]:
        return [*ROWS, *BROKEN] if broken else ROWS


DOCUMENT = """
query Items($broken: Boolean!) {
  items(broken: $broken) {
    __typename id name colour size alias: name
    maker { __typename name country } maker { name } supplier { name }
    tags notes makers { __typename name } others: makers { country }
  }
  again: items(broken: false) { id shout maker { name } }
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
        "maker": {"__typename": "Maker", "name": "Acme", "country": "IL"},
        "supplier": None,
        "tags": ["new", "big"],
        "notes": ["kept", None],
        "makers": [
            {"__typename": "Maker", "name": "Acme"},
            {"__typename": "Maker", "name": "Beta"},
        ],
        "others": [{"country": "IL"}, {"country": None}],
    }


def test_plain_objects_and_their_lists_are_completed_without_a_resolver_call() -> None:
    """The fast path is taken: every field with the default resolver is read from the
    rows, those beside a field with a resolver of its own (`again`'s `shout`, which takes
    the standard path) too."""
    resolved: list[str] = []

    def counting(root: Any, name: str) -> object:
        resolved.append(name)
        return _field_value(root, name)

    config = strawberry.schema.config.StrawberryConfig(default_resolver=counting)
    fast = strawberry.Schema(
        query=Query, config=config, execution_context_class=PlainObjectsExecution
    )
    answer = fast.execute_sync(DOCUMENT, {"broken": False})
    assert answer.errors is None
    assert resolved == []


def test_a_null_in_a_non_null_field_gives_the_standard_error() -> None:
    standard, fast = schemas()
    expected = standard.execute_sync(DOCUMENT, {"broken": True})
    answer = fast.execute_sync(DOCUMENT, {"broken": True})
    assert answer.data == expected.data
    assert answer.errors is not None
    assert expected.errors is not None
    assert [error.path for error in answer.errors] == [error.path for error in expected.errors]
    assert [error.message for error in answer.errors] == [e.message for e in expected.errors]


MIXED = """
query Items($broken: Boolean!) {
  items(broken: $broken) { id shout name maker { name } makers { name } tags }
}
"""


def test_fields_beside_a_resolver_come_out_as_the_standard_executor_makes_them() -> None:
    """An object with a resolved field among plain ones: the plain ones read from the row,
    and, where a row breaks a rule, the same error at the same path as the standard
    executor's (`shout` of a null name fails in its resolver either way)."""
    standard, fast = schemas()
    for broken in (False, True):
        expected = standard.execute_sync(MIXED, {"broken": broken})
        answer = fast.execute_sync(MIXED, {"broken": broken})
        assert answer.data == expected.data
        assert [(e.path, e.message) for e in answer.errors or []] == [
            (e.path, e.message) for e in expected.errors or []
        ]
    assert answer.errors, "the broken rows must give errors"


SWITCHED = """
query Items($withMaker: Boolean!) {
  items { id supplier { ... @include(if: $withMaker) { name } } }
}
"""


def cached_schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    """As the service runs it: parsed documents are reused, so plans can be too."""
    config = strawberry.schema.config.StrawberryConfig(default_resolver=_field_value)
    standard = strawberry.Schema(query=Query, config=config)
    fast = strawberry.Schema(
        query=Query,
        config=config,
        execution_context_class=PlainObjectsExecution,
        extensions=[ParserCache],
    )
    return standard, fast


def test_a_document_asked_again_gets_the_standard_answer_each_time() -> None:
    standard, fast = cached_schemas()
    for broken in (False, True, False):
        expected = standard.execute_sync(DOCUMENT, {"broken": broken})
        answer = fast.execute_sync(DOCUMENT, {"broken": broken})
        assert answer.data == expected.data
        assert [str(e) for e in answer.errors or []] == [str(e) for e in expected.errors or []]


def test_a_field_its_variables_switch_on_and_off_is_answered_as_asked() -> None:
    standard, fast = cached_schemas()
    for with_maker in (True, False, True, False):
        expected = standard.execute_sync(SWITCHED, {"withMaker": with_maker})
        answer = fast.execute_sync(SWITCHED, {"withMaker": with_maker})
        assert answer.errors is None
        assert answer.data == expected.data
        assert answer.data is not None
        assert answer.data["items"][1]["supplier"] == ({"name": "Acme"} if with_maker else {})


FRAGMENTS = """
query Items { items { ...Whole maker { ...Named } } }
fragment Whole on Item { id name colour supplier { ...Named } }
fragment Named on Maker { __typename name }
"""


def test_named_fragments_are_answered_as_the_standard_executor_answers_them() -> None:
    standard, fast = cached_schemas()
    for _ in range(2):
        expected = standard.execute_sync(FRAGMENTS)
        answer = fast.execute_sync(FRAGMENTS)
        assert answer.errors is None
        assert answer.data == expected.data
        assert answer.data is not None
        assert answer.data["items"][0]["maker"] == {"__typename": "Maker", "name": "Acme"}
