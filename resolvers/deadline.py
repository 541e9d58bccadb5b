"""A deadline for the whole of a request: past it, the work in flight is cancelled (its
connection to Neo4j closed, so nothing it began is committed) and the Neo4j transaction it
ran is also stopped by its own timeout, which is what was left of the deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from kesher.graph.driver import deadline
from kesher.graph.errors import TimedOut

__all__ = ["TimedOut", "within"]


@asynccontextmanager
async def within(seconds: float) -> AsyncIterator[None]:
    """Runs the block with a deadline `seconds` away; raises `TimeoutError` when it passes.
    The statements run inside take what is left of it as their timeout."""
    token = deadline.set(asyncio.get_running_loop().time() + seconds)
    try:
        async with asyncio.timeout(seconds):
            yield
    finally:
        deadline.reset(token)
