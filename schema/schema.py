"""The `Schema` object with its limits and error masking."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from kesher.resolvers.errors import ClientError
from kesher.schema.common import RefusedInPayload
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
    """Errors meant for the caller: our own, and GraphQL's parse, validation and variable
    errors (which come before execution, so without a path)."""
    original = error.original_error
    return (
        original is None
        or error.path is None
        or isinstance(original, ClientError)
        or isinstance(error, ClientError)
    )


class _MaskUnexpected(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = getattr(self.execution_context.context, "request_id", None)
        return GraphQLError(
            message=f"Unexpected error; it was logged with request id {request_id}.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id},
        )


class KesherSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if _expected(error):
                logger.debug("client error: %s", error.message)
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
            _MaskUnexpected,
        ],
    )
