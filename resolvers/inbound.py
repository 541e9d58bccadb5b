"""The service's own SMTP listener (R3.3): mail sent to it is filed on the contacts and
customers whose addresses appear in it.

It is aiosmtpd's `SMTP` protocol served on the application's own event loop, so filing a
message uses the application's async Neo4j driver. Each message is filed once, in one
write transaction, on every live contact whose address is among its From, To and Cc
addresses and envelope recipients, on each such contact's customer, and on every live
customer whose address is. A message no record concerns is refused with 550, so the
sender learns it was not filed.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

from aiosmtpd.smtp import SMTP, Envelope, Session
from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from kesher.graph import emails as graph_emails
from kesher.graph.driver import Graph, Row
from kesher.graph.emails import Mail
from kesher.resolvers.mail import MAX_SUBJECT_LENGTH, MAX_TEXT_LENGTH
from kesher.settings import Settings

logger = logging.getLogger("kesher.inbound")

FILED = "250 OK"
NO_RECORD = "550 5.1.1 No contact or customer of ours has an address in this message"
TRY_LATER = "451 4.3.0 The message could not be filed now; try again later"

# Received mail larger than this is refused by the listener (SMTP SIZE).
MAX_MESSAGE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Received:
    """A received message as it is filed, and the addresses (lower case) that find the
    records it concerns."""

    mail: Mail
    addresses: tuple[str, ...]


def _addresses(message: EmailMessage, name: str) -> list[str]:
    found: list[str] = []
    for header in message.get_all(name, []):
        for each in getattr(header, "addresses", ()):
            if "@" in each.addr_spec:
                found.append(each.addr_spec)
    return found


class _Text(HTMLParser):
    """The text of an HTML body: tags dropped, scripts and styles left out, a line break
    for each block."""

    BLOCKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
    HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """An HTML body as plain text, one paragraph a line."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _body(message: EmailMessage) -> str:
    """The plain-text body, else the HTML body's text, else nothing."""
    part = message.get_body(preferencelist=("plain", "html"))
    if not isinstance(part, EmailMessage):
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        raw = part.get_payload(decode=True)
        content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
    if not isinstance(content, str):
        return ""
    content = content.replace("\r\n", "\n")  # lines end in CRLF on the wire
    return html_text(content) if part.get_content_subtype() == "html" else content


def _date(message: EmailMessage, now: datetime) -> datetime:
    try:
        header = message["Date"]
        at = getattr(header, "datetime", None)
    except (TypeError, ValueError):
        return now
    if not isinstance(at, datetime):
        return now
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)


def parse(content: bytes, mail_from: str | None, recipients: Sequence[str]) -> Received:
    """A received message's parts as they are filed."""
    message = BytesParser(policy=policy.default, _class=EmailMessage).parsebytes(content)
    assert isinstance(message, EmailMessage)
    senders = _addresses(message, "From")
    to = _addresses(message, "To")
    cc = _addresses(message, "Cc")
    message_id = str(message.get("Message-ID") or "").strip() or None
    subject = " ".join(str(message.get("Subject") or "").split())[:MAX_SUBJECT_LENGTH]
    mail = Mail(
        direction=graph_emails.INBOUND,
        from_address=senders[0] if senders else (mail_from or ""),
        to_addresses=tuple(to),
        cc_addresses=tuple(cc),
        subject=subject,
        text=_body(message)[:MAX_TEXT_LENGTH],
        message_id=message_id,
        at=_date(message, datetime.now(UTC)),
    )
    wanted = dict.fromkeys(address.lower() for address in (*senders, *to, *cc, *recipients))
    return Received(mail, tuple(wanted))


async def file_message(
    graph: Graph, content: bytes, mail_from: str | None, recipients: Sequence[str]
) -> str:
    """Files one received message in one write transaction; the SMTP reply."""
    received = parse(content, mail_from, recipients)
    message_id = received.mail.message_id
    email_id = f"{graph_emails.EMAIL_PREFIX}_{secrets.token_hex(12)}"

    async def work(tx: AsyncManagedTransaction) -> list[Row] | None:
        if message_id is not None and await graph_emails.is_filed(tx, message_id):
            return None
        return await graph_emails.file_received(tx, email_id, received.addresses, received.mail)

    try:
        filed = await graph.write(work)
    except ConstraintError:
        return FILED  # the same message, filed by a delivery running at the same time
    if filed is None:
        return FILED  # filed already: a second copy is not filed again
    if not filed:
        return NO_RECORD
    logger.info(
        "Filed e-mail %s on %s", message_id or email_id, ", ".join(row["id"] for row in filed)
    )
    return FILED


class Filing:
    """The aiosmtpd handler: files each message as it arrives."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        try:
            return await file_message(self.graph, content, envelope.mail_from, envelope.rcpt_tos)
        except Exception:  # the database is away: the sender keeps the mail and retries
            logger.exception("A received e-mail could not be filed")
            return TRY_LATER


@asynccontextmanager
async def listening(graph: Graph, settings: Settings) -> AsyncIterator[int]:
    """Serves the listener on `inbound_smtp_host`:`inbound_smtp_port` (0: a free port)
    while the block runs; yields the port it is bound to."""
    loop = asyncio.get_running_loop()
    handler = Filing(graph)
    # The greeting's name; `socket.getfqdn()`, aiosmtpd's default, may wait on DNS.
    hostname = socket.gethostname()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname=hostname, data_size_limit=MAX_MESSAGE_BYTES, loop=loop),
        host=settings.inbound_smtp_host,
        port=settings.inbound_smtp_port or 0,
        # Every API process (uvicorn worker) listens on the same port; the kernel shares
        # the connections out among them.
        reuse_port=bool(settings.inbound_smtp_port),
    )
    port = int(server.sockets[0].getsockname()[1])
    logger.info("Receiving mail on %s:%s", settings.inbound_smtp_host, port)
    try:
        yield port
    finally:
        server.close()
        await server.wait_closed()
