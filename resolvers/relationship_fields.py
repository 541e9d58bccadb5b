"""What a record's card selects of its relationships, read into the parts the statement
builder renders (`kesher.graph.relationship_parts`): `relationships`,
`isLinkedToCustomers` and `linkedCustomers`."""

from __future__ import annotations

from datetime import date
from typing import Any

from strawberry.types.nodes import SelectedField

from kesher.codes import Code
from kesher.graph.catalog import InvalidKey, check_key
from kesher.graph.parts import Part
from kesher.graph.relationship_parts import LinkedCustomers, LinkedToCustomers, RelationshipList
from kesher.graph.shapes import Page, SortKey
from kesher.resolvers.errors import ClientError
from kesher.resolvers.pagination import page_size
from kesher.resolvers.selection import counted, int_argument, paged, read_as_part, response_key
from kesher.settings import Settings

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
    return page_size(int_argument(value), settings.default_page_size, settings.max_page_size)


def _relationships(field: SelectedField, settings: Settings, before: Part | None) -> Part:
    return relationship_list(field, settings)


def _is_linked(field: SelectedField, settings: Settings, before: Part | None) -> Part:
    return LinkedToCustomers()


def _linked_customers(field: SelectedField, settings: Settings, before: Part | None) -> Part:
    # Every selection of the field is answered by one list, long enough for the longest.
    first = linked_customers_first(field.arguments.get("first"), settings)
    if isinstance(before, LinkedCustomers):
        first = max(first, before.first)
    return LinkedCustomers(first)


read_as_part("relationships", _relationships, RELATABLE, per_alias=True)
read_as_part("is_linked_to_customers", _is_linked)
read_as_part("linked_customers", _linked_customers)
