"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/): which media type an
answer takes, its status code, and which requests are refused before anything runs.

`application/graphql-response+json` is answered to a client that accepts it, and its status
says what happened: 400 for a request that fails before execution (malformed, or a syntax,
validation or variable error), 405 for a mutation over GET, 500 or 503 when the service
fails before execution, 504 when the request ran past its deadline (its partial answer is
dropped), 200 once execution has begun. Any other client gets `application/json`, with
200 for every GraphQL answer as that media type asks, and 4xx only for requests that are
not GraphQL requests at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from graphql import GraphQLError
from starlette.datastructures import Headers

from kesher.codes import Code

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

# Headers a page on another site cannot send without the browser asking the API first
# (a CORS preflight, which the API does not grant): any one makes a request safe.
_PREFLIGHTED_HEADERS = (
    "authorization",
    "graphql-require-preflight",
    "x-requested-with",
    "apollo-require-preflight",
    "x-apollo-operation-name",
)
# The content types a form or `fetch(…, {mode: "no-cors"})` may post across sites.
_SIMPLE_CONTENT_TYPES = frozenset(
    {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
)

SUBSCRIPTIONS_OVER_WEBSOCKET = (
    "Subscriptions are served over WebSocket, not HTTP: open a WebSocket to /graphql with "
    "the graphql-transport-ws protocol and subscribe there."
)


@dataclass
class Refusal(Exception):
    """A request refused before execution: the status, a message and a code."""

    status: int
    message: str
    code: Code = Code.BAD_REQUEST
    headers: dict[str, str] = field(default_factory=dict)


def media_type(accept: str | None) -> str:
    """The media type of the answer: `application/graphql-response+json` when the client
    accepts it at least as gladly as `application/json`, else `application/json` (also for
    `*/*`, no `Accept` at all, or only types the API does not offer)."""
    best: dict[str, float] = {}
    for part in (accept or "").split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        name = name.lower()
        best[name] = max(best.get(name, 0.0), quality)
    wanted = best.get(GRAPHQL_RESPONSE, 0.0)
    if wanted > 0 and wanted >= best.get(JSON, 0.0):
        return GRAPHQL_RESPONSE
    return JSON


def could_be_cross_site(method: str, headers: Headers) -> bool:
    """Whether a request could be one a page on another site made a visitor's browser send
    (cross-site request forgery), as Apollo Server's CSRF prevention judges it: a GET or
    POST with no content type or a simple one, and none of the headers that need a
    preflight. Such a POST is refused outright. Such a GET (a query) is refused when the
    browser says it came from elsewhere (`Sec-Fetch-Site`, else `Origin`); a client that is
    not a browser sends neither and may query over plain GET."""
    content_type = headers.get("content-type")
    if content_type is not None:
        essence = content_type.split(";", 1)[0].strip().lower()
        if essence not in _SIMPLE_CONTENT_TYPES:
            return False
    if any(headers.get(name) for name in _PREFLIGHTED_HEADERS):
        return False
    if method != "GET":
        return True
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site.lower() not in ("same-origin", "none")
    origin = headers.get("origin")
    return origin is not None and urlsplit(origin).netloc != headers.get("host")


def cross_site() -> Refusal:
    return Refusal(
        400,
        "This request could have been sent by a page on another site, so it was refused: send "
        "it with 'Content-Type: application/json', or add a 'GraphQL-Require-Preflight: 1' "
        "header.",
        Code.CROSS_SITE_REQUEST,
    )


def mutation_over_get() -> Refusal:
    return Refusal(
        405,
        "Mutations are not run over GET: send them with POST.",
        Code.METHOD_NOT_ALLOWED,
        {"Allow": "POST"},
    )


def check_operation_name(name: object) -> None:
    """Refuses an `operationName` that is not a string (Strawberry checks `query`,
    `variables` and `extensions` itself)."""
    if name is not None and not isinstance(name, str):
        raise Refusal(400, "operationName: must be a string or null.")


def is_request_error(data: object, errors: Sequence[GraphQLError]) -> bool:
    """A request error stops a request before execution, so its answer has no `data`: a
    field error always has a path, the errors before execution never do."""
    return data is None and bool(errors) and all(error.path is None for error in errors)


def status_of(media: str, answer: Mapping[str, Any]) -> int:
    """The status of a GraphQL answer: 200 for `application/json`, and for
    `application/graphql-response+json` once execution began (the answer has `data`);
    before that, 500, 503 or 504 for the service's own failure and 400 for the request's."""
    if media != GRAPHQL_RESPONSE or "data" in answer:
        return 200
    codes = {(error.get("extensions") or {}).get("code") for error in answer.get("errors", ())}
    if Code.INTERNAL in codes:
        return 500
    if Code.DEADLINE_EXCEEDED in codes:
        return 504
    if Code.SERVICE_UNAVAILABLE in codes:
        return 503
    return 400


def refusal_answer(refusal: Refusal) -> dict[str, Any]:
    return {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code}}]}


def too_large(message: object, size: int, cap: int) -> object:
    """What is sent instead of an answer (or a WebSocket frame's payload) over the cap."""
    error = {
        "message": f"The answer is {size} bytes, over the limit of {cap}: ask for smaller "
        "pages or fewer fields.",
        "extensions": {"code": Code.RESPONSE_TOO_LARGE},
    }
    if isinstance(message, list):
        return [too_large(item, size, cap) for item in message]
    if not isinstance(message, Mapping):
        return {"errors": [error]}
    if isinstance(message.get("payload"), Mapping):  # a `graphql-transport-ws` frame
        return {**message, "payload": too_large(message["payload"], size, cap)}
    replaced: dict[str, Any] = {"data": None, "errors": [error]}
    if "extensions" in message:
        replaced["extensions"] = message["extensions"]
    return replaced
