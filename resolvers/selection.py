"""Reads a GraphQL selection into the shape of the one statement that answers it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection
from strawberry.utils.str_converters import to_snake_case

from kesher.graph.model import LABELS, Label
from kesher.graph.statement import Link, Page, Shape, SortKey
from kesher.resolvers.pagination import order_of, page_of
from kesher.settings import Settings


def fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection set, with fragments spread out."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from fields(selection.selections)


def child(selections: Iterable[Selection], name: str) -> list[Selection]:
    """The merged selections of every field called `name` (e.g. a payload's record)."""
    found: list[Selection] = []
    for field in fields(selections):
        if field.name == name:
            found.extend(field.selections)
    return found


def response_key(field: SelectedField) -> str:
    return field.alias or field.name


def shape_of(label: Label, selections: Iterable[Selection], settings: Settings) -> Shape:
    properties: set[str] = set()
    links: list[Link] = []
    counts: set[str] = set()
    for field in fields(selections):
        name = to_snake_case(field.name)
        if name in label.properties:
            properties.add(name)
        elif name in label.relations:
            relation = label.relations[name]
            target = LABELS[relation.target]
            if relation.many:
                shape, page = connection_shape(target, field, settings, order_of(relation.order))
                links.append(Link(response_key(field), relation, shape, page))
            else:
                shape = shape_of(target, field.selections, settings)
                links.append(Link(response_key(field), relation, shape))
        elif name == "linked_counts":
            counts |= {to_snake_case(f.name) for f in fields(field.selections)} & set(label.counts)
    return Shape(label, frozenset(properties), tuple(links), frozenset(counts))


def connection_shape(
    label: Label,
    field: SelectedField,
    settings: Settings,
    order: tuple[SortKey, ...],
    order_name: str = "NAME_ASC",
) -> tuple[Shape, Page]:
    """The node shape and page of a connection field (`edges { node }`, `totalCount`)."""
    nodes = child(child(field.selections, "edges"), "node")
    first = field.arguments.get("first")
    page = page_of(
        # Literals in the document arrive as text; validation has already checked the type.
        first=int(first) if isinstance(first, str) else first,
        after=field.arguments.get("after"),
        order_name=order_name,
        order=order,
        total=any(f.name == "totalCount" for f in fields(field.selections)),
        default_size=settings.default_page_size,
        max_size=settings.max_page_size,
    )
    return shape_of(label, nodes, settings), page
