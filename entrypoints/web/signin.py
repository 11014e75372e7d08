"""Signing in and out of the web view: the API's sign-in use case, a session cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from application.commands import RequestSessionToken
from application.errors import NotAuthenticated
from application.handlers.passwords import RequestSessionTokenHandler
from entrypoints.http.client_address import client_address
from entrypoints.http.dependencies import services_of
from entrypoints.http.rate_limits import rate_limits_of
from entrypoints.web.headers import SECURITY_HEADERS
from entrypoints.web.responses import PageRoute, page
from entrypoints.web.session import (
    CSRF_FIELD,
    csrf_holds,
    end_session,
    start_session,
    web_actor,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

_STALE_FORM = "This form has expired or did not come from this site: reload the page and try again."


def _local(path: object) -> str:
    """Where to go after signing in: a path of this site only, never another host."""
    if isinstance(path, str) and path.startswith("/") and not path.startswith(("//", "/\\")):
        return path
    return "/"


def _see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=303, headers=SECURITY_HEADERS)


@router.get("/signin")
async def signin_form(request: Request, next: str = "/") -> Response:
    await web_actor(request)
    return page(request, "signin.html", next=_local(next), error=None, username="")


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = await request.form()
    username, password = form.get("username"), form.get("password")
    next_path = _local(form.get("next"))
    if not csrf_holds(request, form.get(CSRF_FIELD)):
        return page(request, "signin.html", 400, next=next_path, error=_STALE_FORM, username="")
    if not isinstance(username, str) or not isinstance(password, str):
        return page(
            request,
            "signin.html",
            400,
            next=next_path,
            error="Give a username and a password.",
            username="",
        )
    limits, address = rate_limits_of(request), client_address(request.scope)
    if limits is not None:
        refusal = await limits.sign_in_refusal(username, address)
        if refusal is not None:
            response = page(
                request,
                "signin.html",
                429,
                next=next_path,
                error="Too many failed sign-ins for this username or from this address: "
                f"wait {refusal.reset} seconds and try again.",
                username=username,
            )
            response.headers.update(refusal.headers())
            return response
    sign_in = services_of(request).get(RequestSessionTokenHandler)
    try:
        session = await sign_in(
            RequestSessionToken(username=username, password=password, origin=address)
        )
    except NotAuthenticated:
        if limits is not None:
            await limits.sign_in_failed(username, address)
        return page(
            request,
            "signin.html",
            401,
            next=next_path,
            error="The username or password is not right.",
            username=username,
        )
    response = _see_other(next_path)
    start_session(response, session)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    form = await request.form()
    if not csrf_holds(request, form.get(CSRF_FIELD)):
        await web_actor(request)
        return page(request, "bad_request.html", 400, message=_STALE_FORM)
    response = _see_other("/")
    end_session(response)
    return response
