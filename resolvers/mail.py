"""Outgoing mail: messages built with the standard library's `EmailMessage` and sent
through the SMTP server the settings name (`smtp_*`), several over one connection.

Every message comes From `mail_from`; a message a user causes has their address as
Reply-To, so answers reach them and not the service.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib
from email_validator import EmailNotValidError, validate_email

from kesher.codes import Code
from kesher.graph.errors import GraphError
from kesher.settings import Settings

MAX_SUBJECT_LENGTH = 998  # RFC 5322's longest line
MAX_TEXT_LENGTH = 100_000
MAX_ADDRESSES = 100


class MailFailed(GraphError):
    """The mail server could not be reached or refused the mail."""

    code = Code.MAIL_FAILED


class BadInput(GraphError):
    """An address, subject or text that cannot be mailed or filed."""


def address(value: str, field: str) -> str:
    """A checked e-mail address (a bare `name@domain`, its domain in lower case); refused
    naming `field` and the address."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise BadInput(
            f"{field}: {value!r} is not an e-mail address ({error}).", field=field
        ) from error
    return str(checked.normalized)


def addresses(values: Sequence[str], field: str) -> list[str]:
    """Checked addresses, each once (whatever its case), in the order given."""
    found: dict[str, str] = {}
    for value in values:
        checked = address(value, field)
        found.setdefault(checked.lower(), checked)
    return list(found.values())


def subject_of(value: str) -> str:
    if not value.strip() or len(value) > MAX_SUBJECT_LENGTH:
        raise BadInput(
            f"subject: between 1 and {MAX_SUBJECT_LENGTH} characters, not blank.",
            field="subject",
        )
    if "\n" in value or "\r" in value:
        raise BadInput("subject: one line, without line breaks.", field="subject")
    return value


def text_of(value: str) -> str:
    if len(value) > MAX_TEXT_LENGTH:
        raise BadInput(f"text: at most {MAX_TEXT_LENGTH} characters.", field="text")
    return value


def compose(
    settings: Settings,
    to: Sequence[str],
    cc: Sequence[str],
    subject: str,
    text: str,
    reply_to: str | None = None,
    at: datetime | None = None,
) -> EmailMessage:
    """A plain-text message From the service, with a fresh Message-ID, dated `at` (now)."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = format_datetime(at or datetime.now(UTC))
    # The domain is given so that `make_msgid` does not ask the resolver for ours.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "kesher.localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    return message


def _client(settings: Settings) -> aiosmtplib.SMTP:
    password = settings.smtp_password
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=password.get_secret_value() if password and settings.smtp_username else None,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )


async def deliver(settings: Settings, messages: Sequence[EmailMessage]) -> list[str | None]:
    """Sends the messages over one connection; for each, None when the server took it for
    every addressee, else why not. A server that cannot be reached fails them all."""
    if not messages:
        return []
    problems: list[str | None] = []
    try:
        async with _client(settings) as smtp:
            for message in messages:
                problems.append(await _send(smtp, message))
    except (aiosmtplib.SMTPException, OSError) as error:
        reason = (
            f"the mail server {settings.smtp_host}:{settings.smtp_port} failed: "
            f"{error or type(error).__name__}"
        )
        problems += [reason] * (len(messages) - len(problems))
    return problems


async def _send(smtp: aiosmtplib.SMTP, message: EmailMessage) -> str | None:
    try:
        refused, _ = await smtp.send_message(message)
    except aiosmtplib.SMTPRecipientsRefused as error:
        return "the mail server refused every addressee: " + ", ".join(
            f"{each.recipient} ({each.code} {each.message})" for each in error.recipients
        )
    except aiosmtplib.SMTPResponseException as error:
        return f"the mail server refused the mail: {error.code} {error.message}"
    if refused:
        return "the mail server refused " + ", ".join(
            f"{recipient} ({response.code} {response.message})"
            for recipient, response in refused.items()
        )
    return None


async def send(settings: Settings, message: EmailMessage) -> None:
    """Sends one message; refuses with MAIL_FAILED (naming `to`) when it did not go."""
    [problem] = await deliver(settings, [message])
    if problem is not None:
        raise MailFailed(f"to: the mail was not sent, so nothing was saved: {problem}.", field="to")
