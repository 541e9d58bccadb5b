"""Signing in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime

from strawberry.types.nodes import Selection

from kesher.codes import Code
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.passwords import verify_password
from kesher.resolvers import login_throttle
from kesher.resolvers.context import Context, Role, Viewer
from kesher.resolvers.errors import Refusal
from kesher.resolvers.records import USERS, card
from kesher.resolvers.tokens import issue

# Verified against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$byd+JU6otBoma3rSXnCgkQ$"
    "I43c42taDNrjJS+8Rv23dPQBijeWqCLtTeYhj30mfcM"
)

BAD_CREDENTIALS = Refusal(Code.INVALID_CREDENTIALS, "The e-mail or password is wrong.", "password")


async def login(
    context: Context, email: str, password: str, user_selections: Iterable[Selection]
) -> tuple[str, datetime, Row] | Refusal:
    """A bearer token for an active user whose password matches. An attempt over the
    account's or the address's limit of failures is refused (`TooManyAttempts`) before
    anything is looked up or hashed."""
    account, address = email.strip().lower(), login_throttle.address_of(context)
    throttle = login_throttle.throttle(context)
    try:
        await throttle.admit(account, address)
    except login_throttle.TooManyAttempts as refused:
        if context.response is not None:
            context.response.headers["Retry-After"] = str(refused.retry_after)
        raise
    found = await graph_records.login_lookup(context.graph, account)
    stored = found["passwordHash"] if found else _DUMMY_HASH
    matches = await asyncio.to_thread(verify_password, stored, password)
    if found is None or not matches or not found["active"]:
        await throttle.failed(address)
        return BAD_CREDENTIALS
    await throttle.succeeded(account)
    viewer = Viewer(found["id"], Role(found["role"]), found["tokenVersion"])
    token, expires = issue(viewer, context.settings.signing_key, context.settings.token_ttl_seconds)
    user = await card(context, USERS, viewer.id, user_selections, viewer) or {"id": viewer.id}
    return token, expires, user
