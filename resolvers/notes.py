"""Notes with @mentions, and the signed-in user's notifications (R3.3, R4.1)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence

from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import SelectedField, Selection

from kesher.codes import Code
from kesher.graph import notes as graph_notes
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.graph.items import NOTE, NOTIFICATION
from kesher.resolvers.context import Context
from kesher.resolvers.errors import Refusal
from kesher.resolvers.pagination import ORDERS, connection
from kesher.resolvers.records import audience
from kesher.resolvers.selection import connection_shape, shape_of
from kesher.resolvers.writes import viewer_id, write

MAX_TEXT_LENGTH = 10_000
MAX_FILES = 20
NEWEST_FIRST = "CREATED_AT_DESC"

# `@dana.levi` or `@dana@example.com`, not the middle of an address or a word.
_MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def mentioned(text: str) -> list[str]:
    """The handles and e-mail addresses a text mentions, in lower case, each once, in the
    order they first appear. A sentence's full stop after one is not part of it."""
    found: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        token = match.group(1).rstrip("._-").lower()
        if token:
            found.setdefault(token, None)
    return list(found)


async def add_note(
    context: Context,
    record_id: str,
    text: str,
    selections: Iterable[Selection],
    attachment_ids: Sequence[str] = (),
) -> Row | Refusal:
    """Writes a note on a record, with files uploaded to the record moved onto it, and
    notifies the users it mentions, in one write transaction; answers with the note in
    the shape selected."""
    actor = viewer_id(context)
    if not text.strip() or len(text) > MAX_TEXT_LENGTH:
        return Refusal(
            Code.INVALID_INPUT,
            f"text: between 1 and {MAX_TEXT_LENGTH} characters, not blank.",
            "text",
        )
    files = list(dict.fromkeys(attachment_ids))
    if len(files) > MAX_FILES:
        return Refusal(
            Code.INVALID_INPUT, f"attachmentIds: at most {MAX_FILES} files.", "attachmentIds"
        )
    note_id = f"{graph_notes.NOTE_PREFIX}_{secrets.token_hex(12)}"
    shape = shape_of(NOTE, selections, context.settings)
    mentions = mentioned(text)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_notes.add(
            tx, audience(context), note_id, record_id, actor, text, mentions, files
        )
        return await graph_records.card_in(context.graph, tx, audience(context), shape, note_id)

    return await write(context, work)


async def notifications(context: Context, field: SelectedField, unread_only: bool) -> Row:
    """A page of the signed-in user's notifications, newest first: one statement."""
    shape, page = connection_shape(
        NOTIFICATION, field, context.settings, ORDERS[NEWEST_FIRST], NEWEST_FIRST
    )
    answer = await graph_notes.notifications(
        context.graph, audience(context), shape, page, unread_only
    )
    return connection(vars(answer), page, NEWEST_FIRST)


async def mark_read(context: Context, ids: Sequence[str] | None) -> Row | Refusal:
    """Marks the given (or all) unread notifications of the signed-in user read."""
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        return {"marked": await graph_notes.mark_read(tx, actor, ids)}

    return await write(context, work)
