"""graphql-core's executor with a fast path for plain objects.

Most of an answer is objects whose selected fields are plain values read from a row: a
map's nodes and edges, a list's records, a calendar's activities with their type and
customer. The standard executor spends a resolver call, a resolve-info object and a
completion step on each such field, which for a map of a few hundred nodes costs more
than the database does. For an object whose every selected field has the default
resolver and no arguments, permission or extension, and is a scalar, an enum or (in
turn) such an object, this executor reads the row and serializes each value itself.
Anything else, and any value it cannot complete without an error (a null in a non-null
field, a value the scalar refuses, a nested value that is not a row), takes the
standard path, so results and errors are exactly the standard ones.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from operator import methodcaller
from typing import Any

from graphql import (
    BREAK,
    FragmentDefinitionNode,
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLString,
    OperationDefinitionNode,
    Visitor,
    is_enum_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from kesher import metrics
from kesher.schema.node import reads_rows
from kesher.schema.scalars import isoformat


@dataclass(frozen=True, slots=True)
class _Nested:
    """A selected field whose value is itself a plain object: the function that completes
    it (see `_compiled`), and the response key, under which the statement builder puts a
    followed relation (so that two aliases of one relation can differ)."""

    complete: _Object
    response_key: str


@dataclass(frozen=True, slots=True)
class _Many:
    """A selected field whose value is a list: how each item is completed (a leaf's
    serializer or a plain object), the Python type a leaf item passes through as it is,
    whether an item may be null, and the response key, as for `_Nested`."""

    item: Callable[[Any], Any] | _Nested
    item_plain: type | None
    item_nullable: bool
    response_key: str


_Completer = Callable[[Any], Any] | _Nested | _Many

# Per selected field: response key, row key, how to complete the value (a serializer, a
# nested object, a list, or None for `__typename`), whether it may be null, and the Python
# type a leaf's value passes through as it is (its serializer would return it unchanged).
_Entry = tuple[str, str, "_Completer | None", bool, "type | None"]
_Plan = tuple[_Entry, ...]

# A plan made into a function (`_compiled`): the answer for one row, or None when some
# value needs the standard path (which then gives the standard error).
_Object = Callable[[Mapping[str, Any]], "dict[str, Any] | None"]


@dataclass(frozen=True, slots=True)
class _Mixed:
    """An object only some of whose selected fields are plain (a card with its lists, whose
    arguments page what its statement fetched): by response key, in the order selected,
    the function that completes the field alone (`{key: value}`, or None when the standard
    path must), or None for a field the standard path resolves."""

    fields: tuple[tuple[str, _Object | None], ...]


# Plans outlive a request: the parser cache hands every request with the same document the
# same syntax nodes, so a plan is found again by the nodes of its fields (held here, so
# their ids stay theirs) and the type. A document with directives is planned per request,
# since `@skip` / `@include` may turn on its variables.
_SHARED_PLANS: OrderedDict[
    tuple[str, tuple[tuple[str, int], ...]], tuple[Any, _Object | _Mixed | None]
] = OrderedDict()
_SHARED_PLANS_MAX = 2048


class PlainObjectsExecution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[
            int, tuple[GroupedFieldSet, GraphQLObjectType, _Object | _Mixed | None]
        ] = {}
        self._shareable = _without_directives(
            self.operation, [details.definition for details in self.fragments.values()]
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any = None,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if isinstance(source_value, Mapping):
            complete = self._plan(parent_type, grouped_field_set)
            if isinstance(complete, _Mixed):
                if path is not None:
                    return self._execute_mixed(
                        complete,
                        parent_type,
                        source_value,
                        path,
                        grouped_field_set,
                        position_context,
                    )
            elif complete is not None:
                done = complete(source_value)
                if done is not None:
                    return done
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _execute_mixed(
        self,
        mixed: _Mixed,
        parent_type: GraphQLObjectType,
        source_value: Mapping[str, Any],
        path: Path,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's `execute_fields`, but a plain field is completed from the row
        where it stands; one that cannot be (a null in a non-null field, a value its scalar
        refuses) takes the standard path, which gives the standard error."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, complete in mixed.fields:
                if complete is not None:
                    done = complete(source_value)
                    if done is not None:
                        results[response_name] = done[response_name]
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    grouped_field_set[response_name],
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """Resolves a field; a root field's time, to its completed value, goes to the
        metrics."""
        if path.prev is not None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        operation = parent_type.name.lower()
        name = field_details_list[0].node.name.value
        started = time.perf_counter()
        result = super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
        if self.is_awaitable(result):
            return _timed(result, operation, name, started)
        metrics.root_field_done(operation, name, time.perf_counter() - started)
        return result

    def _plan(
        self, parent_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> _Object | _Mixed | None:
        # The executor memoizes grouped field sets, so one serves every row of a list.
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields and cached[1] is parent_type:
            return cached[2]
        plan = self._shared_plan(parent_type, fields)
        self._plans[id(fields)] = (fields, parent_type, plan)
        return plan

    def _shared_plan(
        self, parent_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> _Object | _Mixed | None:
        if not self._shareable:
            return self._object(parent_type, fields)
        nodes = tuple(details[0].node for details in fields.values())
        key = (
            parent_type.name,
            tuple(
                (response_key, id(node)) for response_key, node in zip(fields, nodes, strict=True)
            ),
        )
        found = _SHARED_PLANS.get(key)
        if found is not None and all(a is b for a, b in zip(found[0], nodes, strict=True)):
            _SHARED_PLANS.move_to_end(key)
            return found[1]
        complete = self._object(parent_type, fields)
        _SHARED_PLANS[key] = (nodes, complete)
        if len(_SHARED_PLANS) > _SHARED_PLANS_MAX:
            _SHARED_PLANS.popitem(last=False)
        return complete

    def _object(
        self, parent_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> _Object | _Mixed | None:
        """How an object of the type with these fields is completed: a function when they
        are all plain, field by field when some are, None when the standard path must."""
        entries = self._entries(parent_type, fields)
        if all(entry is not None for _, entry in entries):
            plan = tuple(entry for _, entry in entries if entry is not None)
            return _compiled(plan, parent_type.name)
        if all(entry is None for _, entry in entries):
            return None
        name = parent_type.name
        return _Mixed(
            tuple(
                (key, None if entry is None else _compiled((entry,), name))
                for key, entry in entries
            )
        )

    def _plain_plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> _Plan | None:
        """The plan of an object whose fields are all plain; None when one is not."""
        entries = self._entries(parent_type, fields)
        if any(entry is None for _, entry in entries):
            return None
        return tuple(entry for _, entry in entries if entry is not None)

    def _entries(
        self, parent_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> list[tuple[str, _Entry | None]]:
        """Each selected field's plan entry, None for one that is not plain."""
        entries: list[tuple[str, _Entry | None]] = []
        for response_key, details in fields.items():
            name = details[0].node.name.value
            if name == "__typename":
                entries.append((response_key, (response_key, "", None, False, None)))
                continue
            entry = self._plain_entry(parent_type, name, details, response_key)
            entries.append((response_key, None if entry is None else (response_key, *entry)))
        return entries

    def _plain_entry(
        self,
        parent_type: GraphQLObjectType,
        name: str,
        details: FieldDetailsList,
        response_key: str,
    ) -> tuple[str, _Completer, bool, type | None] | None:
        node = details[0].node
        field = parent_type.fields.get(name)
        if field is None or node.arguments:
            return None
        definition = (field.extensions or {}).get("strawberry-definition")
        if (
            definition is None
            or definition.base_resolver is not None
            or definition.permission_classes
            or definition.extensions
            or any(detail.node.directives for detail in details)
        ):
            return None
        field_type = field.type
        nullable = not is_non_null_type(field_type)
        if not nullable:
            field_type = field_type.of_type
        if not is_list_type(field_type):
            found = self._plain_value(field_type, details, response_key)
            return None if found is None else (definition.python_name, found[0], nullable, found[1])
        item_type = field_type.of_type
        item_nullable = not is_non_null_type(item_type)
        if not item_nullable:
            item_type = item_type.of_type
        item = self._plain_value(item_type, details, response_key)
        if item is None:
            return None
        many = _Many(item[0], item[1], item_nullable, response_key)
        return definition.python_name, many, nullable, None

    def _plain_value(
        self, value_type: Any, details: FieldDetailsList, response_key: str
    ) -> tuple[Callable[[Any], Any] | _Nested, type | None] | None:
        """How a value of the type is completed, and the Python type it passes through as;
        None when the standard path must complete it."""
        if details[0].node.selection_set is None:
            if not is_leaf_type(value_type):
                return None
            return _leaf(value_type)
        if not is_object_type(value_type) or not _plain(value_type):
            return None
        collected = self.collect_subfields(value_type, details)
        if collected.new_defer_usages:
            return None
        plan = self._plain_plan(value_type, collected.grouped_field_set)
        if plan is None:
            return None
        return _Nested(_compiled(plan, value_type.name), response_key), None


async def _timed(result: Awaitable[Any], operation: str, name: str, started: float) -> Any:
    try:
        return await result
    finally:
        metrics.root_field_done(operation, name, time.perf_counter() - started)


def _plain(object_type: GraphQLObjectType) -> bool:
    """The type takes rows as they come: no check of the value's type, or the Node
    interface's, which takes any row."""
    return object_type.is_type_of is None or reads_rows(object_type.is_type_of)


def _leaf(leaf_type: Any) -> tuple[Callable[[Any], Any], type | None]:
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
# same fields are equal (see `_compiled`).
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
_COMPILED: OrderedDict[tuple[_Plan, str], _Object] = OrderedDict()


def _compiled(plan: _Plan, type_name: str) -> _Object:
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
        "_complete_many": _complete_many,
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
        if isinstance(complete, _Nested | _Many):
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
        names[f"c{i}"] = complete.complete if isinstance(complete, _Nested) else complete
        if isinstance(complete, _Nested):
            lines.append(
                f"        if type({value}) is not dict and not isinstance({value}, Mapping):"
            )
            lines.append("            return None")
            lines.append(f"        {value} = c{i}({value})")
        elif isinstance(complete, _Many):
            lines.append(f"        {value} = _complete_many(c{i}, {value})")
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
    made: _Object = names["complete"]
    _COMPILED[key] = made
    if len(_COMPILED) > _SHARED_PLANS_MAX:
        _COMPILED.popitem(last=False)
    return made


def _complete_many(many: _Many, values: Any) -> list[Any] | None:
    if type(values) is not list and type(values) is not tuple:
        return None
    item, plain = many.item, many.item_plain
    nested = isinstance(item, _Nested)
    complete = item.complete if isinstance(item, _Nested) else item
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


_DIRECTIVE_FREE: OrderedDict[int, tuple[Any, bool]] = OrderedDict()


def _without_directives(
    operation: OperationDefinitionNode, fragments: list[FragmentDefinitionNode]
) -> bool:
    """Whether no selection of the operation or its fragments carries a directive; known
    by the operation's node, which the parser cache hands every request of a document."""
    found = _DIRECTIVE_FREE.get(id(operation))
    if found is not None and found[0] is operation:
        return found[1]
    free = not any(_has_directive(node) for node in (operation, *fragments))
    _DIRECTIVE_FREE[id(operation)] = (operation, free)
    if len(_DIRECTIVE_FREE) > _SHARED_PLANS_MAX:
        _DIRECTIVE_FREE.popitem(last=False)
    return free


def _has_directive(node: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_directive(self, *_: Any) -> Any:
            nonlocal found
            found = True
            return BREAK

    visit(node, Finder())
    return found
