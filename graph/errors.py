"""Errors the graph layer raises for expected refusals; resolvers turn them into payloads."""

from __future__ import annotations

from kesher.codes import Code


class Unavailable(Exception):
    """Neo4j cannot be reached, or the connection was lost and trying again did not help:
    the service's trouble, not the caller's, and likely to pass."""


class ViewerRefused(Exception):
    """The signed-in user's token no longer holds: the user was deactivated, their role
    changed or their tokens were revoked since it was issued."""

    message = "The bearer token was revoked or its user deactivated; sign in again with login."

    def __init__(self) -> None:
        super().__init__(self.message)


class TimedOut(Exception):
    """Neo4j stopped a statement that ran past its time, or it was not started because the
    request's deadline had passed. `by_deadline` says which limit it met: the request's
    deadline, or the statement timeout that every statement has of its own."""

    def __init__(self, seconds: float, *, by_deadline: bool) -> None:
        super().__init__(f"a statement ran past its limit of {seconds:g} s")
        self.seconds = seconds
        self.by_deadline = by_deadline


class GraphError(Exception):
    """A refusal that is the caller's to fix; `field` names the input it concerns."""

    code = Code.INVALID_INPUT

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(GraphError):
    code = Code.NOT_FOUND


class Conflict(GraphError):
    code = Code.CONFLICT


class Archived(GraphError):
    code = Code.ARCHIVED


class Forbidden(GraphError):
    code = Code.FORBIDDEN


class InUse(GraphError):
    """A catalog entry still referenced by data."""

    code = Code.IN_USE


class LimitReached(GraphError):
    """A link over its type's limit of links per record."""

    code = Code.LIMIT_REACHED


class KindMismatch(GraphError):
    """A link between kinds of record its type does not join."""

    code = Code.KIND_MISMATCH


class Closed(GraphError):
    """A closed activity refuses every change until it is reopened."""

    code = Code.CLOSED
