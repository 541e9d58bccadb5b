"""Who may keep a subscription open, and for how long.

A WebSocket connection signs in once, at `connection_init`, but its subscriptions may last
for hours. Each one therefore:

- opens only while its token holds: not expired, and confirmed against the graph by one
  statement once the subscription follows its channels, so that a revocation made after
  that check is told to it as an event;
- ends at the token's expiry: a timer on a wait for the next event, and a comparison of
  the clock before one already queued is taken;
- ends when the user's tokens are revoked (a role, password or active change): the
  mutation that revokes them emits `Revoked` on the user's channel, which every
  subscription of that user follows, through the same broadcaster as its events (so
  across API processes too, with Redis);
- counts against a cap of open subscriptions per user in this process.

An ended subscription answers one last result whose error has the code
`UNAUTHENTICATED`, then `complete`, as graphql-transport-ws ends an operation; the
connection stays open for the client's other operations.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from kesher.codes import Code
from kesher.graph import records as graph_records
from kesher.graph.events import Event, Revoked
from kesher.resolvers.context import Context, Viewer, viewer_checked
from kesher.resolvers.errors import ClientError, ViewerRefused

if TYPE_CHECKING:
    from kesher.resolvers.broadcast import Feed

EXPIRED = "The bearer token has expired; sign in again with login."


class SubscriptionSlots:
    """How many subscriptions each user has open in this process, up to `cap`."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._open: Counter[str] = Counter()

    def open(self, user_id: str) -> int:
        return self._open[user_id]

    @contextmanager
    def held(self, user_id: str) -> Iterator[None]:
        """Holds one of the user's slots for the block; refuses when none is free."""
        if self._open[user_id] >= self.cap:
            raise ClientError(
                f"You have {self.cap} subscriptions open, the most one user may have; "
                "complete one before starting another.",
                code=Code.TOO_MANY_SUBSCRIPTIONS,
            )
        self._open[user_id] += 1
        try:
            yield
        finally:
            self._open[user_id] -= 1
            if self._open[user_id] <= 0:
                del self._open[user_id]


def slots(context: Context) -> SubscriptionSlots:
    found: SubscriptionSlots = context.request.app.state.subscription_slots
    return found


def admitted(context: Context) -> Viewer:
    """The viewer, when their token has not expired since the connection signed in."""
    viewer = context.viewer
    if viewer is None:  # permission classes run first; this guards direct calls
        raise ClientError("Sign in first.", code=Code.UNAUTHENTICATED)
    if viewer.expires is not None and viewer.expires <= time.time():
        raise ClientError(EXPIRED, code=Code.UNAUTHENTICATED)
    return viewer


async def confirm(context: Context) -> None:
    """Raises `ViewerRefused` unless the viewer is still active, with the token's role and
    token version (one statement)."""
    with viewer_checked(context):
        await graph_records.confirm_viewer(context.graph)


class Authorized:
    """A subscription's events while its token holds: waiting for the next one ends with
    an `UNAUTHENTICATED` error at the token's expiry, and on a revocation of its tokens."""

    def __init__(self, feed: Feed, viewer: Viewer) -> None:
        self._feed = feed
        self._viewer = viewer
        if viewer.expires is None:
            self._deadline: float | None = None
        else:
            loop = asyncio.get_running_loop()
            self._deadline = loop.time() + (viewer.expires - time.time())

    def __aiter__(self) -> Authorized:
        return self

    async def __anext__(self) -> Event:
        loop = asyncio.get_running_loop()
        while True:
            if self._deadline is not None and loop.time() >= self._deadline:
                raise ClientError(EXPIRED, code=Code.UNAUTHENTICATED)
            if self._feed.revoked_below > self._viewer.version:
                raise ViewerRefused()
            if len(self._feed):  # queued: taken at once, no timer needed
                event = await anext(self._feed)
            else:
                try:
                    async with asyncio.timeout_at(self._deadline):
                        event = await anext(self._feed)
                except TimeoutError as error:
                    raise ClientError(EXPIRED, code=Code.UNAUTHENTICATED) from error
            if not isinstance(event, Revoked):
                return event
