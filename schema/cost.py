"""What a query may cost, known before it runs.

The cost of an operation is the number of objects its answer can hold at most, found from
the document alone (as GitHub's node limit is): every selected field of an object type
counts once for each object it can appear under, and a list multiplies what is under it
by how long it can be. A connection's page is its `first` or `last` argument (the default
page size without one, the page cap at most); a list picked by ids is as long as the ids
given; a relation map holds its `limit`; a calendar lane and a process tree their own
caps; any other list counts as a full page. Scalars cost nothing. Fragments, inline
fragments and aliases count as the executor collects them, and a field that `@skip` or
`@include` leaves out costs nothing. On an interface or a union the dearest of its object
types counts. Introspection lists count as long as the schema's average of their kind.

An operation dearer than the limit is refused before anything runs, with
`QUERY_TOO_COSTLY`; every answer reports `extensions.cost`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    Undefined,
    get_named_type,
    get_operation_ast,
    is_abstract_type,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_leaf_type,
    is_object_type,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

from kesher.codes import Code
from kesher.resolvers.calendar import PER_LANE
from kesher.resolvers.errors import ClientError
from kesher.settings import Settings


@dataclass(frozen=True, slots=True)
class Sizes:
    """How long the lists the document does not bound itself can be."""

    default_page: int
    max_page: int
    map_default_limit: int
    map_max_limit: int
    path_nodes: int
    process_nodes: int

    @classmethod
    def of(cls, settings: Settings) -> Sizes:
        return cls(
            default_page=settings.default_page_size,
            max_page=settings.max_page_size,
            map_default_limit=settings.map_default_limit,
            map_max_limit=settings.map_max_limit,
            path_nodes=settings.path_max_depth + 1,
            process_nodes=settings.process_max_nodes,
        )


# Lists whose length a field above them sets (its page, or a map's limit), by the type
# that holds them: a connection's edges, a board column's cards, a map's nodes and edges.
_SIZED_FROM_ABOVE = {"BoardColumn", "RelationMap"}
# Lists with a cap of their own.
_CAPPED = {"CalendarLane.occurrences": PER_LANE}
# Arguments that list what a field returns one of each of.
_ID_LISTS = ("ids", "userIds")


class Costing:
    """Computes the cost of one operation of a validated document."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        sizes: Sizes,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        # Kept as given, not copied: the prepared path learns which variables were read.
        self.variables = variables
        self.sizes = sizes
        self._introspection = _introspection_sizes(schema)
        self._memo: dict[tuple[tuple[int, ...], str, int | None], int] = {}

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        return self._selections(root, (operation.selection_set,), None)

    def _selections(
        self, parent: GraphQLNamedType, sets: Sequence[SelectionSetNode], page: int | None
    ) -> int:
        """What one object of `parent` costs with these selection sets merged; an abstract
        type costs as the dearest of its object types."""
        key = (tuple(id(selection_set) for selection_set in sets), parent.name, page)
        found = self._memo.get(key)
        if found is not None:
            return found
        if is_abstract_type(parent):
            kinds: Sequence[GraphQLObjectType] = self.schema.get_possible_types(parent)
            cost = max((self._object(kind, sets, page) for kind in kinds), default=0)
        elif is_object_type(parent):
            cost = self._object(parent, sets, page)
        else:
            cost = 0
        self._memo[key] = cost
        return cost

    def _object(
        self, parent: GraphQLObjectType, sets: Sequence[SelectionSetNode], page: int | None
    ) -> int:
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in sets:
            self._collect(parent, selection_set, fields, set())
        cost = 0
        for nodes in fields.values():
            name = nodes[0].name.value
            definition = self._field(parent, name)
            if definition is None:
                continue
            named = get_named_type(definition.type)
            if is_leaf_type(named):
                continue
            length, below = self._length(parent, name, definition, nodes[0], page)
            children = [node.selection_set for node in nodes if node.selection_set is not None]
            cost += length * (1 + self._selections(named, children, below))
        return cost

    def _field(self, parent: GraphQLObjectType, name: str) -> GraphQLField | None:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        found: GraphQLField | None = parent.fields.get(name)
        return found

    def _length(
        self,
        parent: GraphQLObjectType,
        name: str,
        field: GraphQLField,
        node: FieldNode,
        page: int | None,
    ) -> tuple[int, int | None]:
        """How many values the field can hold, and the page its lists below take."""
        is_list = isinstance(_nullable(field.type), GraphQLList)
        coordinate = f"{parent.name}.{name}"
        if "first" in field.args or "last" in field.args:
            size = self._page(node)
            return (size, None) if is_list else (1, size)
        if coordinate in ("Query.relationMap", "Mutation.relationMap"):
            limit = self._int(node, "limit")
            limit = self.sizes.map_default_limit if limit is None else limit
            return 1, _clamp(limit, self.sizes.map_max_limit)
        if coordinate == "Query.relationshipPath":
            return 1, self.sizes.path_nodes
        if not is_list:
            return 1, page
        if parent.name.startswith("__"):
            return self._introspection.get(coordinate, 1), None
        if coordinate in _CAPPED:
            return _CAPPED[coordinate], None
        if coordinate == "ProcessTree.nodes":
            return self.sizes.process_nodes, None
        for argument in _ID_LISTS:
            if argument in field.args:
                return self._count(node, argument), None
        if page is not None and (
            parent.name.endswith("Connection") or parent.name in _SIZED_FROM_ABOVE
        ):
            return page, None
        return self.sizes.max_page, None

    def _page(self, node: FieldNode) -> int:
        given = [
            value
            for value in (self._int(node, "first"), self._int(node, "last"))
            if value is not None
        ]
        size = max(given) if given else self.sizes.default_page
        return _clamp(size, self.sizes.max_page)

    def _argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return Undefined

    def _int(self, node: FieldNode, name: str) -> int | None:
        value = self._argument(node, name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def _count(self, node: FieldNode, name: str) -> int:
        value = self._argument(node, name)
        if isinstance(value, list):
            return len(value)
        return 1 if value is not None and value is not Undefined else 0

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        spread: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, parent):
                    self._collect(parent, selection.selection_set, fields, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in spread or fragment is None:
                    continue
                spread.add(name)
                if self._applies(fragment.type_condition.name.value, parent):
                    self._collect(parent, fragment.selection_set, fields, spread)

    def _applies(self, condition: str, parent: GraphQLObjectType) -> bool:
        kind = self.schema.get_type(condition)
        if kind is None:
            return False
        if kind is parent:
            return True
        return is_abstract_type(kind) and self.schema.is_sub_type(kind, parent)

    def _included(self, selection: Any) -> bool:
        for directive in selection.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = next((a for a in directive.arguments if a.name.value == "if"), None)
            if condition is None:
                continue
            value = value_from_ast_untyped(condition.value, self.variables)
            if name == "skip" and value is True:
                return False
            if name == "include" and value is False:
                return False
        return True


def _nullable(kind: Any) -> Any:
    return kind.of_type if isinstance(kind, GraphQLNonNull) else kind


def _clamp(value: int, cap: int) -> int:
    return min(max(value, 0), cap)


def _introspection_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """How long each kind of introspection list is on average over the schema, rounded
    up: the canonical introspection query then costs about what its answer holds, and a
    document nesting `fields { type { fields … } }` grows as its answer would."""
    found = _INTROSPECTION.get(id(schema))
    if found is not None and found[0] is schema:
        return found[1]
    types = list(schema.type_map.values())
    fields = [
        f for t in types if is_object_type(t) or is_interface_type(t) for f in t.fields.values()
    ]
    sizes = {
        "__Schema.types": len(types),
        "__Schema.directives": len(schema.directives),
        "__Type.fields": _average(
            len(t.fields) for t in types if is_object_type(t) or is_interface_type(t)
        ),
        "__Type.inputFields": _average(len(t.fields) for t in types if is_input_object_type(t)),
        "__Type.interfaces": _average(len(t.interfaces) for t in types if is_object_type(t)),
        "__Type.possibleTypes": _average(
            len(schema.get_possible_types(t)) for t in types if is_abstract_type(t)
        ),
        "__Type.enumValues": _average(len(t.values) for t in types if is_enum_type(t)),
        "__Field.args": _average(len(f.args) for f in fields),
        "__Directive.args": _average(len(d.args) for d in schema.directives),
    }
    _INTROSPECTION[id(schema)] = (schema, sizes)
    return sizes


def _average(lengths: Iterable[int]) -> int:
    values = list(lengths)
    return -(-sum(values) // len(values)) if values else 0


_INTROSPECTION: dict[int, tuple[GraphQLSchema, dict[str, int]]] = {}


class QueryCost(SchemaExtension):
    """Refuses an operation dearer than the limit before it runs (no resolver is called,
    so no Cypher), and reports the cost in the answer's `extensions.cost`."""

    def __init__(self, *, limit: int, sizes: Sizes) -> None:
        self.limit = limit
        self.sizes = sizes
        self.requested: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = (
            None if document is None else get_operation_ast(document, context.operation_name)
        )
        if document is not None and operation is not None:
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            self.requested = Costing(
                context.schema._schema,
                fragments,
                with_defaults(operation, context.variables),
                self.sizes,
            ).operation(operation)
            if self.requested > self.limit:
                raise ClientError(
                    f"The query may cost {self.requested}, over the limit of {self.limit}: "
                    "ask for smaller pages (first/last) or fewer nested lists.",
                    code=Code.QUERY_TOO_COSTLY,
                )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.requested is None:
            return {}
        return {"cost": {"requested": self.requested, "limit": self.limit}}


def with_defaults(
    operation: OperationDefinitionNode, given: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The variables as sent, with the operation's defaults for those left out."""
    values = dict(given or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values
