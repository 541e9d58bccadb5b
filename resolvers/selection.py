"""Reads a GraphQL selection into the shape of the one statement that answers it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from kesher.graph.labels import Label
from kesher.graph.model import LABELS
from kesher.graph.parts import Part
from kesher.graph.shapes import Facet, Link, Page, Shape, SortKey
from kesher.resolvers.pagination import order_of, page_of
from kesher.resolvers.selected import snake
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


# Shapes outlive a request: a selection's converted fields are kept by their syntax node
# and the variables they use (`kesher.resolvers.selected`), so the same fields asked again
# are the same objects, and their shape is found again by them (held here, so their ids
# stay theirs).
_SHAPES: OrderedDict[
    tuple[int, tuple[int, ...], int], tuple[Label, tuple[Selection, ...], Settings, Shape]
] = OrderedDict()
_SHAPES_MAX = 4096


def shape_of(label: Label, selections: Iterable[Selection], settings: Settings) -> Shape:
    """The shape of the statement that answers these selections of a `label` node."""
    chosen = tuple(selections)
    key = (id(label), tuple(id(selection) for selection in chosen), id(settings))
    found = _SHAPES.get(key)
    if (
        found is not None
        and found[0] is label
        and found[2] is settings
        and all(a is b for a, b in zip(found[1], chosen, strict=True))
    ):
        _SHAPES.move_to_end(key)
        return found[3]
    shape = _shape_of(label, chosen, settings)
    _SHAPES[key] = (label, chosen, settings, shape)
    if len(_SHAPES) > _SHAPES_MAX:
        _SHAPES.popitem(last=False)
    return shape


PartReader = Callable[[SelectedField, Settings, Part | None], Part]
"""Reads a selected field into the part that renders it, given the part already read for
the same answer (another selection of the field merged into it), if any."""


@dataclass(frozen=True)
class _FieldPart:
    labels: frozenset[str] | None
    read: PartReader
    per_alias: bool


# The fields features answer with parts (`kesher.graph.parts`), by their snake_case names,
# in the order their parts are rendered.
_PARTS: dict[str, _FieldPart] = {}


def read_as_part(
    name: str, read: PartReader, labels: Iterable[str] | None = None, per_alias: bool = False
) -> None:
    """Registers how a feature reads field `name` (snake_case) of nodes of `labels` (of
    any label when None) into a part of the shape. A field read `per_alias` is answered
    once per response key; otherwise every selection of it merges into one part, which the
    answer holds under the field's own name."""
    if name in _PARTS:
        raise ValueError(f"the field {name} is already read as a part")
    _PARTS[name] = _FieldPart(frozenset(labels) if labels is not None else None, read, per_alias)


def _shape_of(label: Label, selections: Iterable[Selection], settings: Settings) -> Shape:
    properties: set[str] = set()
    links: list[Link] = []
    counts: set[str] | None = None
    facets: list[Facet] = []
    parts: dict[tuple[int, str], Part] = {}
    for field in fields(selections):
        name = snake(field.name)
        if name in label.properties:
            properties.add(name)
        elif name in label.relations:
            relation = label.relations[name]
            target = LABELS[relation.target]
            if relation.many:
                shape, page = connection_shape(
                    target, field, settings, order_of(relation.order, relation.descending)
                )
                conditions = tuple(
                    (template, _plain(field.arguments[argument]))
                    for argument, template in relation.arguments.items()
                    if field.arguments.get(argument) is not None
                )
                links.append(Link(response_key(field), relation, shape, page, conditions))
            else:
                shape = shape_of(target, field.selections, settings)
                links.append(Link(response_key(field), relation, shape))
        elif name in label.facets:
            facet = LABELS[label.facets[name]]
            facets.append(Facet(response_key(field), shape_of(facet, field.selections, settings)))
        elif name == "linked_counts":
            asked = {snake(f.name) for f in fields(field.selections)} & set(label.counts)
            counts = (counts or set()) | asked
        elif (reader := _PARTS.get(name)) is not None and (
            reader.labels is None or label.name in reader.labels
        ):
            slot = (list(_PARTS).index(name), response_key(field) if reader.per_alias else name)
            parts[slot] = reader.read(field, settings, parts.get(slot))
    return Shape(
        label,
        frozenset(properties),
        tuple(links),
        frozenset(counts) if counts is not None else None,
        tuple(facets),
        tuple(part for _, part in sorted(parts.items(), key=lambda item: item[0][0])),
    )


def _plain(value: Any) -> Any:
    """An argument as Cypher takes it: enums (from variables) as their values."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.value if isinstance(value, Enum) else value


def int_argument(value: Any) -> int | None:
    # Literals in the document arrive as text; validation has already checked the type.
    return int(value) if isinstance(value, str) else value


def paged(
    arguments: dict[str, Any], settings: Settings, order_name: str, order: tuple[SortKey, ...]
) -> Page:
    """The page a connection's `first`/`after` or `last`/`before` ask for."""
    return page_of(
        first=int_argument(arguments.get("first")),
        after=arguments.get("after"),
        last=int_argument(arguments.get("last")),
        before=arguments.get("before"),
        order_name=order_name,
        order=order,
        total=False,
        default_size=settings.default_page_size,
        max_size=settings.max_page_size,
    )


def counted(page: Page, selections: Iterable[Selection]) -> Page:
    """The page with what its connection's selection asks the statement to count: the
    total, and whether rows lie behind its cursor (`hasPreviousPage` of a forward page,
    `hasNextPage` of a backward one)."""
    flags = {f.name for f in fields(child(selections, "pageInfo"))}
    behind = ("hasNextPage" if page.backward else "hasPreviousPage") in flags
    total = any(f.name == "totalCount" for f in fields(selections))
    return replace(page, total=total, behind=behind and page.cursor is not None)


def connection_shape(
    label: Label,
    field: SelectedField,
    settings: Settings,
    order: tuple[SortKey, ...],
    order_name: str = "NAME_ASC",
) -> tuple[Shape, Page]:
    """The node shape and page of a connection field (`edges { node }`, `totalCount`,
    `pageInfo`)."""
    nodes = child(child(field.selections, "edges"), "node")
    page = counted(paged(field.arguments, settings, order_name, order), field.selections)
    return shape_of(label, nodes, settings), page
