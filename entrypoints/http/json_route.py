"""A route class that answers 415 when a body that should be JSON is something else, and
422 naming the field when a body or a query parameter holds a NUL character.

FastAPI would read a non-JSON body as bytes and fail validation with a misleading 422.
No database stores NUL (PostgreSQL refuses it in text, SQLite keeps it and breaks the
MADR export), so it is refused at the door, on every route of this class.
Routes without a body or query parameters keep FastAPI's own handler, so the GET of a
decision pays nothing for this.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

from entrypoints.http.problems import UNSUPPORTED_MEDIA_TYPE, VALIDATION_ERROR, ProblemError

_NUL = "\x00"
_NUL_MESSAGE = "must not contain NUL characters"


class JsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        has_body = self.body_field is not None
        if not has_body and not self.dependant.query_params:
            return handler

        async def checked(request: Request) -> Response:
            if b"%00" in request.scope["query_string"]:
                _refuse_nul(_nul_query_params(request.scope["query_string"]))
            if has_body and _has_body(request):
                if not _is_json(request.headers.get("content-type", "")):
                    raise ProblemError(
                        UNSUPPORTED_MEDIA_TYPE,
                        "this body must be JSON: send it with 'Content-Type: application/json'",
                    )
                body = await request.body()  # kept: the handler reads it again for free
                if b"\\u0000" in body:
                    _refuse_nul(_nul_body_fields(body))
            return await handler(request)

        return checked


def _refuse_nul(locations: list[list[str | int]]) -> None:
    if not locations:
        return
    fields = ", ".join(".".join(map(str, loc)) for loc in locations)
    raise ProblemError(
        VALIDATION_ERROR,
        f"Fix these fields and send the request again: {fields} ({_NUL_MESSAGE}).",
        errors=[{"loc": loc, "message": _NUL_MESSAGE} for loc in locations],
    )


def _nul_query_params(query: bytes) -> list[list[str | int]]:
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    names = sorted({name for name, value in pairs if _NUL in name + value})
    return [["query", name] for name in names]


def _nul_body_fields(body: bytes) -> list[list[str | int]]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []  # FastAPI reports the broken JSON
    return [["body", *path] for path in _nul_paths(document, [])]


def _nul_paths(value: object, path: list[str | int]) -> Iterator[list[str | int]]:
    if isinstance(value, str):
        if _NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from ([[*path, key]] if _NUL in key else _nul_paths(item, [*path, key]))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, [*path, index])


def _has_body(request: Request) -> bool:
    headers = request.headers
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
