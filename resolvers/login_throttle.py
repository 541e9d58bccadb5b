"""Login throttling: how many wrong guesses an account, and a client address, may make.

Counted with the `limits` library's moving window, in this process's memory or, with a
storage URI such as `redis://host:6379/0`, in Redis shared by every API process.

- An account (the e-mail as typed, trimmed and in lower case) takes a slot for each
  attempt before its password is checked, so concurrent guesses cannot pass the limit
  together; a successful sign-in gives its account's slots back.
- An address counts the failures made from it: successes do not, so many people signing
  in from one office are not held back by each other, only by their failures.
- An attempt over either limit is refused with `TOO_MANY_ATTEMPTS` and how many seconds
  to wait, before the user is looked up or a password hashed: a refusal costs nothing and
  tells nothing about the password.

The address is the ASGI client's: behind a reverse proxy, run uvicorn with
`--proxy-headers` and `--forwarded-allow-ips` set to the proxy's address, or every client
shares the proxy's address and its limit.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from kesher.codes import Code
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError
from kesher.settings import Settings

# A prefix for the keys, so a Redis shared with others is safe.
KEY_PREFIX = "kesher-login"


class TooManyAttempts(ClientError):
    """An attempt refused for the failures before it; `retry_after` is in whole seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, code=Code.TOO_MANY_ATTEMPTS)
        self.retry_after = retry_after
        self.extensions = {**(self.extensions or {}), "retryAfterSeconds": retry_after}


def async_storage_uri(uri: str) -> str:
    """The `limits` asyncio storage for a URI written as for any client (`memory://`,
    `redis://…`); one already written `async+…` is kept."""
    return uri if uri.startswith("async+") else f"async+{uri}"


class LoginThrottle:
    def __init__(self, storage: Storage, per_account: RateLimitItem, per_address: RateLimitItem):
        self._limiter = MovingWindowRateLimiter(storage)
        self.per_account = per_account
        self.per_address = per_address

    async def admit(self, email: str, address: str) -> None:
        """Takes one of the account's slots for this attempt; raises `TooManyAttempts` when
        the account or the address has none left."""
        if not await self._limiter.test(self.per_address, KEY_PREFIX, "address", address):
            await self._refuse(self.per_address, ("address", address), "from this address")
        account = _account(email)
        if not await self._limiter.hit(self.per_account, KEY_PREFIX, "account", account):
            await self._refuse(self.per_account, ("account", account), "for this account")

    async def failed(self, address: str) -> None:
        """Counts a wrong e-mail or password against the address."""
        await self._limiter.hit(self.per_address, KEY_PREFIX, "address", address)

    async def succeeded(self, email: str) -> None:
        """Gives the account's slots back: its user knows the password."""
        await self._limiter.clear(self.per_account, KEY_PREFIX, "account", _account(email))

    async def _refuse(self, limit: RateLimitItem, key: tuple[str, str], whom: str) -> None:
        stats = await self._limiter.get_window_stats(limit, KEY_PREFIX, *key)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyAttempts(
            f"Too many failed sign-ins {whom}; try again in {wait} seconds.", wait
        )


def _account(email: str) -> str:
    """The account's key: a digest, so that keys have one size and Redis holds no
    addresses."""
    return hashlib.sha256(email.encode()).hexdigest()


@asynccontextmanager
async def throttling(settings: Settings) -> AsyncIterator[LoginThrottle]:
    """The throttle the settings ask for. Its counts are left as they are on the way out:
    in Redis, other processes go on using them. Redis is reached through redis-py, as
    subscriptions reach it, over a connection pool closed on the way out."""
    uri = settings.rate_limit_storage
    options: dict[str, Any] = {}
    pool: redis.asyncio.ConnectionPool | None = None
    if uri.removeprefix("async+").partition(":")[0] in ("redis", "rediss"):
        pool = redis.asyncio.ConnectionPool.from_url(uri.removeprefix("async+"))
        options = {"implementation": "redispy", "connection_pool": pool}
    storage = storage_from_string(async_storage_uri(uri), **options)
    if not isinstance(storage, Storage):
        raise ValueError(f"KESHER_RATE_LIMIT_STORAGE: {uri!r} is not a storage for asyncio.")
    try:
        yield LoginThrottle(
            storage,
            parse(settings.login_attempts_per_account),
            parse(settings.login_attempts_per_address),
        )
    finally:
        if pool is not None:
            await pool.disconnect()


def address_of(context: Context) -> str:
    client = context.request.client
    return client.host if client is not None else "unknown"


def throttle(context: Context) -> LoginThrottle:
    found: LoginThrottle = context.request.app.state.login_throttle
    return found
