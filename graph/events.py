"""Events that writes cause, handed on only once their transaction has committed.

A statement helper that changes a record or notifies a user calls `emit` inside its
transaction function. `Graph.write` gives each attempt of the transaction a fresh list
(the driver may retry it) and, after the commit, passes what the last attempt emitted to
its `on_commit` callback: the broadcaster that feeds subscriptions. A refused write raises,
rolls back and emits nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kesher.graph.parties import find_party

if TYPE_CHECKING:
    from kesher.graph.driver import Graph
    from kesher.graph.visibility import Audience


@dataclass(frozen=True)
class RecordChanged:
    """Something about a record changed: an audit line, a note, a file, a call, a mail."""

    record_id: str
    action: str
    summary: str
    actor_id: str | None
    at: datetime


@dataclass(frozen=True)
class Notified:
    """A notification was made for a user; `notification` is its row as the API reads it
    (`id`, `kind`, `summary`, `created_at`, `read_at`)."""

    user_id: str
    notification: dict[str, Any]


@dataclass(frozen=True)
class Revoked:
    """A user's tokens were revoked: those issued under a token version below `version` no
    longer hold, and the user's open subscriptions that rest on one end."""

    user_id: str
    version: int


Event = RecordChanged | Notified | Revoked

_pending: ContextVar[list[Event] | None] = ContextVar("kesher_pending_events", default=None)


def emit(event: Event) -> None:
    """Queues `event` for after the commit of the transaction being run."""
    pending = _pending.get()
    if pending is not None:
        pending.append(event)


@contextmanager
def collecting(into: list[Event]) -> Iterator[None]:
    """Collects what is emitted inside the block into `into` (emptied first)."""
    into.clear()
    token = _pending.set(into)
    try:
        yield
    finally:
        _pending.reset(token)


async def followable(graph: Graph, audience: Audience, record_id: str) -> bool:
    """Whether a record with this id exists whose changes are told to the audience: any
    record an audit line may be about, archived or not, but an activity only if they may
    see it. One statement."""
    # Imported here: the audit module and statements read through the driver, which
    # imports this one.
    from kesher.graph.audit import AUDITED_LABELS
    from kesher.graph.statement import Statement

    statement = Statement(audience=audience)
    rows = await graph.rows(
        find_party("r", "$id", AUDITED_LABELS)
        + f" WITH r WHERE NOT r:Activity OR {statement.visible('r')} RETURN r.id AS id",
        {"id": record_id, **statement.params},
    )
    return bool(rows)
