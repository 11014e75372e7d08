"""How Uvicorn serves the API: the bounds a server facing the internet needs."""

from __future__ import annotations

import uvicorn
from starlette.types import ASGIApp

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
    bounded request heads and idle connections, and logs through our structlog setup
    (`log_config=None`) with the access lines written by the app itself."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http="h11",
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
