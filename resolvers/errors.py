"""Expected failures: a refused mutation (a payload) or a refused query (a GraphQL error)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import GraphQLError
from pydantic import BaseModel, ValidationError

from kesher.graph.errors import GraphError
from kesher.graph.errors import Unavailable as Unavailable
from kesher.resolvers.inputs import Update

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Refusal:
    """Why a mutation changed nothing: a code, the input field at fault and a message."""

    code: str
    message: str
    field: str | None = None

    @classmethod
    def of(cls, error: GraphError) -> Refusal:
        return cls(code=error.code, message=error.message, field=error.field)


class ClientError(GraphQLError):
    """An error the caller can act on; shown as it is, with its code in `extensions`."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        extensions: dict[str, Any] = {"code": code}
        if field is not None:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)


def validate(model: type[M], data: dict[str, Any]) -> M | Refusal:
    """Checks mutation input; the first problem becomes a refusal naming its field."""
    try:
        checked = model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        message = first["msg"]
        return Refusal(
            code="INVALID_INPUT",
            message=f"{field}: {message}" if field else message,
            field=field,
        )
    cleared = checked.cleared_required() if isinstance(checked, Update) else None
    if cleared is not None:
        return Refusal("INVALID_INPUT", f"{cleared}: cannot be cleared.", cleared)
    return checked
