"""Reads a GraphQL selection into the shape of the one statement that answers it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from enum import Enum
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from kesher.codes import Code
from kesher.graph.catalog import InvalidKey, check_key
from kesher.graph.labels import Label
from kesher.graph.model import LABELS
from kesher.graph.shapes import Facet, Link, Page, RelationshipList, Shape, SortKey
from kesher.resolvers.errors import ClientError
from kesher.resolvers.pagination import order_of, page_of, page_size
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


def _shape_of(label: Label, selections: Iterable[Selection], settings: Settings) -> Shape:
    properties: set[str] = set()
    links: list[Link] = []
    counts: set[str] | None = None
    relationships: list[RelationshipList] = []
    is_linked = False
    linked_customers: int | None = None
    facets: list[Facet] = []
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
        elif name == "relationships" and label.name in RELATABLE:
            relationships.append(relationship_list(field, settings))
        elif name == "is_linked_to_customers":
            is_linked = True
        elif name == "linked_customers":
            first = linked_customers_first(field.arguments.get("first"), settings)
            linked_customers = max(first, linked_customers or 0)
    return Shape(
        label,
        frozenset(properties),
        tuple(links),
        frozenset(counts) if counts is not None else None,
        tuple(relationships),
        is_linked,
        linked_customers,
        tuple(facets),
    )


RELATABLE = frozenset({"Customer", "Contact", "Project"})

# A card lists relationships in catalog order, then by the other party's name.
RELATIONSHIP_ORDER = "CATALOG_ORDER"
RELATIONSHIP_KEYS = (SortKey("sortOrder"), SortKey("name"))


def relationship_page(arguments: dict[str, Any], settings: Settings) -> Page:
    return paged(arguments, settings, RELATIONSHIP_ORDER, RELATIONSHIP_KEYS)


def relationship_list(field: SelectedField, settings: Settings) -> RelationshipList:
    arguments = field.arguments
    page = counted(relationship_page(arguments, settings), field.selections)
    type_keys = arguments.get("typeKeys")
    if type_keys is not None:
        try:
            type_keys = [check_key(key) for key in type_keys]
        except InvalidKey as error:
            raise ClientError(
                f"typeKeys: {error}", code=Code.INVALID_INPUT, field="typeKeys"
            ) from error
    in_effect_on = arguments.get("inEffectOn")
    if isinstance(in_effect_on, str):
        try:
            in_effect_on = date.fromisoformat(in_effect_on)
        except ValueError as error:
            raise ClientError(
                "inEffectOn: not a date (YYYY-MM-DD).", code=Code.INVALID_INPUT, field="inEffectOn"
            ) from error
    return RelationshipList(
        key=response_key(field),
        page=page,
        type_keys=frozenset(type_keys) if type_keys is not None else None,
        in_effect_on=in_effect_on,
    )


def linked_customers_first(value: Any, settings: Settings) -> int:
    return page_size(_int(value), settings.default_page_size, settings.max_page_size)


def _plain(value: Any) -> Any:
    """An argument as Cypher takes it: enums (from variables) as their values."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.value if isinstance(value, Enum) else value


def _int(value: Any) -> int | None:
    # Literals in the document arrive as text; validation has already checked the type.
    return int(value) if isinstance(value, str) else value


def paged(
    arguments: dict[str, Any], settings: Settings, order_name: str, order: tuple[SortKey, ...]
) -> Page:
    """The page a connection's `first`/`after` or `last`/`before` ask for."""
    return page_of(
        first=_int(arguments.get("first")),
        after=arguments.get("after"),
        last=_int(arguments.get("last")),
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
