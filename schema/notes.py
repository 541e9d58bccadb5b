"""Notes on customers, contacts, projects and activities, whose @mentions notify users, and
the signed-in user's notifications (R3.3, R4.1)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from kesher.resolvers import notes
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.resolvers.selection import child
from kesher.schema.common import (
    AFTER,
    FIRST,
    Before,
    Connection,
    Info,
    Last,
    Row,
    connection_field,
    error_of,
    followed,
)
from kesher.schema.node import Node
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAuthenticated

if TYPE_CHECKING:
    from kesher.schema.activities import Activity
    from kesher.schema.attachments import Attachment
    from kesher.schema.records import Customer, User

# Records carry notes and notes name users; this side is resolved lazily.
LazyUser = Annotated["User", strawberry.lazy("kesher.schema.records")]
LazyCustomer = Annotated["Customer", strawberry.lazy("kesher.schema.records")]
LazyAttachment = Annotated["Attachment", strawberry.lazy("kesher.schema.attachments")]
LazyActivity = Annotated["Activity", strawberry.lazy("kesher.schema.activities")]


@strawberry.type(
    description="A note on a record. `@handle` or `@e-mail` in its text mentions a user, "
    "who is notified."
)
class Note(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    text: str = strawberry.field(description="What was written, mentions included.")
    created_at: datetime = strawberry.field(description="When it was written.")
    record_id: strawberry.ID = strawberry.field(
        description="The customer, contact, project or activity it is on."
    )

    @strawberry.field(description="Who wrote it.", graphql_type=LazyUser | None)
    @staticmethod
    def author(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)

    mentions = connection_field(
        "Note.mentions",
        "The active users it mentions (the author too, if they did), by name.",
        LazyUser,
    )
    attachments = connection_field(
        "Note.attachments", "Files put on it, newest first.", LazyAttachment
    )


def noted(label: str) -> Any:
    """A record's connection field listing the notes on it, newest first."""
    return connection_field(f"{label}.notes", "Notes on it, newest first.", Note)


@strawberry.enum(description="What a notification is about.")
class NotificationKind(Enum):
    MENTION = strawberry.enum_value("MENTION", description="A note mentions you.")
    TASK_DUE = strawberry.enum_value("TASK_DUE", description="A task of yours fell due.")
    ASSIGNED = strawberry.enum_value(
        "ASSIGNED", description="You were assigned to a customer or activity."
    )
    UNASSIGNED = strawberry.enum_value(
        "UNASSIGNED", description="You were removed from a customer or activity."
    )


@strawberry.type(description="Something the signed-in user is told about.")
class Notification(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    kind: NotificationKind = strawberry.field(description="What it is about.")
    summary: str = strawberry.field(
        description='What happened in words: "Dana Levi mentioned you on Acme Ltd".'
    )
    created_at: datetime = strawberry.field(description="When it happened.")
    read_at: datetime | None = strawberry.field(
        description="When it was marked read; null while unread."
    )

    @strawberry.field(description="The note it is about.", graphql_type=Note | None)
    @staticmethod
    def note(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)

    @strawberry.field(
        description="The activity it is about: the task that fell due, or the activity you "
        "were assigned to or removed from.",
        graphql_type=LazyActivity | None,
    )
    @staticmethod
    def activity(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)

    @strawberry.field(
        description="The customer you were assigned to or removed from.",
        graphql_type=LazyCustomer | None,
    )
    @staticmethod
    def customer(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)


@payload_union("The note, or why nothing changed.")
@strawberry.type(description="The note as written.")
class NoteSuccess:
    note: Row = strawberry.field(graphql_type=Note, description="The note.")


@payload_union("How many were marked, or why none was.")
@strawberry.type(description="Notifications were marked read.")
class MarkReadSuccess:
    marked: int = strawberry.field(description="How many unread notifications were marked.")


NotePayload = Payload[NoteSuccess]
MarkReadPayload = Payload[MarkReadSuccess]


@strawberry.type(description="Reading notifications.")
class NoteQueries:
    @strawberry.field(
        description="The signed-in user's notifications, newest first. One statement.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[Notification],
    )
    async def notifications(
        self,
        info: Info,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only those not yet marked read.")
        ] = False,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        field = selected(info)
        return await notes.notifications(info.context, field, unread_only)


@strawberry.type(description="Writing notes and reading notifications.")
class NoteMutations:
    @strawberry.mutation(
        description="Writes a note (1 to 10,000 characters) on a customer, contact, project "
        "or activity. Each active user it mentions by `@handle` or `@e-mail` is notified "
        "once (not the author); other mentions stay plain text. Refused for an unknown or "
        "archived record and a closed activity, and a file in `attachmentIds` that is not "
        "attached to the record itself.",
        permission_classes=[IsAuthenticated],
    )
    async def add_note(
        self,
        info: Info,
        record_id: strawberry.ID,
        text: str,
        attachment_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(
                description="Files uploaded to the record (`uploadAttachment`) to put on the "
                "note, at most 20; each then shows on the note rather than on the record."
            ),
        ] = None,
    ) -> NotePayload:
        outcome = await notes.add_note(
            info.context,
            str(record_id),
            text,
            child(selected(info).selections, "note"),
            [str(i) for i in attachment_ids or ()],
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return NoteSuccess(note=outcome)

    @strawberry.mutation(
        description="Marks the signed-in user's unread notifications read: those of `ids`, "
        "or all when `ids` is left out. An id that is not one of theirs is refused, "
        "changing nothing.",
        permission_classes=[IsAuthenticated],
    )
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID] | None = None
    ) -> MarkReadPayload:
        outcome = await notes.mark_read(info.context, None if ids is None else list(ids))
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return MarkReadSuccess(marked=outcome["marked"])
