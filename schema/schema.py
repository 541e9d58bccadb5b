"""The `Schema` object with its limits and error masking."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import aclosing
from functools import lru_cache, partial
from typing import Any

import strawberry
from graphql import GraphQLError, OperationDefinitionNode, get_operation_ast, parse
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StreamResult
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from kesher import metrics
from kesher.codes import Code
from kesher.resolvers.context import viewer_checked
from kesher.resolvers.deadline import TimedOut, within
from kesher.resolvers.errors import ClientError, Unavailable, ViewerRefused
from kesher.schema.common import RefusedInPayload
from kesher.schema.cost import QueryCost, Sizes
from kesher.schema.execution import PlainObjectsExecution
from kesher.schema.limits import limit_rules
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


def deadline_error(seconds: float, request_id: str | None) -> GraphQLError:
    """The answer to a request whose deadline passed while it ran: its work was cancelled."""
    return GraphQLError(
        f"The request ran past its deadline of {seconds:g} s and was stopped; ask for less "
        "(smaller pages, fewer fields) or try again.",
        extensions={"code": Code.DEADLINE_EXCEEDED, "requestId": request_id},
    )


def _timed_out(error: TimedOut) -> tuple[str, Code]:
    """The message and code of a statement Neo4j stopped: the request's deadline passed,
    or the statement ran past the time every statement has of its own."""
    if error.by_deadline:
        return (
            "The request ran past its deadline and was stopped; ask for less (smaller "
            "pages, fewer fields) or try again.",
            Code.DEADLINE_EXCEEDED,
        )
    return (
        f"A database statement of this request ran past its limit of {error.seconds:g} s "
        "and was stopped; ask for less (smaller pages, fewer fields) or try again.",
        Code.STATEMENT_TIMEOUT,
    )


def masked(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """What the caller sees of an error raised below the resolvers: that the token no
    longer holds, that the database is out of reach, that a statement ran out of time, or
    only the request id to quote."""
    if isinstance(error.original_error, ViewerRefused):
        message, code = ViewerRefused.message, Code.UNAUTHENTICATED
    elif isinstance(error.original_error, Unavailable):
        message, code = UNAVAILABLE, Code.SERVICE_UNAVAILABLE
    elif isinstance(error.original_error, TimedOut):
        message, code = _timed_out(error.original_error)
    else:
        message, code = (
            f"Unexpected error; it was logged with request id {request_id}.",
            Code.INTERNAL,
        )
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
    def __init__(self, *args: Any, deadline_seconds: float, max_tokens: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline_seconds = deadline_seconds
        self.max_tokens = max_tokens

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
        extensions' operation hooks by exception, and Strawberry makes it an error after.
        The whole request runs within the deadline; past it, its work is cancelled."""
        try:
            async with within(self.deadline_seconds):
                result = await super().execute(
                    query,
                    variable_values,
                    context_value,
                    root_value,
                    operation_name,
                    allowed_operation_types,
                    operation_extensions,
                )
        except TimeoutError:
            request_id = getattr(context_value, "request_id", None)
            logger.warning("request %s ran past its deadline", request_id)
            error = deadline_error(self.deadline_seconds, request_id)
            return ExecutionResult(data=None, errors=[error])
        mask(result, getattr(context_value, "request_id", None))
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
        subscription = _subscription(query, operation_name, self.max_tokens)
        seconds = None if subscription else self.deadline_seconds
        return _masked_stream(results, getattr(context_value, "request_id", None), seconds)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if _expected(error) or isinstance(error.original_error, ViewerRefused):
                logger.debug("client error: %s", error.message)
            elif isinstance(error.original_error, Unavailable):
                logger.warning("Neo4j is not reachable: %s", error.original_error)
            elif isinstance(error.original_error, TimedOut):
                logger.warning("a statement ran past its time: %s", error.original_error)
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


def mask(result: ExecutionResult, request_id: str | None) -> None:
    if result.errors and not all(_expected(error) for error in result.errors):
        result.errors = [
            error if _expected(error) else masked(error, request_id) for error in result.errors
        ]


@lru_cache(maxsize=1000)
def _subscription(query: str | None, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the document's operation is a subscription, which has no deadline: it lives
    as long as its connection. A document that does not parse, or is over the token limit,
    is refused before it runs."""
    try:
        document = parse(query or "", no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return False
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation.value == "subscription"


async def _masked_stream(
    results: StreamResult, request_id: str | None, deadline_seconds: float | None
) -> StreamResult:
    """The results with unexpected errors masked; an exception that ends the stream (one
    raised before the operation runs, say) becomes a last, masked result, and is logged.
    A query or mutation's one result is awaited within the deadline."""
    async with aclosing(results):
        try:
            with metrics.open_operation():
                while True:
                    try:
                        if deadline_seconds is None:
                            result = await anext(results)
                        else:
                            async with within(deadline_seconds):
                                result = await anext(results)
                    except StopAsyncIteration:
                        break
                    except TimeoutError:
                        assert deadline_seconds is not None
                        logger.warning("request %s ran past its deadline", request_id)
                        error = deadline_error(deadline_seconds, request_id)
                        yield ExecutionResult(data=None, errors=[error])
                        break
                    if isinstance(result, ExecutionResult):
                        mask(result, request_id)
                    yield result
        except Exception as exception:
            logger.error("unexpected error (request %s)", request_id, exc_info=exception)
            error = GraphQLError(str(exception), original_error=exception)
            yield PreExecutionError(data=None, errors=[masked(error, request_id)])


def build_schema(settings: Settings) -> KesherSchema:
    limits = list(limit_rules(settings))
    return KesherSchema(
        deadline_seconds=settings.request_deadline_seconds,
        max_tokens=settings.max_tokens,
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
