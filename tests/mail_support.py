"""A real SMTP server for the test session (aiosmtpd on its own thread) that keeps what
it receives, and a fresh inbox for each test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from kesher.graph.launcher import free_port


@dataclass(frozen=True)
class Delivered:
    """One message as the server received it: the envelope and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage)
        content = body.get_content()
        assert isinstance(content, str)
        return content.replace("\r\n", "\n")  # lines end in CRLF on the wire


class Inbox:
    """Keeps every message the test server accepts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Delivered] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = BytesParser(policy=policy.default, _class=EmailMessage).parsebytes(content)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._messages.append(
                Delivered(str(envelope.mail_from), list(envelope.rcpt_tos), message)
            )
        return "250 OK"

    @property
    def messages(self) -> list[Delivered]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    inbox: Inbox


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    """The session's SMTP server; the `settings` fixture sends mail to it."""
    inbox = Inbox()
    host = "127.0.0.1"
    port = free_port()
    controller = Controller(inbox, hostname=host, port=port, server_hostname="mail.test")
    controller.start()
    try:
        yield MailServer(host, port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def inbox(mail_server: MailServer) -> Inbox:
    """The test server's inbox, emptied for this test."""
    mail_server.inbox.clear()
    return mail_server.inbox
