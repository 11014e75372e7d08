"""Sending one webhook: a signed POST over httpx to an address the SSRF guard checked.

One overall deadline covers everything (resolving, connecting, sending, the status and
the first KiB of the reply), so a receiver that hangs or answers a byte at a time costs
one timeout. The reply's body is streamed and only its first KiB is read: a 100 MB reply
costs nothing more. Redirects are not followed, proxies from the environment are not
used, and no connection is kept or shared between requests.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass

import certifi
import httpx
import structlog

from adapters.webhooks.guard import SsrfGuard, Target, TargetRefused
from adapters.webhooks.signer import signature, timestamp_header
from application.ports import WebhookSender
from domain.webhooks import REPLY_EXCERPT_BYTES, AttemptOutcome, WebhookMessage

log = structlog.get_logger(__name__)

USER_AGENT = "adr-registry-webhooks/1"
_ERROR_MAX = 500


@dataclass(slots=True)
class _Reply:
    status_code: int | None = None
    body: bytes = b""

    def excerpt(self) -> str:
        return self.body[:REPLY_EXCERPT_BYTES].decode("utf-8", errors="replace")


class HttpxWebhookSender(WebhookSender):
    def __init__(self, guard: SsrfGuard, timeout: float = 10.0) -> None:
        self.guard = guard
        self.timeout = timeout
        self._tls = ssl.create_default_context(cafile=certifi.where())

    async def send(self, message: WebhookMessage) -> AttemptOutcome:
        started = time.monotonic()
        reply = _Reply()
        error: str | None = None
        try:
            async with asyncio.timeout(self.timeout):
                target = await self.guard.target(message.url.value)
                await self._post(target, message, reply)
        except TargetRefused as refused:
            error = f"not sent: {refused.reason}"
        except TimeoutError:
            got = "" if reply.status_code is None else " after the status line"
            error = f"no complete reply within {self.timeout:g} s{got}"
        except (httpx.HTTPError, OSError) as failure:
            error = _described(failure)
        duration_ms = round((time.monotonic() - started) * 1000)
        if error is not None:
            log.info("webhook_attempt_failed", url=message.url.value, id=message.id, error=error)
        return AttemptOutcome(reply.status_code, duration_ms, reply.excerpt(), error)

    async def _post(self, target: Target, message: WebhookMessage, reply: _Reply) -> None:
        headers = {
            # The name the subscriber wrote: the connection goes to a checked address.
            "host": target.url.netloc.decode("ascii"),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "accept-encoding": "identity",
            "webhook-id": message.id,
            "webhook-timestamp": timestamp_header(message),
            "webhook-signature": signature(message),
        }
        body = message.body.encode()
        tls = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
        async with httpx.AsyncClient(
            verify=self._tls,
            trust_env=False,
            follow_redirects=False,
            timeout=self.timeout,
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as client:
            for index, address in enumerate(target.addresses):
                url = target.url.copy_with(host=str(address))
                try:
                    await self._exchange(client, url, headers, body, tls, reply)
                    return
                except httpx.ConnectError:
                    # Like a browser, try the host's next address; the last one's error stands.
                    if index == len(target.addresses) - 1:
                        raise

    async def _exchange(
        self,
        client: httpx.AsyncClient,
        url: httpx.URL,
        headers: dict[str, str],
        body: bytes,
        extensions: dict[str, str],
        reply: _Reply,
    ) -> None:
        request = client.build_request("POST", url, headers=headers, content=body)
        request.extensions.update(extensions)
        response = await client.send(request, stream=True)
        try:
            reply.status_code = response.status_code
            async for chunk in response.aiter_raw():
                reply.body += chunk[: REPLY_EXCERPT_BYTES - len(reply.body)]
                if len(reply.body) >= REPLY_EXCERPT_BYTES:
                    break
        finally:
            # Unread, the rest of the body is never received: the connection is closed.
            await response.aclose()


def _described(failure: Exception) -> str:
    reason = str(failure) or type(failure).__name__
    if isinstance(failure, httpx.ConnectError):
        text = f"could not connect: {reason}"
    elif isinstance(failure, httpx.TimeoutException):
        text = f"timed out: {reason}"
    elif isinstance(failure, httpx.RemoteProtocolError):
        text = f"the receiver broke the HTTP protocol: {reason}"
    else:
        text = f"{type(failure).__name__}: {reason}"
    return text[:_ERROR_MAX]
