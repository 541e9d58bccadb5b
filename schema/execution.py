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
from typing import Any

from graphql import (
    BREAK,
    FragmentDefinitionNode,
    GraphQLObjectType,
    OperationDefinitionNode,
    Visitor,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from kesher import metrics
from kesher.schema.node import reads_rows


@dataclass(frozen=True, slots=True)
class _Nested:
    """A selected field whose value is itself a plain object: its plan and type name, and
    the response key, under which the statement builder puts a followed relation (so that
    two aliases of one relation can differ)."""

    plan: _Plan
    type_name: str
    response_key: str


# Per selected field: response key, row key, how to complete the value (a serializer, a
# nested object, or None for `__typename`), and whether it may be null.
_Plan = tuple[tuple[str, str, "Callable[[Any], Any] | _Nested | None", bool], ...]


# Plans outlive a request: the parser cache hands every request with the same document the
# same syntax nodes, so a plan is found again by the nodes of its fields (held here, so
# their ids stay theirs) and the type. A document with directives is planned per request,
# since `@skip` / `@include` may turn on its variables.
_SHARED_PLANS: OrderedDict[tuple[str, tuple[tuple[str, int], ...]], tuple[Any, _Plan | None]] = (
    OrderedDict()
)
_SHARED_PLANS_MAX = 2048


class PlainObjectsExecution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[GroupedFieldSet, GraphQLObjectType, _Plan | None]] = {}
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
            plan = self._plan(parent_type, grouped_field_set)
            if plan is not None:
                done = _complete(plan, source_value, parent_type.name)
                if done is not None:
                    return done
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

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

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> _Plan | None:
        # The executor memoizes grouped field sets, so one serves every row of a list.
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields and cached[1] is parent_type:
            return cached[2]
        plan = self._shared_plan(parent_type, fields)
        self._plans[id(fields)] = (fields, parent_type, plan)
        return plan

    def _shared_plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> _Plan | None:
        if not self._shareable:
            return self._plain_plan(parent_type, fields)
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
        plan = self._plain_plan(parent_type, fields)
        _SHARED_PLANS[key] = (nodes, plan)
        if len(_SHARED_PLANS) > _SHARED_PLANS_MAX:
            _SHARED_PLANS.popitem(last=False)
        return plan

    def _plain_plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> _Plan | None:
        entries: list[tuple[str, str, Callable[[Any], Any] | _Nested | None, bool]] = []
        for response_key, details in fields.items():
            name = details[0].node.name.value
            if name == "__typename":
                entries.append((response_key, "", None, False))
                continue
            entry = self._plain_entry(parent_type, name, details)
            if entry is None:
                return None
            if isinstance(entry[1], _Nested):
                entry = (
                    entry[0],
                    _Nested(entry[1].plan, entry[1].type_name, response_key),
                    entry[2],
                )
            entries.append((response_key, *entry))
        return tuple(entries)

    def _plain_entry(
        self, parent_type: GraphQLObjectType, name: str, details: FieldDetailsList
    ) -> tuple[str, Callable[[Any], Any] | _Nested, bool] | None:
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
        if node.selection_set is None:
            if not is_leaf_type(field_type):
                return None
            return definition.python_name, field_type.serialize, nullable
        if not is_object_type(field_type) or not _plain(field_type):
            return None
        collected = self.collect_subfields(field_type, details)
        if collected.new_defer_usages:
            return None
        plan = self._plain_plan(field_type, collected.grouped_field_set)
        if plan is None:
            return None
        return definition.python_name, _Nested(plan, field_type.name, name), nullable


async def _timed(result: Awaitable[Any], operation: str, name: str, started: float) -> Any:
    try:
        return await result
    finally:
        metrics.root_field_done(operation, name, time.perf_counter() - started)


def _plain(object_type: GraphQLObjectType) -> bool:
    """The type takes rows as they come: no check of the value's type, or the Node
    interface's, which takes any row."""
    return object_type.is_type_of is None or reads_rows(object_type.is_type_of)


def _complete(plan: _Plan, row: Mapping[str, Any], type_name: str) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    for response_key, row_key, serialize, nullable in plan:
        if serialize is None:
            result[response_key] = type_name
            continue
        if isinstance(serialize, _Nested) and serialize.response_key in row:
            value = row[serialize.response_key]
        else:
            value = row.get(row_key)
        if value is None:
            if not nullable:
                return None
            result[response_key] = None
            continue
        if isinstance(serialize, _Nested):
            if not isinstance(value, Mapping):
                return None
            completed = _complete(serialize.plan, value, serialize.type_name)
        else:
            try:
                completed = serialize(value)
            except Exception:
                return None
        if completed is None:
            return None
        result[response_key] = completed
    return result


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
