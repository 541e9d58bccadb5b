"""A root field's selection read off the parsed document is Strawberry's own, whatever the
variables of each request, however often the document is asked."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import ParserCache

from kesher.resolvers.selected import selected

SEEN: list[tuple[Any, Any]] = []


@strawberry.type
class Leaf:
    name: str

    @strawberry.field
    def others(self, first: int = 1, kinds: list[str] | None = None) -> list[Leaf]:
        return []


@strawberry.type
class Query:
    @strawberry.field
    def card(self, info: strawberry.Info, id: strawberry.ID) -> Leaf:
        SEEN.append((selected(info), info.selected_fields[0]))
        return Leaf(name=str(id))


DOCUMENT = """
query Card($id: ID!, $first: Int!, $kinds: [String!], $deep: Boolean!) {
  card(id: $id) {
    name
    fixed: others(first: 2) { name }
    paged: others(first: $first, kinds: $kinds) { name ...More }
    ... @include(if: $deep) { others { others(first: $first) { name } } }
  }
}
fragment More on Leaf { others(first: $first) { name } }
"""


def test_each_request_reads_its_own_variables_into_the_selection() -> None:
    schema = strawberry.Schema(query=Query, extensions=[ParserCache])
    requests = [
        {"id": "1", "first": 5, "kinds": ["A"], "deep": True},
        {"id": "2", "first": 7, "kinds": None, "deep": False},
        {"id": "1", "first": 5, "kinds": ["A"], "deep": True},
        {"id": "3", "first": 5, "kinds": ["A", "B"], "deep": False},
    ]
    SEEN.clear()
    for variables in requests:
        result = schema.execute_sync(DOCUMENT, variables)
        assert result.errors is None, result.errors

    assert len(SEEN) == len(requests)
    for (ours, strawberrys), variables in zip(SEEN, requests, strict=True):
        assert ours == strawberrys
        assert ours.arguments == {"id": variables["id"]}
        paged = next(s for s in ours.selections if getattr(s, "alias", None) == "paged")
        assert paged.arguments == {"first": variables["first"], "kinds": variables["kinds"]}
        spread = paged.selections[1]
        assert spread.selections[0].arguments == {"first": variables["first"]}
    # The parts no variable reaches are converted once and shared.
    fixed = [
        next(s for s in ours.selections if getattr(s, "alias", None) == "fixed") for ours, _ in SEEN
    ]
    assert all(each is fixed[0] for each in fixed)
