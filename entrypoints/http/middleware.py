"""Pure ASGI middleware: cheaper than BaseHTTPMiddleware and it never buffers a body."""

from __future__ import annotations

import itertools
import re
import secrets
import time
from typing import Any, NamedTuple

import structlog
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.problems import (
    BAD_REQUEST,
    CONTENT_TOO_LARGE,
    HEAD_TOO_LARGE,
    ProblemError,
    problem_response,
    unexpected_error,
)
from entrypoints.http.server import MAX_HEAD_BYTES
from entrypoints.metrics import UNMATCHED, HttpMetrics

_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


class RequestContextMiddleware:
    """Give each request an id, answer any unhandled error with a logged 500, and write
    the request's access line.

    The id comes from the client's X-Request-ID when it is sane (so a trace can cross
    services), is sent back in X-Request-ID, and is bound into every log line of the
    request. It runs outermost, so a failure anywhere still gets a problem and the id.

    Every reply says `X-Content-Type-Options: nosniff`; a reply to a request that
    carries credentials (an Authorization header, or cookies: the web session) may hold
    private data or a secret, and so does a reply that sets a cookie, so these also say
    `Cache-Control: no-store` (unless the route chose its own). A request with two
    Authorization headers is refused with 400: which one counts would be a guess.

    The access line (event `request`: method, path, query, status, milliseconds,
    client) is written once the reply has been handed to the server, so its cost is
    not in the reply's way; it replaces the server's own access log. With `metrics`,
    the same moment counts the request by route template and status and observes its
    duration: one counter increment and one histogram observation (the labelled
    children are looked up once per label set, then kept), and in-flight up and down.
    """

    def __init__(self, app: ASGIApp, metrics: HttpMetrics | None = None) -> None:
        self.app = app
        self._metrics = metrics
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}
        # One per app, so that it writes where logging was configured before the app.
        self._access = structlog.get_logger("access")
        # Ids unique without a system call each (uuid4 reads the kernel's random pool):
        # a random prefix for this app in this process, then a count.
        self._id_prefix = secrets.token_hex(8)
        self._count = itertools.count()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        head = _scan_headers(scope)
        request_id = head.request_id or f"{self._id_prefix}{next(self._count):016x}".encode()
        status = 0
        credentials = head.authorizations > 0 or head.cookies

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), (b"x-request-id", request_id)]
                private = credentials or any(n == b"set-cookie" for n, _ in headers)
                if private and not any(n == b"cache-control" for n, _ in headers):
                    headers.extend(_PRIVATE_HEADERS)
                else:
                    headers.append(_NOSNIFF)
                message["headers"] = headers
            await send(message)

        bound = structlog.contextvars.bind_contextvars(request_id=request_id.decode())
        metrics = self._metrics
        if metrics is not None:
            metrics.in_flight.inc()
        try:
            try:
                if head.size > MAX_HEAD_BYTES:
                    await _head_too_large(scope)(scope, receive, send_with_id)
                elif head.authorizations > 1:
                    await _two_authorizations(scope)(scope, receive, send_with_id)
                else:
                    await self.app(scope, receive, send_with_id)
            except Exception as error:
                response = unexpected_error(scope["method"], scope["path"], error)
                # Once the reply has started, all that is left is to log the failure.
                if not status:
                    await response(scope, receive, send_with_id)
            finally:
                elapsed = time.perf_counter() - started
                if metrics is not None:
                    self._measure(metrics, scope, status or 500, elapsed)
                client = scope.get("client")
                self._access.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    query=scope["query_string"].decode("latin-1"),
                    status=status,
                    ms=round(elapsed * 1000, 2),
                    client=client[0] if client else None,
                )
        finally:
            structlog.contextvars.reset_contextvars(**bound)

    def _measure(self, metrics: HttpMetrics, scope: Scope, status: int, elapsed: float) -> None:
        metrics.in_flight.dec()
        # The router leaves the matched route in the scope; its template is the label.
        # Neither the path nor an unknown method is one: a client could add series.
        template = getattr(scope.get("route"), "path", UNMATCHED)
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        counter = self._counters.get((method, template, status))
        if counter is None:
            counter = metrics.requests.labels(method, template, str(status))
            self._counters[(method, template, status)] = counter
        counter.inc()
        timer = self._timers.get((method, template))
        if timer is None:
            timer = metrics.latency.labels(method, template)
            self._timers[(method, template)] = timer
        timer.observe(elapsed)


class BodySizeLimitMiddleware:
    """Refuse bodies over `max_bytes` with 413: by Content-Length before reading, and by
    counting what arrives, for chunked bodies and for clients that understate it.

    Uploads of MADR bundles (imports, lint) may be up to `max_upload_bytes`.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _framing(scope)
        if declared is None and not chunked:
            # No Content-Length and not chunked: HTTP/1.1 says there is no body.
            await self.app(scope, receive, send)
            return
        limit = self.max_upload_bytes if _UPLOAD_PATH.match(scope["path"]) else self.max_bytes
        if declared is not None and declared > limit:
            response = problem_response(CONTENT_TOO_LARGE, _detail(limit), instance=scope["path"])
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised into whoever reads the body; the problem handlers answer it.
                    raise ProblemError(CONTENT_TOO_LARGE, _detail(limit))
            return message

        await self.app(scope, counting_receive, send)


_UPLOAD_PATH = re.compile(r"^/v1/(?:lint|logs/[^/]+/imports)/?$")


def _detail(limit: int) -> str:
    return f"the body is larger than {limit} bytes: send a smaller one"


_NOSNIFF = (b"x-content-type-options", b"nosniff")
_PRIVATE_HEADERS = (_NOSNIFF, (b"cache-control", b"no-store"))


class _Head(NamedTuple):
    # The client's X-Request-ID, when it is sane.
    request_id: bytes | None
    authorizations: int
    cookies: bool
    # About as many bytes as the request line and headers took on the wire.
    size: int


def _scan_headers(scope: Scope) -> _Head:
    request_id, authorizations, cookies = None, 0, False
    size = len(scope.get("raw_path") or b"") + len(scope["query_string"])
    for name, value in scope["headers"]:
        size += len(name) + len(value) + 4
        if name == b"authorization":
            authorizations += 1
        elif name == b"cookie":
            cookies = True
        elif name == b"x-request-id" and _REQUEST_ID.fullmatch(value):
            request_id = bytes(value)
    return _Head(request_id, authorizations, cookies, size)


def _head_too_large(scope: Scope) -> Response:
    """h11 refuses a head past the bound only while it is incomplete; one that arrived
    whole in a single read (up to the event loop's read size) is refused here."""
    return problem_response(
        HEAD_TOO_LARGE,
        f"the request line and headers take more than {MAX_HEAD_BYTES} bytes",
        instance=scope["path"],
    )


def _two_authorizations(scope: Scope) -> Response:
    return problem_response(
        BAD_REQUEST,
        "the request has more than one Authorization header: send exactly one",
        instance=scope["path"],
    )


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length (None when absent or not a number), and whether the
    body is sent in chunks."""
    declared, chunked = None, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            declared = int(value) if value.isdigit() else -1
        elif name == b"transfer-encoding":
            chunked = True
    # A Content-Length that is not a number: the server refuses such a request first;
    # were one to come through, its body is still counted.
    return (None if declared == -1 else declared), chunked or declared == -1
