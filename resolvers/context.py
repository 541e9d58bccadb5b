"""The typed context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from kesher.graph.driver import Graph
from kesher.settings import Settings


class Role(Enum):
    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    MEMBER = "MEMBER"


@dataclass(frozen=True)
class Viewer:
    """The signed-in user, as the bearer token says."""

    id: str
    role: Role


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    graph: Graph
    settings: Settings
    request_id: str
    viewer: Viewer | None = None
    auth_problem: str | None = None
