"""What the executor's fast path completes a plain object with: a plan of its selected
fields (`Plan`, one `Entry` each: the value read from the row and how it is completed),
and the plan written out as a Python function of a row (`compiled`). A function answers
one row, or None when some value needs graphql-core's standard path, which then gives the
standard error (see `kesher.schema.execution`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import methodcaller
from typing import Any

from graphql import GraphQLBoolean, GraphQLID, GraphQLInt, GraphQLString, is_enum_type

from kesher.schema.scalars import isoformat

_COMPILED_MAX = 2048


@dataclass(frozen=True, slots=True)
class Nested:
    """A selected field whose value is itself a plain object: the function that completes
    it (see `compiled`), and the response key, under which the statement builder puts a
    followed relation (so that two aliases of one relation can differ)."""

    complete: RowCompleter
    response_key: str


@dataclass(frozen=True, slots=True)
class Many:
    """A selected field whose value is a list: how each item is completed (a leaf's
    serializer or a plain object), the Python type a leaf item passes through as it is,
    whether an item may be null, and the response key, as for `Nested`."""

    item: Callable[[Any], Any] | Nested
    item_plain: type | None
    item_nullable: bool
    response_key: str


Completer = Callable[[Any], Any] | Nested | Many

# Per selected field: response key, row key, how to complete the value (a serializer, a
# nested object, a list, or None for `__typename`), whether it may be null, and the Python
# type a leaf's value passes through as it is (its serializer would return it unchanged).
Entry = tuple[str, str, "Completer | None", bool, "type | None"]
Plan = tuple[Entry, ...]

# A plan made into a function (`compiled`): the answer for one row, or None when some
# value needs the standard path (which then gives the standard error).
RowCompleter = Callable[[Mapping[str, Any]], "dict[str, Any] | None"]


@dataclass(frozen=True, slots=True)
class Mixed:
    """An object only some of whose selected fields are plain (a card with its lists, whose
    arguments page what its statement fetched): by response key, in the order selected,
    the function that completes the field alone (`{key: value}`, or None when the standard
    path must), or None for a field the standard path resolves."""

    fields: tuple[tuple[str, RowCompleter | None], ...]


def leaf(leaf_type: Any) -> tuple[Callable[[Any], Any], type | None]:
    """A leaf type's serializer, and the Python type whose values it returns unchanged: a
    string for String and ID, a bool for Boolean. A date or time is written by its own
    `isoformat`; an enum's few names are remembered once serialized."""
    serialize: Callable[[Any], Any] = leaf_type.serialize
    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        return serialize, str
    if leaf_type is GraphQLBoolean:
        return serialize, bool
    if leaf_type is GraphQLInt:
        return _int, None
    if serialize is isoformat:
        return _ISOFORMAT, None
    if is_enum_type(leaf_type):
        remembered = _REMEMBERED.get(serialize)
        if remembered is None:
            remembered = _REMEMBERED[serialize] = _remembered(serialize)
        return remembered, None
    return serialize, None


def _int(value: Any) -> Any:
    """An Int: a Python int within GraphQL's 32 bits as it is, anything else as graphql-core
    serializes it (and refuses it)."""
    if type(value) is int and _INT_MIN <= value <= _INT_MAX:
        return value
    return GraphQLInt.serialize(value)


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

_ISOFORMAT = methodcaller("isoformat")

# Each enum's remembering serializer, one per enum of the schema, so that plans of the
# same fields are equal (see `compiled`).
_REMEMBERED: dict[Callable[[Any], Any], Callable[[Any], Any]] = {}


def _remembered(serialize: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An enum's serializer that remembers each name it gave; it refuses any string that
    is not one of the enum's values, so what it keeps is bounded by the enum."""
    known: dict[str, Any] = {}

    def complete(value: Any) -> Any:
        if type(value) is str:
            done = known.get(value)
            if done is None:
                done = known[value] = serialize(value)
            return done
        return serialize(value)

    return complete


# The functions made from plans, by plan: a document planned per request (one with
# directives) finds the function its plan had before instead of making it again.
_COMPILED: OrderedDict[tuple[Plan, str], RowCompleter] = OrderedDict()


def compiled(plan: Plan, type_name: str) -> RowCompleter:
    """The plan as a function of a row: the answer for one plain object, or None when some
    value needs the standard path.

    The function is written out for the plan, a few lines per field with its keys,
    serializer and pass-through type bound to names, so completing a row spends no time
    reading the plan; it is what reading the plan field by field did, in the same order
    with the same outcomes. A calendar of ten lanes completes some 1,600 objects."""
    key = (plan, type_name)
    found = _COMPILED.get(key)
    if found is not None:
        _COMPILED.move_to_end(key)
        return found
    names: dict[str, Any] = {
        "Mapping": Mapping,
        "complete_many": complete_many,
        "type_name": type_name,
    }
    lines = ["def complete(row):"]
    answer: list[str] = []
    for i, (response_key, row_key, complete, nullable, plain) in enumerate(plan):
        value = f"v{i}"
        names[f"r{i}"] = response_key
        answer.append(f"r{i}: {value}")
        if complete is None:
            lines.append(f"    {value} = type_name")
            continue
        names[f"k{i}"] = row_key
        if isinstance(complete, Nested | Many):
            names[f"s{i}"] = complete.response_key
            lines.append(f"    {value} = row[s{i}] if s{i} in row else row.get(k{i})")
        else:
            lines.append(f"    {value} = row.get(k{i})")
        if plain is not None:
            names[f"p{i}"] = plain
            lines.append(f"    if type({value}) is p{i}:")
            lines.append("        pass")
            lines.append(f"    elif {value} is None:")
        else:
            lines.append(f"    if {value} is None:")
        lines.append("        pass" if nullable else "        return None")
        lines.append("    else:")
        names[f"c{i}"] = complete.complete if isinstance(complete, Nested) else complete
        if isinstance(complete, Nested):
            lines.append(
                f"        if type({value}) is not dict and not isinstance({value}, Mapping):"
            )
            lines.append("            return None")
            lines.append(f"        {value} = c{i}({value})")
        elif isinstance(complete, Many):
            lines.append(f"        {value} = complete_many(c{i}, {value})")
        else:
            lines.append("        try:")
            lines.append(f"            {value} = c{i}({value})")
            lines.append("        except Exception:")
            lines.append("            return None")
        lines.append(f"        if {value} is None:")
        lines.append("            return None")
    lines.append("    return {" + ", ".join(answer) + "}")
    # Keys, serializers and types reach the code as names bound to values, never as text.
    exec("\n".join(lines), names)
    made: RowCompleter = names["complete"]
    _COMPILED[key] = made
    if len(_COMPILED) > _COMPILED_MAX:
        _COMPILED.popitem(last=False)
    return made


def complete_many(many: Many, values: Any) -> list[Any] | None:
    if type(values) is not list and type(values) is not tuple:
        return None
    item, plain = many.item, many.item_plain
    nested = isinstance(item, Nested)
    complete = item.complete if isinstance(item, Nested) else item
    done: list[Any] = []
    for value in values:
        if type(value) is plain:
            done.append(value)
        elif value is None:
            if not many.item_nullable:
                return None
            done.append(None)
        else:
            if nested:
                if type(value) is not dict and not isinstance(value, Mapping):
                    return None
                completed = complete(value)
            else:
                try:
                    completed = complete(value)
                except Exception:
                    return None
            if completed is None:
                return None
            done.append(completed)
    return done
