"""The stylesheet and the script, served by the app itself (no other host, no build)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import Response

from application.errors import NotFound
from entrypoints.web.headers import SECURITY_HEADERS

_FOLDER = Path(__file__).parent / "static"
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@cache
def _asset(name: str) -> bytes | None:
    path = _FOLDER / name
    if path.suffix not in _TYPES or path.parent != _FOLDER or not path.is_file():
        return None
    return path.read_bytes()


def asset_response(name: str) -> Response:
    body = _asset(name)
    if body is None:
        raise NotFound(f"there is no asset {name!r}")
    return Response(
        body,
        media_type=_TYPES[Path(name).suffix],
        headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"},
    )
