"""E-mail from a record's card (R3.3): sending one, and filing one sent or received
elsewhere. Mail sent to the service's own SMTP listener is filed by the listener."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from kesher.resolvers import emails
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.resolvers.selection import child
from kesher.schema.common import Info, Row, error_of
from kesher.schema.items import Email, EmailDirection
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAuthenticated

_RECORD = "The customer, contact, project or activity it is filed on."
_TO = "The addressees' e-mail addresses (plain `name@domain`)."
_CC = "Those copied."
_SUBJECT = "The subject line: 1 to 998 characters, one line."
_TEXT = "The plain-text body: at most 100,000 characters."


@payload_union("The e-mail filed, or why nothing was.")
@strawberry.type(description="The e-mail as filed on the record.")
class EmailSuccess:
    email: Row = strawberry.field(graphql_type=Email, description="The e-mail.")


EmailPayload = Payload[EmailSuccess]


@strawberry.type(description="Sending and logging e-mail.")
class EmailMutations:
    @strawberry.mutation(
        description="Sends a plain-text e-mail from a customer's, contact's, project's or "
        "activity's card and files it there (OUTBOUND, by the signed-in user). It comes From "
        "the service's address with the user's address as Reply-To. Without `to` it goes to "
        "the record's own address (a contact's or customer's e-mail). Refused, changing "
        "nothing: an unknown or archived record, a closed activity, a malformed address "
        "(naming `to` or `cc`), no address to send to, a subject or text out of bounds; and "
        "MAIL_FAILED when the mail server could not be reached or refused the mail, in which "
        "case nothing is saved.",
        permission_classes=[IsAuthenticated],
    )
    async def send_email(
        self,
        info: Info,
        record_id: Annotated[strawberry.ID, strawberry.argument(description=_RECORD)],
        subject: Annotated[str, strawberry.argument(description=_SUBJECT)],
        text: Annotated[str, strawberry.argument(description=_TEXT)],
        to: Annotated[
            list[str] | None,
            strawberry.argument(
                description=_TO + " Left out: the record's own address (refused, naming "
                "`to`, when it has none)."
            ),
        ] = None,
        cc: Annotated[list[str] | None, strawberry.argument(description=_CC)] = None,
    ) -> EmailPayload:
        outcome = await emails.send_email(
            info.context,
            str(record_id),
            to,
            cc or [],
            subject,
            text,
            child(selected(info).selections, "email"),
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return EmailSuccess(email=outcome)

    @strawberry.mutation(
        description="Files on a customer, contact, project or activity an e-mail that was "
        "sent or received elsewhere, without sending anything; the signed-in user is its "
        "`by`. Refused, changing nothing: an unknown or archived record, a closed activity, "
        "a malformed address (naming `from`, `to` or `cc`), a subject or text out of bounds, "
        "a time more than five minutes ahead.",
        permission_classes=[IsAuthenticated],
    )
    async def log_email(
        self,
        info: Info,
        record_id: Annotated[strawberry.ID, strawberry.argument(description=_RECORD)],
        direction: Annotated[
            EmailDirection, strawberry.argument(description="Sent by us, or received.")
        ],
        from_: Annotated[str, strawberry.argument(name="from", description="The sender.")],
        to: Annotated[list[str], strawberry.argument(description=_TO + " At least one.")],
        subject: Annotated[str, strawberry.argument(description=_SUBJECT)],
        text: Annotated[str, strawberry.argument(description=_TEXT)],
        cc: Annotated[list[str] | None, strawberry.argument(description=_CC)] = None,
        at: Annotated[
            datetime | None,
            strawberry.argument(description="When it was sent or received; now if left out."),
        ] = None,
    ) -> EmailPayload:
        outcome = await emails.log_email(
            info.context,
            str(record_id),
            direction.name,
            from_,
            to,
            cc or [],
            subject,
            text,
            at,
            child(selected(info).selections, "email"),
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return EmailSuccess(email=outcome)
