"""The viewer's check inside the request's own statements.

A bearer token names a user, a role and a token version. Each read, and the first
statement of each write transaction, run while a request is answered begin with a
subquery that matches that user and fails the statement unless the user is still
active, still has that role and still has that token version: a demoted, deactivated or
revoked user is refused by the same round trip that would have answered them.

Cypher has no statement to raise an error of one's own, so the subquery makes one the
driver reports with a known text: `duration()` refuses the text of `$guardRefusal`, and
the refusal is recognised by that text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, LiteralString

import neo4j

REFUSAL = "kesher viewer refused: token revoked or user deactivated"

GUARD: LiteralString = (
    "CALL () { OPTIONAL MATCH (guarded:User {id: $guardViewerId}) "
    "RETURN CASE WHEN guarded.active = true AND guarded.role = $guardViewerRole "
    "AND coalesce(guarded.tokenVersion, 0) = $guardViewerVersion "
    "THEN true ELSE duration($guardRefusal) END AS viewerGuard } "
)


@dataclass(frozen=True, slots=True)
class ViewerCheck:
    """What the token says of its user, to be found unchanged in the graph."""

    user_id: str
    role: str
    version: int

    def params(self) -> dict[str, Any]:
        return {
            "guardViewerId": self.user_id,
            "guardViewerRole": self.role,
            "guardViewerVersion": self.version,
            "guardRefusal": REFUSAL,
        }


_current: ContextVar[ViewerCheck | None] = ContextVar("kesher_viewer_check", default=None)


@dataclass(slots=True)
class _Transaction:
    check: ViewerCheck
    guarded: bool = False


_transaction: ContextVar[_Transaction | None] = ContextVar(
    "kesher_viewer_check_transaction", default=None
)


@contextmanager
def checking(check: ViewerCheck | None) -> Iterator[None]:
    """Statements run inside the block check `check` (none when it is None)."""
    previous = _current.get()
    _current.set(check)
    try:
        yield
    finally:
        # Set back rather than reset by token: a subscription's generator may be closed
        # from another context than the one that entered it.
        _current.set(previous)


def current() -> ViewerCheck | None:
    return _current.get()


def guarded(text: LiteralString, params: dict[str, Any]) -> tuple[LiteralString, dict[str, Any]]:
    """A read statement with the viewer's check in front, when a viewer is being checked."""
    check = _current.get()
    if check is None:
        return text, params
    return GUARD + text, params | check.params()


@contextmanager
def transaction() -> Iterator[None]:
    """One attempt of a write transaction: its first statement checks the viewer."""
    check = _current.get()
    token = _transaction.set(_Transaction(check) if check is not None else None)
    try:
        yield
    finally:
        _transaction.reset(token)


def first_in_transaction(
    text: LiteralString, params: dict[str, Any]
) -> tuple[LiteralString, dict[str, Any]]:
    """The statement with the viewer's check in front if it is the transaction's first."""
    pending = _transaction.get()
    if pending is None or pending.guarded:
        return text, params
    pending.guarded = True
    return GUARD + text, params | pending.check.params()


def refused(error: BaseException) -> bool:
    """Whether the driver's error is the check's refusal."""
    return isinstance(error, neo4j.exceptions.Neo4jError) and REFUSAL in (error.message or "")
