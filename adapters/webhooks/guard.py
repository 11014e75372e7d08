"""The SSRF guard: where a webhook URL leads, checked before anything is sent.

A URL is resolved once; the sender then connects to exactly the addresses that were
checked (never resolving again), so a DNS answer that changes between the check and the
connection (DNS rebinding) cannot lead it elsewhere.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from adapters.webhooks.addresses import AllowedTargets, IPAddress, literal_address
from adapters.webhooks.resolver import HostResolver
from application.ports import WebhookTargetPolicy
from domain.webhooks import WebhookUrl

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Registration waits at most this long for DNS (delivery has its own, overall timeout).
_RESOLVE_TIMEOUT = 5.0


class TargetRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: connect to `addresses` (in order), send `host` as Host and SNI."""

    url: httpx.URL
    host: str
    addresses: tuple[IPAddress, ...]


class SsrfGuard(WebhookTargetPolicy):
    def __init__(self, resolver: HostResolver, allowed: AllowedTargets) -> None:
        self.resolver = resolver
        self.allowed = allowed

    async def refusal(self, url: WebhookUrl) -> str | None:
        try:
            async with asyncio.timeout(_RESOLVE_TIMEOUT):
                await self.target(url.value)
        except TargetRefused as refused:
            return refused.reason
        except TimeoutError:
            return f"its host could not be resolved within {_RESOLVE_TIMEOUT:g} s"
        return None

    async def target(self, url: str) -> Target:
        """Resolve and check `url`; raises TargetRefused saying why it may not be called."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as error:
            raise TargetRefused(f"is not a valid URL ({error})") from None
        if parsed.scheme not in _DEFAULT_PORTS:
            raise TargetRefused(
                f"only http and https URLs can receive webhooks, not '{parsed.scheme}'"
            )
        if parsed.userinfo:
            raise TargetRefused("must not carry credentials (user:password@)")
        host = parsed.raw_host.decode("ascii")
        if not host:
            raise TargetRefused("has no host")
        port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
        literal = literal_address(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = await self.resolver.resolve(host, port)
            except OSError as error:
                raise TargetRefused(f"'{host}' does not resolve ({error})") from None
            if not addresses:
                raise TargetRefused(f"'{host}' resolves to no address")
        refusal = self.allowed.refusal(host, addresses)
        if refusal is not None:
            raise TargetRefused(refusal)
        return Target(parsed, host, tuple(addresses))
