"""Host name resolution, behind a seam the tests replace (no DNS in the test suite)."""

from __future__ import annotations

import asyncio
import socket
from ipaddress import ip_address
from typing import Protocol

from adapters.webhooks.addresses import IPAddress


class HostResolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address `host` resolves to, in the resolver's order; OSError if none."""
        ...


class SystemResolver(HostResolver):
    """The operating system's resolver (getaddrinfo), off the event loop."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        found: dict[IPAddress, None] = {}
        for _family, _type, _proto, _name, sockaddr in infos:
            found.setdefault(ip_address(sockaddr[0]))
        return list(found)
