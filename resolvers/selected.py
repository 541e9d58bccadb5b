"""A root field's selection, as Strawberry's `info.selected_fields[0]` gives it, but read
off the parsed document once rather than on every request.

The parser cache hands every request of a document the same syntax nodes, and what a
node's selection reads depends only on the node and the variables used inside it. So a
converted selection is kept by its node and the values of those variables: a card asked
for a thousand customers converts its `id: $id` field each time, but the relationships,
contacts and counts under it only once.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    Node,
    VariableNode,
    Visitor,
    visit,
)
from strawberry.types import Info
from strawberry.types.nodes import (
    FragmentSpread,
    InlineFragment,
    SelectedField,
    Selection,
    convert_arguments,
    convert_directives,
    get_variable_values,
)
from strawberry.utils.str_converters import to_snake_case

_MAX = 4096
_CONVERTED: OrderedDict[tuple[int, str], tuple[Node, Selection]] = OrderedDict()
_VARIABLES: OrderedDict[int, tuple[Node, tuple[str, ...]]] = OrderedDict()


def selected(info: Info[Any, Any]) -> SelectedField:
    """The resolved field's selection (its first node's, as `selected_fields[0]`)."""
    raw = info._raw_info
    field = _convert(raw, raw.field_nodes[0])
    assert isinstance(field, SelectedField)
    return field


@lru_cache(maxsize=_MAX)
def snake(name: str) -> str:
    """A GraphQL name in Python's spelling (`linkedCounts` → `linked_counts`)."""
    return to_snake_case(name)


def _convert(raw: GraphQLResolveInfo[Any], node: Node) -> Selection:
    names = _variables_in(raw, node)
    values = get_variable_values(raw)
    key = (id(node), repr(tuple(values.get(name) for name in names)) if names else "")
    found = _CONVERTED.get(key)
    if found is not None and found[0] is node:
        _CONVERTED.move_to_end(key)
        return found[1]
    converted = _build(raw, node)
    _CONVERTED[key] = (node, converted)
    if len(_CONVERTED) > _MAX:
        _CONVERTED.popitem(last=False)
    return converted


def _build(raw: GraphQLResolveInfo[Any], node: Node) -> Selection:
    if isinstance(node, FieldNode):
        return SelectedField(
            name=node.name.value,
            directives=convert_directives(raw, node.directives),
            alias=node.alias.value if node.alias else None,
            arguments=convert_arguments(raw, node.arguments),
            selections=_children(raw, node),
        )
    if isinstance(node, InlineFragmentNode):
        return InlineFragment(
            type_condition=node.type_condition.name.value if node.type_condition else None,
            selections=_children(raw, node),
            directives=convert_directives(raw, node.directives),
        )
    if isinstance(node, FragmentSpreadNode):
        fragment = raw.fragments[node.name.value]
        return FragmentSpread(
            name=node.name.value,
            directives=convert_directives(raw, node.directives),
            type_condition=fragment.type_condition.name.value,
            selections=_children(raw, fragment),
        )
    raise TypeError(f"Unknown selection node: {node}")


def _children(
    raw: GraphQLResolveInfo[Any], node: FieldNode | InlineFragmentNode | FragmentDefinitionNode
) -> list[Selection]:
    if node.selection_set is None:
        return []
    return [_convert(raw, child) for child in node.selection_set.selections]


def _variables_in(raw: GraphQLResolveInfo[Any], node: Node) -> tuple[str, ...]:
    """The variables the node's selection reads, in its fragments too; kept by node."""
    found = _VARIABLES.get(id(node))
    if found is not None and found[0] is node:
        return found[1]
    names: list[str] = []
    seen: set[str] = set()

    class Reader(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            if variable.name.value not in names:
                names.append(variable.name.value)

        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            name = spread.name.value
            if name not in seen and name in raw.fragments:
                seen.add(name)
                visit(raw.fragments[name], self)

    visit(node, Reader())
    result = tuple(names)
    _VARIABLES[id(node)] = (node, result)
    if len(_VARIABLES) > _MAX:
        _VARIABLES.popitem(last=False)
    return result
