"""The typed context every resolver receives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from kesher.graph import viewer_guard
from kesher.graph.driver import Graph
from kesher.settings import Settings


class Role(Enum):
    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    MEMBER = "MEMBER"


@dataclass(frozen=True)
class Viewer:
    """The signed-in user, as the bearer token says: `version` is the user's token version
    when it was issued, `expires` when it stops working (seconds since the epoch)."""

    id: str
    role: Role
    version: int = 0
    expires: float | None = field(default=None, compare=False)


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    graph: Graph
    settings: Settings
    request_id: str
    viewer: Viewer | None = None
    auth_problem: str | None = None


@contextmanager
def viewer_checked(context: Context | None) -> Iterator[None]:
    """Every statement run inside the block also checks that the context's viewer still
    holds the role and token version the token says, and is active. Without a context (the
    schema run by a tool, not for a request) there is no viewer to check."""
    viewer = context.viewer if context is not None else None
    check = (
        viewer_guard.ViewerCheck(viewer.id, viewer.role.value, viewer.version)
        if viewer is not None
        else None
    )
    with viewer_guard.checking(check):
        yield
