"""Prepared queries: a document parsed, validated and priced once, then run straight
through graphql-core's executor for every request that sends it again.

Strawberry's way through a request (its HTTP view, the schema's extension hooks, the
parser and validation caches' own bookkeeping) costs about as much as a small query's
database time. A query document that parses, validates and names its operation without
an error is kept here with its operation; its cost is kept by the values of the
variables the cost reads (a page's `first`, not a card's `id`). A request for it then
runs: variables coerced and the operation executed by graphql-core with the schema's own
execution context class, within the deadline and the viewer check, its errors logged and
masked as the schema's are, and its cost in `extensions`.

What this does not take it leaves to the full path (`prepare` gives None, `run` gives
None before anything ran): a document with any parse or validation error, a mutation or
subscription, a document of several operations without `operationName`, a request whose
variables do not coerce or whose cost is over the limit, and anything sent with
`extensions`. The full path then gives the same answer and errors it always has.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    specified_rules,
)
from graphql.execution import ExecutionResult as CoreResult
from graphql.execution import execute
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionResult
from strawberry.types.execution import ExecutionContext as StrawberryContext
from strawberry.utils.await_maybe import await_maybe

from kesher import metrics
from kesher.resolvers.context import Context, viewer_checked
from kesher.resolvers.deadline import within
from kesher.schema.cost import Costing, Sizes, with_defaults
from kesher.schema.limits import limit_rules
from kesher.schema.schema import KesherSchema, deadline_error, mask
from kesher.settings import Settings

logger = logging.getLogger("kesher.errors")

_MAX = 1000


@dataclass
class Prepared:
    """A query document ready to run: its operation, its fragments, and its costs known
    so far by the values of the variables the cost reads."""

    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    costs: OrderedDict[tuple[tuple[str, str], ...], int] = field(default_factory=OrderedDict)
    cost_reads: tuple[str, ...] | None = None


class _Reading(dict[str, Any]):
    """Variables that remember which of them were read."""

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.add(key)
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        # Whoever walks all the variables may depend on any of them.
        self.read.update(super().keys())
        return super().__iter__()


class PreparedQueries:
    """The prepared queries of one schema, the most recently used kept."""

    def __init__(self, schema: KesherSchema, settings: Settings) -> None:
        self.schema = schema
        self.core = schema._schema
        self.max_tokens = settings.max_tokens
        self.limit = settings.max_query_cost
        self.sizes = Sizes.of(settings)
        self.deadline_seconds = settings.request_deadline_seconds
        self.rules = (*specified_rules, *limit_rules(settings))
        self._kept: OrderedDict[tuple[str, str | None], Prepared | None] = OrderedDict()

    def prepare(self, query: str, operation_name: str | None) -> Prepared | None:
        """The prepared query of this document and operation; None for what the full path
        must answer (kept too, so that such a document is looked at once)."""
        key = (query, operation_name)
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        prepared = self._prepare(query, operation_name)
        self._kept[key] = prepared
        if len(self._kept) > _MAX:
            self._kept.popitem(last=False)
        return prepared

    def _prepare(self, query: str, operation_name: str | None) -> Prepared | None:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None and len(operations) != 1:
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation != OperationType.QUERY:
            return None
        if validate_document(self.core, document, self.rules):
            return None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        return Prepared(document, operation, fragments)

    def cost(self, prepared: Prepared, variables: dict[str, Any]) -> int:
        values = with_defaults(prepared.operation, variables)
        if prepared.cost_reads is not None:
            key = tuple((name, repr(values.get(name))) for name in prepared.cost_reads)
            found = prepared.costs.get(key)
            if found is not None:
                prepared.costs.move_to_end(key)
                return found
        reading = _Reading(values)
        cost = Costing(self.core, prepared.fragments, reading, self.sizes).operation(
            prepared.operation
        )
        reads = tuple(sorted(reading.read))
        if prepared.cost_reads is None or prepared.cost_reads == reads:
            prepared.cost_reads = reads
            prepared.costs[tuple((name, repr(values.get(name))) for name in reads)] = cost
            if len(prepared.costs) > _MAX:
                prepared.costs.popitem(last=False)
        return cost

    async def run(
        self, prepared: Prepared, variables: dict[str, Any], context: Context
    ) -> ExecutionResult | None:
        """The answer to the prepared query; None when it must take the full path, before
        anything ran (its cost is over the limit, or its variables do not coerce)."""
        cost = self.cost(prepared, variables)
        if cost > self.limit:
            return None
        operation = prepared.operation
        metrics.note_operation("query", operation.name.value if operation.name else None)
        try:
            async with within(self.deadline_seconds):
                with viewer_checked(context):
                    core = await await_maybe(
                        execute(
                            self.core,
                            prepared.document,
                            context_value=context,
                            variable_values=variables,
                            operation_name=operation.name.value if operation.name else None,
                            executor_class=self.schema.execution_context_class,
                            operation_extensions=None,
                        )
                    )
        except TimeoutError:
            logger.warning("request %s ran past its deadline", context.request_id)
            error = deadline_error(self.deadline_seconds, context.request_id)
            return ExecutionResult(data=None, errors=[error])
        assert isinstance(core, CoreResult)
        if core.data is None and core.errors and all(e.path is None for e in core.errors):
            return None
        result = ExecutionResult(
            data=core.data,
            errors=core.errors,
            extensions={"cost": {"requested": cost, "limit": self.limit}},
        )
        if result.errors:
            seen = StrawberryContext(
                query=None, schema=self.schema, allowed_operations=(), context=context
            )
            self.schema.process_errors(result.errors, seen)
            mask(result, context.request_id)
        return result
