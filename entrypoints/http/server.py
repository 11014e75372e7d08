"""How Uvicorn serves the API: the bounds a server facing the internet needs."""

from __future__ import annotations

import sys

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
    """Uvicorn's h11 protocol, refusing what h11 cannot parse with a problem+json
    instead of a plain-text line, like every other refusal of the API.

    Uvicorn calls `send_400_response` from inside its `except h11.RemoteProtocolError`,
    so the error is the one being handled: its hint tells a head over MAX_HEAD_BYTES
    (431) from a malformed request (400). The app never saw the request, so the problem
    has no path to name as its instance.
    """

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
