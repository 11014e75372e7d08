"""How Uvicorn serves the API: the bounds a server facing the internet needs."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import h11
import orjson
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from entrypoints.http.problems import BAD_REQUEST, HEAD_TOO_LARGE

# A request's head (line and headers) may take this many bytes: h11 refuses more with
# 431 before the app sees it.
MAX_HEAD_BYTES = 16 * 1024
# An idle keep-alive connection is closed after this many seconds.
KEEP_ALIVE_SECONDS = 5
# A request's head must have arrived whole this many seconds after the connection opened
# or the last reply went out; else the connection is closed (idle, or a slow trickle).
HEAD_SECONDS = 10


def server_config(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    trusted_proxies: str = "127.0.0.1",
    shutdown_timeout: int | None = None,
) -> uvicorn.Config:
    """Uvicorn's configuration: no `server` banner (it names the software to attackers),
    bounded request heads and idle connections, no WebSocket upgrades (the API has no
    WebSocket route: nothing to upgrade to), the server's own refusals as problems, and
    logs through our structlog setup (`log_config=None`) with the access lines written
    by the app itself."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=ProblemH11Protocol,
        ws="none",
        server_header=False,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies,
        # In-flight requests drain for this long on SIGTERM.
        timeout_graceful_shutdown=shutdown_timeout,
    )


class ProblemH11Protocol(H11Protocol):
    """Uvicorn's h11 protocol, with a deadline for each request's head, and refusing
    what h11 cannot parse with a problem+json instead of a plain-text line, like every
    other refusal of the API.

    Uvicorn's keep-alive timer starts only after a first reply, and any byte received
    stops it: a connection that never sends a whole head (opened and left idle, or fed
    a byte at a time) would be held for ever. The head deadline is not reset by data.

    Uvicorn calls `send_400_response` from inside its `except h11.RemoteProtocolError`,
    so the error is the one being handled: its hint tells a head over MAX_HEAD_BYTES
    (431) from a malformed request (400). The app never saw the request, so the problem
    has no path to name as its instance.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        self._head_deadline = self.loop.call_later(HEAD_SECONDS, self._head_overdue)

    def _head_overdue(self) -> None:
        # h11 leaves IDLE once a whole request head has been read.
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, h11.RemoteProtocolError) and error.error_status_hint == 431:
            problem = HEAD_TOO_LARGE
            detail = f"the request line and headers take more than {MAX_HEAD_BYTES} bytes"
        else:
            problem = BAD_REQUEST
            detail = "the request is not valid HTTP/1.1"
        body = orjson.dumps(
            {
                "type": problem.uri,
                "title": problem.title,
                "status": problem.status,
                "detail": detail,
            }
        )
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"x-content-type-options", b"nosniff"),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=problem.status, headers=headers),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
