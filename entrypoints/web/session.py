"""Who is looking at a page."""

from __future__ import annotations

from fastapi import Request

from application.views import ANONYMOUS, Actor


async def web_actor(request: Request) -> Actor:
    """The visitor: anonymous, who may read public logs."""
    return ANONYMOUS
