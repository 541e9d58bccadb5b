"""The validation rules that bound a document before anything runs: its depth, its aliases
and its breadth.

The breadth of an operation is the number of object and list fields it selects, as
written: a fragment counts wherever it is spread, each type's fields of an inline fragment
count, and introspection (`__schema`, `__type`) counts nothing, as it never reaches the
database. Nearly every such field is a subquery of the one Cypher statement that answers a
root field, and Neo4j plans a statement in time that grows with its subqueries: a document
of 500 nested fields, cheap by the cost limit with pages of one, is a statement of over
100 KB that Neo4j takes minutes of CPU to plan, while the broadest page's document selects
14. A broader operation than the limit is refused with `QUERY_TOO_COSTLY` and nothing
runs.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from kesher.codes import Code
from kesher.settings import Settings


def limit_rules(settings: Settings) -> tuple[type[ASTValidationRule], ...]:
    """The rules of the service's limits, made once: a validation cache is keyed on its
    rules, so rules made afresh for each request would never hit it."""
    return (
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        breadth_rule(settings.max_query_breadth),
    )


def breadth_rule(limit: int) -> type[ASTValidationRule]:
    """A rule refusing an operation that selects more than `limit` object and list fields."""

    class BreadthLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            # The breadth of each fragment, counted once however often it is spread.
            self.fragments: dict[str, int] = {}

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            breadth = self._breadth(node.selection_set, frozenset())
            if breadth > limit:
                self.report_error(
                    GraphQLError(
                        f"The query selects {breadth} objects and lists, over the limit of "
                        f"{limit}: each is a part of the database statement that answers it. "
                        "Ask for fewer nested fields, or split the query in several.",
                        node,
                        extensions={"code": Code.QUERY_TOO_COSTLY.value},
                    )
                )

        def _breadth(self, selection_set: SelectionSetNode, spreading: frozenset[str]) -> int:
            breadth = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    if selection.selection_set and not selection.name.value.startswith("__"):
                        breadth += 1 + self._breadth(selection.selection_set, spreading)
                elif isinstance(selection, InlineFragmentNode):
                    breadth += self._breadth(selection.selection_set, spreading)
                elif isinstance(selection, FragmentSpreadNode):
                    breadth += self._fragment(selection.name.value, spreading)
            return breadth

        def _fragment(self, name: str, spreading: frozenset[str]) -> int:
            known = self.fragments.get(name)
            if known is not None:
                return known
            fragment = self.context.get_fragment(name)
            # An unknown fragment or a cycle is another rule's error; it counts nothing here.
            if fragment is None or name in spreading:
                return 0
            breadth = self._breadth(fragment.selection_set, spreading | {name})
            self.fragments[name] = breadth
            return breadth

    return BreadthLimit
