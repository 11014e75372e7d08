"""The client's address, for rate limits and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.types import Scope


def client_address(scope: Scope) -> str:
    """The client's address as the server gives it (Uvicorn has already replaced it with
    X-Forwarded-For's when the peer is a trusted proxy, ADR_REGISTRY_TRUSTED_PROXIES)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


async def _of_request(request: Request) -> str:
    return client_address(request.scope)


ClientAddress = Annotated[str, Depends(_of_request)]
