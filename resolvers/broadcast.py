"""Live updates: the events committed writes emit (`kesher.graph.events`), handed to the
subscriptions that follow their channels (`kesher.resolvers.subscriptions`).

A channel is `user:<id>` (the user's new notifications) or `record:<id>` (every committed
change on the record). Each subscriber reads from a bounded queue of its own: one that
reads too slowly loses its oldest events, so it neither holds up the others nor makes the
process grow.

Two broadcasters share one interface. `LocalBroadcaster` hands events straight to this
process's subscribers. `RedisBroadcaster` publishes them on Redis pub/sub as JSON and
listens there, so the subscribers of every API process see the writes of every process:
one Redis connection per process listens, subscribed to the channels its subscribers
follow. Either publishes after the commit; a failure is logged, never raised, since the
write it tells of has happened.
"""

from __future__ import annotations

import asyncio
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from kesher.graph.events import Event, Notified, RecordChanged, Revoked
from kesher.settings import Settings

logger = logging.getLogger("kesher.broadcast")

# Events a subscriber may fall behind by before its oldest are dropped.
QUEUE_SIZE = 256
# Redis channels are named with this prefix, so a Redis shared with others is safe.
REDIS_PREFIX = "kesher:"
# How long a new subscription waits for Redis to confirm it before giving up.
JOIN_TIMEOUT_SECONDS = 10.0
# The listener's wait before trying an unreachable Redis again, doubled up to the cap.
RETRY_FIRST_SECONDS = 0.1
RETRY_CAP_SECONDS = 5.0


def _untyped(method: Any) -> Callable[[], Awaitable[None]]:
    """A method of redis-py's `PubSub` it leaves without type hints."""
    return cast("Callable[[], Awaitable[None]]", method)


def user_channel(user_id: str) -> str:
    return f"user:{user_id}"


def record_channel(record_id: str) -> str:
    return f"record:{record_id}"


def channel_of(event: Event) -> str:
    if isinstance(event, RecordChanged):
        return record_channel(event.record_id)
    return user_channel(event.user_id)


class Unavailable(Exception):
    """The broadcaster cannot follow a channel now (Redis is unreachable)."""


class Feed:
    """One subscriber's events, oldest first, in a bounded queue."""

    def __init__(self, channel: str, size: int) -> None:
        self.channel = channel
        self.dropped = 0
        # The highest token version a revocation told this feed of: kept apart from the
        # queue, where a reader far behind could lose it with the oldest events.
        self.revoked_below = 0
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=size)

    def put(self, event: Event) -> None:
        """Queues the event; when the queue is full, its oldest event is dropped for it."""
        if isinstance(event, Revoked):
            self.revoked_below = max(self.revoked_below, event.version)
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
            if self.dropped == 1:
                logger.warning(
                    "A subscriber on %s reads too slowly; its oldest events are dropped.",
                    self.channel,
                )
        self._queue.put_nowait(event)

    def __len__(self) -> int:
        """How many events are queued, to be read without waiting."""
        return self._queue.qsize()

    def __aiter__(self) -> Feed:
        return self

    async def __anext__(self) -> Event:
        return await self._queue.get()


@dataclass
class _Channel:
    """A channel this process follows: its subscribers, and the joining of it."""

    joined: asyncio.Task[None]
    feeds: set[Feed] = field(default_factory=set)
    live: int = 0


def _seen(task: asyncio.Task[None]) -> None:
    """Marks a join's failure as seen: its subscribers may all have gone by then."""
    if not task.cancelled():
        task.exception()


class Broadcaster(ABC):
    """Hands events to this process's subscribers; subclasses say how events get here."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._channels: dict[str, _Channel] = {}
        self._switching = asyncio.Lock()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    @abstractmethod
    async def publish(self, events: Sequence[Event]) -> None:
        """Tells the subscribers of every process about committed events (`graph.on_commit`)."""

    @asynccontextmanager
    async def subscribe(self, channel: str, feed: Feed | None = None) -> AsyncIterator[Feed]:
        """Follows a channel for the block: the feed (a new one, or `feed`, which then
        follows one more channel) gets every event published on it from the moment the
        block is entered. Raises `Unavailable` when it cannot follow."""
        state = self._channels.get(channel)
        if state is None:
            state = _Channel(joined=asyncio.ensure_future(self._switch(channel, join=True)))
            state.joined.add_done_callback(_seen)
            self._channels[channel] = state
        feed = feed if feed is not None else Feed(channel, self.queue_size)
        state.feeds.add(feed)
        live = False
        try:
            await asyncio.shield(state.joined)
            state.live += 1
            live = True
            yield feed
        finally:
            if live:
                state.live -= 1
            state.feeds.discard(feed)
            if not state.feeds and self._channels.get(channel) is state:
                del self._channels[channel]
                await self._switch(channel, join=False)

    async def _switch(self, channel: str, join: bool) -> None:
        """Joins or leaves a channel, one change at a time, so that a leave never undoes a
        later join: a channel followed again meanwhile is not left."""
        async with self._switching:
            if join:
                await self._join(channel)
            elif channel not in self._channels:
                await self._leave(channel)

    def listeners(self, channel: str) -> int:
        """How many subscribers in this process follow the channel (joined ones only)."""
        state = self._channels.get(channel)
        return state.live if state is not None else 0

    def deliver(self, channel: str, event: Event) -> None:
        """Hands an event to this process's subscribers of the channel."""
        state = self._channels.get(channel)
        if state is not None:
            for feed in state.feeds:
                feed.put(event)

    async def _join(self, channel: str) -> None:
        return None

    async def _leave(self, channel: str) -> None:
        return None


class LocalBroadcaster(Broadcaster):
    """Events stay inside this process: enough for one API process."""

    async def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            self.deliver(channel_of(event), event)


class RedisBroadcaster(Broadcaster):
    """Events go through Redis pub/sub, shared by every API process using the same Redis."""

    def __init__(self, url: str, queue_size: int = QUEUE_SIZE) -> None:
        super().__init__(queue_size)
        # Short timeouts and few retries: a mutation waits for its publish to be sent.
        self._client: redis.asyncio.Redis = redis.asyncio.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=2.0,
            socket_timeout=5.0,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
        )
        self._pubsub = self._client.pubsub()
        self._confirming: dict[str, asyncio.Future[None]] = {}
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            await _untyped(self._pubsub.connect)()
        except (RedisError, OSError) as error:
            logger.error("Redis is unreachable (%s); subscriptions wait for it.", error)
        self._listener = asyncio.create_task(self._listen(), name="kesher-redis-listener")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError):
                await self._listener
        await _untyped(self._pubsub.aclose)()
        await self._client.aclose()

    async def publish(self, events: Sequence[Event]) -> None:
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for event in events:
                    pipe.publish(REDIS_PREFIX + channel_of(event), encode(event))
                await pipe.execute()
        except Exception:  # the write has committed: its events are lost, not the write
            logger.exception(
                "Could not publish %d event(s) to Redis; subscribers miss them.", len(events)
            )

    async def _listen(self) -> None:
        """Reads the listening connection for good; redis-py reconnects it and subscribes
        it again to its channels after a break."""
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                if self._pubsub.connection is None:
                    await _untyped(self._pubsub.connect)()
                message = await self._pubsub.get_message(timeout=None)
            except (RedisError, OSError) as error:
                logger.warning("Redis is unreachable (%s); trying again in %.1f s.", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_CAP_SECONDS)
                continue
            delay = RETRY_FIRST_SECONDS
            if message is not None:
                self._receive(message)

    def _receive(self, message: dict[str, Any]) -> None:
        channel = str(message.get("channel") or "")
        if not channel.startswith(REDIS_PREFIX):
            return
        name = channel.removeprefix(REDIS_PREFIX)
        if message.get("type") == "subscribe":
            waiter = self._confirming.pop(name, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        elif message.get("type") == "message":
            try:
                event = decode(str(message["data"]))
            except (ValueError, KeyError, TypeError) as error:
                logger.warning("Ignored a malformed message on %s: %s", channel, error)
                return
            self.deliver(name, event)

    async def _join(self, channel: str) -> None:
        """Subscribes the listening connection to the channel and waits for Redis to
        confirm it: from then on, everything published on it reaches this process."""
        if self._pubsub.connection is None:
            raise Unavailable("Live updates are unavailable: Redis cannot be reached.")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._confirming[channel] = waiter
        try:
            await self._pubsub.subscribe(REDIS_PREFIX + channel)
            await asyncio.wait_for(waiter, JOIN_TIMEOUT_SECONDS)
        except (RedisError, OSError, TimeoutError) as error:
            raise Unavailable("Live updates are unavailable: Redis cannot be reached.") from error
        finally:
            if self._confirming.get(channel) is waiter:
                del self._confirming[channel]

    async def _leave(self, channel: str) -> None:
        try:
            await self._pubsub.unsubscribe(REDIS_PREFIX + channel)
        except (RedisError, OSError) as error:
            logger.warning("Could not unsubscribe from %s: %s", channel, error)


def encode(event: Event) -> str:
    """An event as a JSON message; times as ISO-8601 strings with their offset."""
    if isinstance(event, RecordChanged):
        body: dict[str, Any] = {
            "type": "RecordChanged",
            "recordId": event.record_id,
            "action": event.action,
            "summary": event.summary,
            "actorId": event.actor_id,
            "at": event.at.isoformat(),
        }
    elif isinstance(event, Revoked):
        body = {"type": "Revoked", "userId": event.user_id, "version": event.version}
    else:
        body = {
            "type": "Notified",
            "userId": event.user_id,
            "notification": {
                key: value.isoformat() if isinstance(value, datetime) else value
                for key, value in event.notification.items()
            },
        }
    return json.dumps(body)


def decode(text: str) -> Event:
    """The event a JSON message from `encode` holds; a row's `…_at` strings are times."""
    body = json.loads(text)
    if body["type"] == "RecordChanged":
        return RecordChanged(
            record_id=str(body["recordId"]),
            action=str(body["action"]),
            summary=str(body["summary"]),
            actor_id=body["actorId"],
            at=datetime.fromisoformat(body["at"]),
        )
    if body["type"] == "Notified":
        row = {
            key: datetime.fromisoformat(value)
            if key.endswith("_at") and isinstance(value, str)
            else value
            for key, value in body["notification"].items()
        }
        return Notified(user_id=str(body["userId"]), notification=row)
    if body["type"] == "Revoked":
        return Revoked(user_id=str(body["userId"]), version=int(body["version"]))
    raise ValueError(f"unknown event type {body['type']!r}")


@asynccontextmanager
async def broadcasting(settings: Settings) -> AsyncIterator[Broadcaster]:
    """The broadcaster the settings ask for (Redis when `redis_url` is set), running."""
    broadcaster: Broadcaster = (
        RedisBroadcaster(settings.redis_url) if settings.redis_url else LocalBroadcaster()
    )
    await broadcaster.start()
    try:
        yield broadcaster
    finally:
        await broadcaster.stop()
