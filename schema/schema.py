"""The `Schema` object with its limits and error masking."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import aclosing
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StreamResult
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from kesher import metrics
from kesher.resolvers.context import viewer_checked
from kesher.resolvers.errors import ClientError, Unavailable, ViewerRefused
from kesher.schema.common import RefusedInPayload
from kesher.schema.cost import QueryCost, Sizes
from kesher.schema.execution import PlainObjectsExecution
from kesher.schema.mutation import Mutation
from kesher.schema.query import Query
from kesher.schema.scalars import OVERRIDES
from kesher.schema.subscription import Subscription
from kesher.settings import Settings

logger = logging.getLogger("kesher.errors")


def _field_value(root: Any, name: str) -> object:
    """Rows from Neo4j arrive as dictionaries; payload objects as attributes."""
    if isinstance(root, Mapping):
        return root.get(name)
    return getattr(root, name)


def _expected(error: GraphQLError) -> bool:
    """Errors meant for the caller: our own, and GraphQL's syntax, validation and variable
    errors. Those come before execution (without a path) and point into the document, or
    wrap the variable's own error; an exception raised on the way there (say, in an
    extension's hook) does neither, and is as unexpected as one raised in a resolver."""
    original = error.original_error
    if original is None or isinstance(original, ClientError) or isinstance(error, ClientError):
        return True
    if error.path is not None:
        return False
    return isinstance(original, GraphQLError) or bool(error.nodes)


UNAVAILABLE = "The database cannot be reached right now; try again in a moment."


def masked(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """What the caller sees of an error raised below the resolvers: that the token no
    longer holds, that the database is out of reach, or only the request id to quote."""
    if isinstance(error.original_error, ViewerRefused):
        message, code = ViewerRefused.message, "UNAUTHENTICATED"
    elif isinstance(error.original_error, Unavailable):
        message, code = UNAVAILABLE, "SERVICE_UNAVAILABLE"
    else:
        message, code = f"Unexpected error; it was logged with request id {request_id}.", "INTERNAL"
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code, "requestId": request_id},
    )


class _MaskUnexpected(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return masked(error, getattr(self.execution_context.context, "request_id", None))


class _OperationNamed(SchemaExtension):
    """Refuses a document of several operations sent without `operationName`, as the
    GraphQL spec asks; Strawberry would run the first."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context._provided_operation_name is None and document is not None:
            count = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
            if count > 1:
                raise GraphQLError(
                    f"operationName: the document has {count} operations; name the one to run."
                )
        yield


class _Observed(SchemaExtension):
    """Tells the request's metrics and access line which operation it runs."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        try:
            kind = context.operation_type.value
        except Exception:  # an operation the document lacks: refused in validation
            kind = "unknown"
        metrics.note_operation(kind, context.operation_name)
        yield


class _ViewerChecked(SchemaExtension):
    """Each statement the operation runs also checks that its viewer is still active and
    still has the token's role and token version (`kesher.graph.viewer_guard`)."""

    def on_execute(self) -> Iterator[None]:
        with viewer_checked(self.execution_context.context):
            yield


class KesherSchema(strawberry.Schema):
    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Masks what `MaskErrors` cannot: an exception raised before execution leaves the
        extensions' operation hooks by exception, and Strawberry makes it an error after."""
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        _mask(result, getattr(context_value, "request_id", None))
        return result

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> StreamResult:
        """Masks every result a WebSocket operation yields as `execute` masks its one."""
        results = await super().stream(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
            allowed_operation_types,
        )
        return _masked_stream(results, getattr(context_value, "request_id", None))

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if _expected(error) or isinstance(error.original_error, ViewerRefused):
                logger.debug("client error: %s", error.message)
            elif isinstance(error.original_error, Unavailable):
                logger.warning("Neo4j is not reachable: %s", error.original_error)
            else:
                request_id = getattr(
                    execution_context and execution_context.context, "request_id", "-"
                )
                logger.error(
                    "unexpected error (request %s) at %s",
                    request_id,
                    error.path,
                    exc_info=error.original_error,
                )


def _mask(result: ExecutionResult, request_id: str | None) -> None:
    if result.errors and not all(_expected(error) for error in result.errors):
        result.errors = [
            error if _expected(error) else masked(error, request_id) for error in result.errors
        ]


async def _masked_stream(results: StreamResult, request_id: str | None) -> StreamResult:
    """The results with unexpected errors masked; an exception that ends the stream (one
    raised before the operation runs, say) becomes a last, masked result, and is logged."""
    async with aclosing(results):
        try:
            with metrics.open_operation():
                async for result in results:
                    if isinstance(result, ExecutionResult):
                        _mask(result, request_id)
                    yield result
        except Exception as exception:
            logger.error("unexpected error (request %s)", request_id, exc_info=exception)
            error = GraphQLError(str(exception), original_error=exception)
            yield PreExecutionError(data=None, errors=[masked(error, request_id)])


def build_schema(settings: Settings) -> strawberry.Schema:
    # The limits' validation rules are made once, not per request: the validation cache
    # is keyed on the rules, so rules made afresh for each request would never hit it.
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    return KesherSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(
            default_resolver=_field_value,
            disable_field_suggestions=not settings.development,
        ),
        scalar_overrides=OVERRIDES,
        exception_handlers=[RefusedInPayload()],
        execution_context_class=PlainObjectsExecution,
        extensions=[
            partial(AddValidationRules, limits),
            partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
            partial(ParserCache, maxsize=1000),
            partial(ValidationCache, maxsize=1000),
            _OperationNamed,
            _Observed,
            partial(QueryCost, limit=settings.max_query_cost, sizes=Sizes.of(settings)),
            _ViewerChecked,
            _MaskUnexpected,
        ],
    )
