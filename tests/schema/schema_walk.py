"""Documents built from the schema itself: the widest selection of a root field that the
service's limits allow, with required arguments filled from seeded data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_non_null_type,
    parse,
    validate,
)
from graphql.validation import ASTValidationRule

# Fills a required argument: (field name, argument name, argument type) → a value, or
# Undefined when the walk should leave the field out.
Filler = Callable[[str, str, GraphQLArgument], Any]


@dataclass(frozen=True)
class Limits:
    depth: int
    tokens: int
    rules: tuple[type[ASTValidationRule], ...]


def literal(value: Any) -> str:
    """A Python value as a GraphQL literal (enum values are passed as `Enum(name)`)."""
    if isinstance(value, EnumValue):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


@dataclass(frozen=True)
class EnumValue:
    name: str


def required(argument: GraphQLArgument) -> bool:
    return is_non_null_type(argument.type) and argument.default_value is Undefined


def arguments_of(field_name: str, field: GraphQLField, fill: Filler) -> str | None:
    """The field's arguments: required ones filled, `first: 3` on a connection, others
    left out; None when a required one cannot be filled."""
    parts: list[str] = []
    for name, argument in field.args.items():
        if required(argument):
            value = fill(field_name, name, argument)
            if value is Undefined:
                return None
            parts.append(f"{name}: {literal(value)}")
        elif name == "first":
            parts.append("first: 3")
    return "(" + ", ".join(parts) + ")" if parts else ""


def first_enum_value(kind: GraphQLInputType) -> Any:
    named = get_named_type(kind)
    assert isinstance(named, GraphQLEnumType)
    value = EnumValue(next(iter(named.values)))
    inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    return [value] if isinstance(inner, GraphQLList) else value


def selection(
    schema: GraphQLSchema,
    named: GraphQLNamedType,
    depth: int,
    fill: Filler,
    path: tuple[str, ...] = (),
    aliased: frozenset[str] = frozenset(),
) -> str:
    """Every field of `named` (fragments on each type of a union or interface), objects
    expanded while `depth` lasts and not already being expanded above. In the fragments,
    a field that two of the types give different types is asked for under an alias of
    each type's own (`statusCustomer: status`), as GraphQL requires."""
    if is_abstract_type(named):
        possible_types = schema.get_possible_types(named)
        kinds: dict[str, set[str]] = {}
        for possible in possible_types:
            for name, field in possible.fields.items():
                kinds.setdefault(name, set()).add(str(field.type))
        conflicting = frozenset(name for name, found in kinds.items() if len(found) > 1)
        parts = ["__typename"]
        for possible in possible_types:
            inner = selection(schema, possible, depth, fill, path, conflicting)
            parts.append(f"... on {possible.name} {{ {inner} }}")
        return " ".join(parts)
    assert isinstance(named, GraphQLObjectType)
    parts = ["__typename"]
    for name, field in named.fields.items():
        arguments = arguments_of(name, field, fill)
        if arguments is None:
            continue
        target = get_named_type(field.type)
        key = f"{name}{named.name}: {name}" if name in aliased else name
        if is_leaf_type(target):
            parts.append(key + arguments)
            continue
        if depth <= 1 or target.name in path:
            continue
        inner = selection(schema, target, depth - 1, fill, (*path, named.name))
        parts.append(f"{key}{arguments} {{ {inner} }}")
    return " ".join(parts)


def widest_query(
    schema: GraphQLSchema, root_field: str, fill: Filler, limits: Limits
) -> tuple[str, int]:
    """The document asking for `root_field` as widely as the limits allow, and the depth
    of objects it reaches."""
    query = schema.query_type
    assert query is not None
    field = query.fields[root_field]
    arguments = arguments_of(root_field, field, fill)
    assert arguments is not None, f"{root_field}: a required argument cannot be filled"
    target = get_named_type(field.type)
    for depth in range(limits.depth, 0, -1):
        if is_leaf_type(target):
            document = f"{{ {root_field}{arguments} }}"
        else:
            inner = selection(schema, target, depth, fill, ("Query",))
            document = f"{{ {root_field}{arguments} {{ {inner} }} }}"
        try:
            parsed = parse(document, max_tokens=limits.tokens)
        except GraphQLSyntaxError:
            continue
        if not validate(schema, parsed, [*_specified(), *limits.rules]):
            return document, depth
    raise AssertionError(f"{root_field}: no selection fits the limits")


def _specified() -> list[type[ASTValidationRule]]:
    from graphql import specified_rules

    return list(specified_rules)
