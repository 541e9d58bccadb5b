"""Call logs: a telephone call logged on a record's card, and the list of them (R3.3)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from kesher.resolvers import calls
from kesher.resolvers.errors import Refusal
from kesher.schema.common import Info, Row, connection_field, error_of, followed
from kesher.schema.node import Node
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAuthenticated
from kesher.schema.root_fields import saved_record

if TYPE_CHECKING:
    from kesher.schema.records import User

# Records carry call logs and a call log names its user; this side is resolved lazily.
LazyUser = Annotated["User", strawberry.lazy("kesher.schema.records")]


@strawberry.enum(description="Which way a call went.")
class CallType(Enum):
    INCOMING = strawberry.enum_value("INCOMING", description="They called us.")
    OUTGOING = strawberry.enum_value("OUTGOING", description="We called them.")


@strawberry.enum(description="How a call ended.")
class CallOutcome(Enum):
    CONNECTED = strawberry.enum_value("CONNECTED", description="We spoke.")
    NO_ANSWER = strawberry.enum_value("NO_ANSWER", description="Nobody answered.")
    BUSY = strawberry.enum_value("BUSY", description="The line was busy.")
    VOICEMAIL = strawberry.enum_value("VOICEMAIL", description="A message was left.")
    WRONG_NUMBER = strawberry.enum_value("WRONG_NUMBER", description="The number was wrong.")


@strawberry.type(description="A telephone call logged on a record.")
class CallLog(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    call_type: CallType = strawberry.field(description="Which way the call went.")
    outcome: CallOutcome = strawberry.field(description="How it ended.")
    summary: str = strawberry.field(description="What was said, in a few words.")
    at: datetime = strawberry.field(description="When the call began.")
    duration_seconds: int | None = strawberry.field(description="How long it lasted.")
    created_at: datetime = strawberry.field(description="When it was logged.")

    @strawberry.field(description="Who logged it.", graphql_type=LazyUser | None)
    @staticmethod
    def by(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)


def called(label: str) -> Any:
    """A record's connection field listing the calls logged on it, newest first."""
    return connection_field(f"{label}.call_logs", "Calls logged on it, newest first.", CallLog)


@payload_union("The call log, or why nothing changed.")
@strawberry.type(description="The call as logged.")
class CallLogSuccess:
    call_log: Row = strawberry.field(graphql_type=CallLog, description="The call log.")


CallLogPayload = Payload[CallLogSuccess]


@strawberry.type(description="Logging calls from a card.")
class CallLogMutations:
    @strawberry.mutation(
        description="Logs a telephone call on a customer, contact, project or activity. "
        "`at` (when the call began) defaults to now and may be at most 5 minutes ahead; "
        "the summary is 1 to 10,000 characters; the duration 0 to 86,400 seconds. Refused, "
        "changing nothing, for an unknown or archived record and a closed activity.",
        permission_classes=[IsAuthenticated],
    )
    async def log_call(
        self,
        info: Info,
        record_id: strawberry.ID,
        call_type: CallType,
        outcome: CallOutcome,
        summary: str,
        at: datetime | None = None,
        duration_seconds: int | None = None,
    ) -> CallLogPayload:
        data = {
            "callType": call_type.value,
            "outcome": outcome.value,
            "summary": summary,
            "at": at,
            "durationSeconds": duration_seconds,
        }
        logged = await calls.log_call(
            info.context, str(record_id), data, saved_record(info, "callLog")
        )
        if isinstance(logged, Refusal):
            return error_of(logged)
        return CallLogSuccess(call_log=logged)
