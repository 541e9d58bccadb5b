"""E-mail from a card (R3.3): sending one, and filing one sent or received elsewhere."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import Selection

from kesher.graph import emails as graph_emails
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.graph.emails import Mail
from kesher.graph.errors import GraphError
from kesher.graph.items import EMAIL
from kesher.resolvers import mail
from kesher.resolvers.context import Context
from kesher.resolvers.errors import Refusal
from kesher.resolvers.mail import BadInput
from kesher.resolvers.records import audience
from kesher.resolvers.selection import shape_of
from kesher.resolvers.writes import viewer_id, write

# How far ahead of the server's clock a logged e-mail's time may be (clocks differ a bit).
FUTURE_SLACK = timedelta(minutes=5)


def _new_id() -> str:
    return f"{graph_emails.EMAIL_PREFIX}_{secrets.token_hex(12)}"


def _addressees(to: Sequence[str], cc: Sequence[str]) -> tuple[list[str], list[str]]:
    """Checked `to` and `cc` addresses; at least one `to`, at most MAX_ADDRESSES in all."""
    checked_to = mail.addresses(to, "to")
    checked_cc = mail.addresses(cc, "cc")
    if not checked_to:
        raise BadInput("to: name at least one address.", field="to")
    if len(checked_to) + len(checked_cc) > mail.MAX_ADDRESSES:
        raise BadInput(
            f"to: at most {mail.MAX_ADDRESSES} addresses in `to` and `cc` together.",
            field="to",
        )
    return checked_to, checked_cc


async def send_email(
    context: Context,
    record_id: str,
    to: Sequence[str] | None,
    cc: Sequence[str],
    subject: str,
    text: str,
    selections: Iterable[Selection],
) -> Row | Refusal:
    """Sends an e-mail from a record's card and files it there, in one write transaction:
    the mail goes out before the transaction ends, and a mail that could not be sent
    leaves nothing saved. Without `to` it goes to the record's own address."""
    actor = viewer_id(context)
    try:
        mail.subject_of(subject)
        mail.text_of(text)
        given = None if to is None else _addressees(to, cc)
        copied = mail.addresses(cc, "cc")
        if len(copied) >= mail.MAX_ADDRESSES:
            raise BadInput(f"cc: at most {mail.MAX_ADDRESSES - 1} addresses.", field="cc")
    except GraphError as error:
        return Refusal.of(error)
    email_id = _new_id()
    shape = shape_of(EMAIL, selections, context.settings)
    at = datetime.now(UTC)
    # Kept across the driver's retries of the transaction: the mail goes out once.
    built: list[EmailMessage] = []
    sent: list[bool] = []

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_records.require_open_record(tx, audience(context), record_id)
        user = await graph_emails.sender(tx, actor)
        if given is not None:
            addressees, copies = given
        else:
            own = await graph_emails.own_address(tx, record_id)
            if own is None:
                raise BadInput(
                    "to: the record has no e-mail address of its own; name the addressees.",
                    field="to",
                )
            addressees, copies = [own], copied
        if not built:
            built.append(
                mail.compose(
                    context.settings,
                    addressees,
                    copies,
                    subject,
                    text,
                    reply_to=formataddr((user["name"], user["email"])),
                    at=at,
                )
            )
        message = built[0]
        filed = Mail(
            direction=graph_emails.OUTBOUND,
            from_address=parseaddr(context.settings.mail_from)[1],
            to_addresses=tuple(addressees),
            cc_addresses=tuple(copies),
            subject=subject,
            text=text,
            message_id=str(message["Message-ID"]),
            at=at,
        )
        summary = f"{user['name']} sent an e-mail: {subject}"
        await graph_emails.file_by_user(
            tx, email_id, record_id, actor, filed, "EMAIL_SENT", summary
        )
        card = await graph_records.card_in(context.graph, tx, audience(context), shape, email_id)
        if not sent:
            await mail.send(context.settings, message)
            sent.append(True)
        return card

    return await write(context, work)


async def log_email(
    context: Context,
    record_id: str,
    direction: str,
    sender: str,
    to: Sequence[str],
    cc: Sequence[str],
    subject: str,
    text: str,
    at: datetime | None,
    selections: Iterable[Selection],
) -> Row | Refusal:
    """Files on a record an e-mail sent or received elsewhere, without sending anything."""
    actor = viewer_id(context)
    now = datetime.now(UTC)
    try:
        mail.subject_of(subject)
        mail.text_of(text)
        from_address = mail.address(sender, "from")
        addressees, copies = _addressees(to, cc)
        when = _when(at, now)
    except GraphError as error:
        return Refusal.of(error)
    email_id = _new_id()
    shape = shape_of(EMAIL, selections, context.settings)
    filed = Mail(
        direction=direction,
        from_address=from_address,
        to_addresses=tuple(addressees),
        cc_addresses=tuple(copies),
        subject=subject,
        text=text,
        message_id=None,
        at=when,
    )

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_records.require_open_record(tx, audience(context), record_id)
        user = await graph_emails.sender(tx, actor)
        summary = f"{user['name']} logged an e-mail from {from_address}: {subject}"
        await graph_emails.file_by_user(
            tx, email_id, record_id, actor, filed, "EMAIL_LOGGED", summary
        )
        return await graph_records.card_in(context.graph, tx, audience(context), shape, email_id)

    return await write(context, work)


def _when(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None or at.utcoffset() is None:
        raise BadInput("at: give the time with its UTC offset.", field="at")
    if at > now + FUTURE_SLACK:
        raise BadInput("at: an e-mail cannot be sent or received in the future.", field="at")
    return at.astimezone(UTC)
