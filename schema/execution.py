"""graphql-core's executor with a fast path for plain objects.

Most of an answer is objects whose selected fields are plain values read from a row: a
map's nodes and edges, a list's records. The standard executor spends a resolver call,
a resolve-info object and a completion step on each such field, which for a map of a few
hundred nodes costs more than the database does. For an object whose every selected
field is a scalar or enum with the default resolver and no permission or extension, this
executor reads the row and serializes each value itself. Anything else, and any value it
cannot complete without an error (a null in a non-null field, a value the scalar
refuses), takes the standard path, so results and errors are exactly the standard ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLObjectType, is_leaf_type, is_non_null_type
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# Per selected field: response key, row key, serializer (None: `__typename`), nullable.
_Plan = tuple[tuple[str, str, Callable[[Any], Any] | None, bool], ...]


class PlainObjectsExecution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[GroupedFieldSet, GraphQLObjectType, _Plan | None]] = {}

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

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> _Plan | None:
        # The executor memoizes grouped field sets, so one serves every row of a list.
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields and cached[1] is parent_type:
            return cached[2]
        plan = _plain_plan(parent_type, fields)
        self._plans[id(fields)] = (fields, parent_type, plan)
        return plan


def _plain_plan(parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> _Plan | None:
    entries: list[tuple[str, str, Callable[[Any], Any] | None, bool]] = []
    for response_key, details in fields.items():
        node = details[0].node
        name = node.name.value
        if name == "__typename":
            entries.append((response_key, "", None, False))
            continue
        field = parent_type.fields.get(name)
        if field is None or node.arguments or node.selection_set is not None:
            return None
        definition = (field.extensions or {}).get("strawberry-definition")
        if (
            definition is None
            or definition.base_resolver is not None
            or definition.permission_classes
            or definition.extensions
        ):
            return None
        field_type = field.type
        nullable = not is_non_null_type(field_type)
        if not nullable:
            field_type = field_type.of_type
        if not is_leaf_type(field_type):
            return None
        entries.append((response_key, definition.python_name, field_type.serialize, nullable))
    return tuple(entries)


def _complete(plan: _Plan, row: Mapping[str, Any], type_name: str) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    for response_key, row_key, serialize, nullable in plan:
        if serialize is None:
            result[response_key] = type_name
            continue
        value = row.get(row_key)
        if value is None:
            if not nullable:
                return None
            result[response_key] = None
            continue
        try:
            completed = serialize(value)
        except Exception:
            return None
        if completed is None:
            return None
        result[response_key] = completed
    return result
