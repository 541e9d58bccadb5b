"""Signing in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime

from strawberry.types.nodes import Selection

from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.passwords import verify_password
from kesher.resolvers.context import Context, Role, Viewer
from kesher.resolvers.errors import Refusal
from kesher.resolvers.records import USERS, card
from kesher.resolvers.tokens import issue

# Verified against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$byd+JU6otBoma3rSXnCgkQ$"
    "I43c42taDNrjJS+8Rv23dPQBijeWqCLtTeYhj30mfcM"
)

BAD_CREDENTIALS = Refusal("INVALID_CREDENTIALS", "The e-mail or password is wrong.", "password")


async def login(
    context: Context, email: str, password: str, user_selections: Iterable[Selection]
) -> tuple[str, datetime, Row] | Refusal:
    """A bearer token for an active user whose password matches."""
    found = await graph_records.login_lookup(context.graph, email.strip().lower())
    stored = found["passwordHash"] if found else _DUMMY_HASH
    matches = await asyncio.to_thread(verify_password, stored, password)
    if found is None or not matches or not found["active"]:
        return BAD_CREDENTIALS
    viewer = Viewer(found["id"], Role(found["role"]), found["tokenVersion"])
    token, expires = issue(viewer, context.settings.signing_key, context.settings.token_ttl_seconds)
    user = await card(context, USERS, viewer.id, user_selections, viewer) or {"id": viewer.id}
    return token, expires, user
