"""Expected failures: a refused mutation (a payload) or a refused query (a GraphQL error)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import GraphQLError
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from kesher.codes import Code
from kesher.graph.errors import GraphError
from kesher.graph.errors import Unavailable as Unavailable
from kesher.graph.errors import ViewerRefused as ViewerRefused
from kesher.resolvers.inputs import PATTERN_MEANINGS, Update

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Refusal:
    """Why a mutation changed nothing: a code, the input field at fault and a message."""

    code: Code
    message: str
    field: str | None = None

    @classmethod
    def of(cls, error: GraphError) -> Refusal:
        return cls(code=error.code, message=error.message, field=error.field)


class ClientError(GraphQLError):
    """An error the caller can act on; shown as it is, with its code in `extensions`."""

    def __init__(self, message: str, *, code: Code, field: str | None = None) -> None:
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
        reason = why(first)
        return Refusal(
            code=Code.INVALID_INPUT,
            message=f"{field}: {reason}" if field else reason[0].upper() + reason[1:],
            field=field,
        )
    cleared = checked.cleared_required() if isinstance(checked, Update) else None
    if cleared is not None:
        return Refusal(Code.INVALID_INPUT, f"{cleared}: cannot be cleared.", cleared)
    return checked


# A validation problem in words for a person, by pydantic's type of it; pydantic's own
# text never reaches a client.
_REASONS: dict[str, str] = {
    "missing": "is required.",
    "extra_forbidden": "is not a field of this input.",
    "string_type": "must be text.",
    "int_type": "must be a whole number.",
    "int_parsing": "must be a whole number.",
    "int_from_float": "must be a whole number.",
    "bool_type": "must be true or false.",
    "bool_parsing": "must be true or false.",
    "list_type": "must be a list.",
    "dict_type": "must be an object of fields.",
    "model_type": "must be an object of fields.",
    "date_type": "must be a date such as 2025-03-01.",
    "date_parsing": "must be a date such as 2025-03-01.",
    "date_from_datetime_parsing": "must be a date such as 2025-03-01.",
    "datetime_type": "must be a date and time such as 2025-03-01T09:30:00+02:00.",
    "datetime_parsing": "must be a date and time such as 2025-03-01T09:30:00+02:00.",
    "timezone_aware": "must carry a UTC offset, such as 'Z' or '+02:00'.",
    "string_unicode": "must be valid text.",
}


def why(error: ErrorDetails) -> str:
    """The reason for one validation problem, as the end of a sentence naming the field."""
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return (
            PATTERN_MEANINGS.get(str(context.get("pattern")), "is not in the expected form") + "."
        )
    if kind == "string_too_short":
        least = int(context.get("min_length", 1))
        return "must not be empty." if least <= 1 else f"must be at least {least} characters long."
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters long."
    if kind == "too_long":
        return f"must hold at most {context.get('max_length')} items."
    if kind == "too_short":
        return f"must hold at least {context.get('min_length')} items."
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {context.get('ge', context.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {context.get('le', context.get('lt'))}."
    if kind in ("literal_error", "enum"):
        return f"must be one of {context.get('expected')}."
    if kind == "value_error":
        cause = context.get("error")
        if isinstance(cause, ValueError) and not error["msg"].startswith("value is not a valid"):
            return str(cause).rstrip(".") + "."
        if "email" in error["msg"]:
            return "must be an e-mail address such as name@example.com."
    return _REASONS.get(kind, "is not valid.")
