"""How pages answer: rendered with the security headers, and errors shown as pages."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from application.errors import Forbidden, InvalidCursor, NotAuthenticated, NotFound
from application.views import ANONYMOUS
from domain.errors import InvalidValue
from entrypoints.web.headers import SECURITY_HEADERS
from entrypoints.web.session import csrf_seed, csrf_token, keep_csrf_seed
from entrypoints.web.templates import render


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """The template rendered for the visitor, with the CSRF token its forms post."""
    seed, new = csrf_seed(request)
    context.setdefault("query", "")
    context.setdefault("actor", getattr(request.state, "web_actor", ANONYMOUS))
    html = render(template, request=request, csrf=csrf_token(request, seed), **context)
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    if new:
        keep_csrf_seed(response, seed)
    return response


def not_found_page(request: Request) -> Response:
    return page(request, "not_found.html", status_code=404)


class PageRoute(APIRoute):
    """A page's errors are pages: what may not be read is not found, bad input a 400."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_as_page(request: Request) -> Response:
            try:
                return await handle(request)
            except (NotFound, NotAuthenticated, Forbidden):
                return not_found_page(request)
            except (InvalidValue, InvalidCursor) as error:
                message = error.message if isinstance(error, InvalidValue) else str(error)
                return page(request, "bad_request.html", status_code=400, message=message)

        return handle_as_page
