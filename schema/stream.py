"""A record's stream: notes, tasks, calls, e-mails, files, activities and audit lines in
one list, newest first (R3.2, R3.3)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from kesher.resolvers.records import nested_connection
from kesher.schema.attachments import Attachment
from kesher.schema.call_logs import CallLog
from kesher.schema.common import AFTER, FIRST, Before, Connection, Info, Last, Row, followed
from kesher.schema.items import AuditLine, Email
from kesher.schema.notes import Note

if TYPE_CHECKING:
    from kesher.schema.activities import Activity
    from kesher.schema.records import User

LazyUser = Annotated["User", strawberry.lazy("kesher.schema.records")]
LazyActivity = Annotated["Activity", strawberry.lazy("kesher.schema.activities")]


@strawberry.enum(description="What a stream entry is.")
class StreamKind(Enum):
    NOTE = strawberry.enum_value("NOTE", description="A note.")
    TASK = strawberry.enum_value("TASK", description="A task (an activity of kind TASK).")
    ACTIVITY = strawberry.enum_value(
        "ACTIVITY", description="Any other activity: a meeting, call, offer, product record."
    )
    CALL = strawberry.enum_value("CALL", description="A logged telephone call.")
    EMAIL = strawberry.enum_value("EMAIL", description="An e-mail sent, logged or received.")
    ATTACHMENT = strawberry.enum_value("ATTACHMENT", description="A file attached.")
    AUDIT = strawberry.enum_value(
        "AUDIT", description="An audit line: a change to the record, who made it and when."
    )


@strawberry.type(
    description="One thing in a record's stream. `kind` says which of the fields `note`, "
    "`task`/`activity`, `callLog`, `email`, `attachment` and `auditLine` holds it in full; "
    "the others are null."
)
class StreamEntry:
    id: strawberry.ID = strawberry.field(description="The id of the note, activity, call, ….")
    kind: StreamKind = strawberry.field(description="What it is.")
    at: datetime = strawberry.field(
        description="When it happened: an activity's start (a task's due time), a call's or "
        "e-mail's time, else when it was written."
    )
    summary: str = strawberry.field(
        description="It in a line: a subject, a file name, a call's or change's summary, a "
        "note's text."
    )

    @strawberry.field(
        description="Who wrote, logged, sent, uploaded or changed it; an activity's owner. "
        "Null for received mail.",
        graphql_type=LazyUser | None,
    )
    @staticmethod
    def by(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)

    @strawberry.field(description="The note, when it is one.", graphql_type=Note | None)
    @staticmethod
    def note(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)

    @strawberry.field(
        description="The activity (a task included), when it is one.",
        graphql_type=LazyActivity | None,
    )
    @staticmethod
    def activity(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)

    @strawberry.field(description="The call, when it is one.", graphql_type=CallLog | None)
    @staticmethod
    def call_log(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)

    @strawberry.field(description="The e-mail, when it is one.", graphql_type=Email | None)
    @staticmethod
    def email(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)

    @strawberry.field(description="The file, when it is one.", graphql_type=Attachment | None)
    @staticmethod
    def attachment(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)

    @strawberry.field(description="The audit line, when it is one.", graphql_type=AuditLine | None)
    @staticmethod
    def audit_line(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)


def streamed(label: str) -> Any:
    """A record's stream field: one connection, newest first, filtered by kind; read by
    the card's own statement."""

    def resolve(
        parent: strawberry.Parent[Row],
        info: Info,
        kinds: Annotated[
            list[StreamKind] | None,
            strawberry.argument(description="Only entries of these kinds; all when left out."),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        return nested_connection(
            parent, str(info.path.key), f"{label}.stream", info.context, first, after, last, before
        )

    return strawberry.field(
        resolver=resolve,
        description="Everything on it, newest first: notes, tasks, activities, calls, "
        "e-mails, files and audit lines, filtered by `kinds`.",
        graphql_type=Connection[StreamEntry],
    )
