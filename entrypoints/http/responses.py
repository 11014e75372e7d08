"""Replies serialised once, with orjson, straight from the application's views.

Routes return these Responses, so FastAPI does not validate the views again against
the reply models (which exist for the OpenAPI document only).
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from starlette.responses import Response

from application.views import DecisionView, LogView


def json_response(
    body: object, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(body), status_code=status_code, media_type="application/json", headers=headers
    )


def list_response(items: Sequence[object]) -> Response:
    """A whole list in the shape of a page, so every list reads the same."""
    return json_response({"items": items, "next_cursor": None})


# How many links a Markdown, zip or graph reply left out: they name logs the caller may
# not read (application.visible_links). JSON replies say it in `hidden_links`.
HIDDEN_LINKS_HEADER = "Hidden-Links"


def hidden_links_header(hidden_links: int) -> dict[str, str]:
    return {HIDDEN_LINKS_HEADER: str(hidden_links)} if hidden_links else {}


def etag(version: int) -> str:
    return f'"{version}"'


def versioned_response(
    view: DecisionView | LogView, *, status_code: int = 200, location: str | None = None
) -> Response:
    """A log or decision with its version as ETag (and where it lives, once created)."""
    headers = {"ETag": etag(view.version)}
    if location is not None:
        headers["Location"] = location
    return json_response(view, status_code=status_code, headers=headers)
