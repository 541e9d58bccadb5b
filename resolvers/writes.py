"""What every mutation's resolver shares: who is acting, and the one write transaction its
work runs in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from neo4j import AsyncManagedTransaction

from kesher.codes import Code
from kesher.graph.driver import Row
from kesher.graph.errors import GraphError
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError, Refusal


def viewer_id(context: Context) -> str:
    if context.viewer is None:  # permission classes run first; this guards direct calls
        raise ClientError("Sign in first.", code=Code.UNAUTHENTICATED)
    return context.viewer.id


async def write(
    context: Context, work: Callable[[AsyncManagedTransaction], Awaitable[Row | None]]
) -> Row | Refusal:
    """Runs a mutation's work in one write transaction; a refusal becomes a `Refusal`."""
    try:
        row: Row | None = await context.graph.write(work)
    except GraphError as error:
        return Refusal.of(error)
    if row is None:
        return Refusal(Code.NOT_FOUND, "id: no such record.", "id")
    return row
