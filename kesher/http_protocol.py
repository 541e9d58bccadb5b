"""uvicorn's HTTP protocol with read timeouts on requests.

uvicorn closes an idle keep-alive connection, but waits for ever on a client that opens a
connection and sends its headers a byte at a time, or stops half-way through a body: a
few hundred such clients held the service's sockets for as long as they liked. Here a
request's headers must be complete within `http_header_timeout_seconds` of its first byte
(of the connection, for its first request), and its body may not stall for longer than
`http_body_timeout_seconds`; else the connection is closed, with 408 when no answer has
started.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from kesher.settings import Settings

_TIMED_OUT_TEXT = b"The request was not sent in time.\n"
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\n"
    b"connection: close\r\n\r\n%s" % (len(_TIMED_OUT_TEXT), _TIMED_OUT_TEXT)
)


@cache
def _from_environment() -> tuple[float, float]:
    settings = Settings()
    return settings.http_header_timeout_seconds, settings.http_body_timeout_seconds


class TimedHttpProtocol(HttpToolsProtocol):
    """The protocol `kesher run` serves with. Without timeouts of its own (see
    `for_settings`) it takes them from the settings in the environment, as each uvicorn
    worker process does."""

    header_timeout: float | None = None
    body_timeout: float | None = None

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        if self.header_timeout is None or self.body_timeout is None:
            self._header_seconds, self._body_seconds = _from_environment()
        else:
            self._header_seconds, self._body_seconds = self.header_timeout, self.body_timeout
        self._read_timer: asyncio.TimerHandle | None = None
        self._answering = False

    @classmethod
    def for_settings(cls, settings: Settings) -> type[TimedHttpProtocol]:
        """The protocol with these settings' timeouts, for a server run in this process."""
        return type(
            cls.__name__,
            (cls,),
            {
                "header_timeout": settings.http_header_timeout_seconds,
                "body_timeout": settings.http_body_timeout_seconds,
            },
        )

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait(self._header_seconds)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._answering = False
        self._wait(self._header_seconds)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._answering = True
        if self.parser.should_upgrade() and self._should_upgrade():
            self._stop_waiting()
        else:
            self._wait(self._body_seconds)

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._wait(self._body_seconds)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._stop_waiting()

    def handle_websocket_upgrade(self) -> None:
        self._stop_waiting()
        super().handle_websocket_upgrade()

    def _wait(self, seconds: float) -> None:
        self._stop_waiting()
        self._read_timer = self.loop.call_later(seconds, self._timed_out)

    def _stop_waiting(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _timed_out(self) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        if not self._answering:
            self.transport.write(_TIMED_OUT)
        self.transport.close()
