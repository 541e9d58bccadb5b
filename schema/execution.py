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
from typing import Any

from graphql import (
    BREAK,
    FragmentDefinitionNode,
    GraphQLObjectType,
    OperationDefinitionNode,
    Visitor,
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
from kesher.schema.completion import (
    Completer,
    Entry,
    Many,
    Mixed,
    Nested,
    Plan,
    RowCompleter,
    compiled,
    leaf,
)
from kesher.schema.node import reads_rows

# Plans outlive a request: the parser cache hands every request with the same document the
# same syntax nodes, so a plan is found again by the nodes of its fields (held here, so
# their ids stay theirs) and the type. A document with directives is planned per request,
# since `@skip` / `@include` may turn on its variables.
_SHARED_PLANS: OrderedDict[
    tuple[str, tuple[tuple[str, int], ...]], tuple[Any, RowCompleter | Mixed | None]
] = OrderedDict()
_SHARED_PLANS_MAX = 2048


class PlainObjectsExecution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[
            int, tuple[GroupedFieldSet, GraphQLObjectType, RowCompleter | Mixed | None]
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
            if isinstance(complete, Mixed):
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
        mixed: Mixed,
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
    ) -> RowCompleter | Mixed | None:
        # The executor memoizes grouped field sets, so one serves every row of a list.
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields and cached[1] is parent_type:
            return cached[2]
        plan = self._shared_plan(parent_type, fields)
        self._plans[id(fields)] = (fields, parent_type, plan)
        return plan

    def _shared_plan(
        self, parent_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> RowCompleter | Mixed | None:
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
    ) -> RowCompleter | Mixed | None:
        """How an object of the type with these fields is completed: a function when they
        are all plain, field by field when some are, None when the standard path must."""
        entries = self._entries(parent_type, fields)
        name = parent_type.name
        plan = _whole(entries)
        if plan is not None:
            return compiled(plan, name)
        if all(entry is None for entry in entries):
            return None
        return Mixed(
            tuple(
                (key, None if entry is None else compiled((entry,), name))
                for key, entry in zip(fields, entries, strict=True)
            )
        )

    def _plain_plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> Plan | None:
        """The plan of an object whose fields are all plain; None when one is not."""
        return _whole(self._entries(parent_type, fields))

    def _entries(
        self, parent_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> list[Entry | None]:
        """Each selected field's plan entry, in the order selected; None for one that is
        not plain."""
        entries: list[Entry | None] = []
        for response_key, details in fields.items():
            name = details[0].node.name.value
            if name == "__typename":
                entries.append((response_key, "", None, False, None))
                continue
            entry = self._plain_entry(parent_type, name, details, response_key)
            entries.append(None if entry is None else (response_key, *entry))
        return entries

    def _plain_entry(
        self,
        parent_type: GraphQLObjectType,
        name: str,
        details: FieldDetailsList,
        response_key: str,
    ) -> tuple[str, Completer, bool, type | None] | None:
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
        many = Many(item[0], item[1], item_nullable, response_key)
        return definition.python_name, many, nullable, None

    def _plain_value(
        self, value_type: Any, details: FieldDetailsList, response_key: str
    ) -> tuple[Callable[[Any], Any] | Nested, type | None] | None:
        """How a value of the type is completed, and the Python type it passes through as;
        None when the standard path must complete it."""
        if details[0].node.selection_set is None:
            if not is_leaf_type(value_type):
                return None
            return leaf(value_type)
        if not is_object_type(value_type) or not _plain(value_type):
            return None
        collected = self.collect_subfields(value_type, details)
        if collected.new_defer_usages:
            return None
        plan = self._plain_plan(value_type, collected.grouped_field_set)
        if plan is None:
            return None
        return Nested(compiled(plan, value_type.name), response_key), None


def _whole(entries: list[Entry | None]) -> Plan | None:
    """The plan of entries that are all plain; None when one is not."""
    plan = tuple(entry for entry in entries if entry is not None)
    return plan if len(plan) == len(entries) else None


async def _timed(result: Awaitable[Any], operation: str, name: str, started: float) -> Any:
    try:
        return await result
    finally:
        metrics.root_field_done(operation, name, time.perf_counter() - started)


def _plain(object_type: GraphQLObjectType) -> bool:
    """The type takes rows as they come: no check of the value's type, or the Node
    interface's, which takes any row."""
    return object_type.is_type_of is None or reads_rows(object_type.is_type_of)


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
