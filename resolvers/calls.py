"""Logging telephone calls on a record's card (R3.3)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from neo4j import AsyncManagedTransaction
from pydantic import AwareDatetime, Field, StringConstraints
from strawberry.types.nodes import Selection

from kesher.codes import Code
from kesher.graph import calls as graph_calls
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.graph.items import CALL_LOG
from kesher.resolvers.context import Context
from kesher.resolvers.errors import Refusal, validate
from kesher.resolvers.inputs import Input
from kesher.resolvers.records import audience
from kesher.resolvers.selection import shape_of
from kesher.resolvers.writes import viewer_id, write

MAX_SUMMARY_LENGTH = 10_000
MAX_DURATION_SECONDS = 86_400
# A call may be logged a little ahead of the server's clock (the caller's may run fast).
FUTURE_SLACK = timedelta(minutes=5)


class CallInput(Input):
    call_type: Literal["INCOMING", "OUTGOING"]
    outcome: Literal["CONNECTED", "NO_ANSWER", "BUSY", "VOICEMAIL", "WRONG_NUMBER"]
    summary: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SUMMARY_LENGTH),
    ]
    at: AwareDatetime | None = None
    duration_seconds: Annotated[int, Field(ge=0, le=MAX_DURATION_SECONDS)] | None = None


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:79] + "…"


async def log_call(
    context: Context, record_id: str, data: dict[str, Any], selections: Iterable[Selection]
) -> Row | Refusal:
    """Logs a call on a record in one write transaction and answers with it in the shape
    selected. `data` holds the call's fields by API name; `at` defaults to now and may be
    at most five minutes ahead."""
    checked = validate(CallInput, data)
    if isinstance(checked, Refusal):
        return checked
    now = datetime.now(UTC)
    at = (checked.at or now).astimezone(UTC)
    if at > now + FUTURE_SLACK:
        return Refusal(
            Code.INVALID_INPUT, "at: a call cannot be logged more than 5 minutes ahead.", "at"
        )
    actor = viewer_id(context)
    call_id = f"{graph_calls.CALL_LOG_PREFIX}_{secrets.token_hex(12)}"
    shape = shape_of(CALL_LOG, selections, context.settings)
    outcome = checked.outcome.replace("_", " ").lower()
    said = f"{checked.call_type.capitalize()} call, {outcome}: {_short(checked.summary)}"

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_calls.log(
            tx,
            audience(context),
            call_id,
            record_id,
            actor,
            checked.call_type,
            checked.outcome,
            checked.summary,
            at,
            checked.duration_seconds,
            said,
        )
        return await graph_records.card_in(context.graph, tx, audience(context), shape, call_id)

    return await write(context, work)
