"""A route class that answers 415 when a body that should be JSON is something else.

FastAPI would read such a body as bytes and fail validation with a misleading 422.
Routes without a body keep FastAPI's own handler, so GETs pay nothing for this.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from entrypoints.http.problems import UNSUPPORTED_MEDIA_TYPE, ProblemError


class JsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def json_only(request: Request) -> Response:
            if _has_body(request) and not _is_json(request.headers.get("content-type", "")):
                raise ProblemError(
                    UNSUPPORTED_MEDIA_TYPE,
                    "this body must be JSON: send it with 'Content-Type: application/json'",
                )
            return await handler(request)

        return json_only


def _has_body(request: Request) -> bool:
    headers = request.headers
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
