"""Who is looking at a page: the session cookie, and the CSRF token of its forms.

The session cookie holds the JWT that sign-in issues to the API (signed, expiring,
checked by the server on every page; it names the user and holds no secret). It is
Secure, HttpOnly and SameSite=Lax. Forms that post carry a CSRF token: an HMAC, under a
key of the server, of a random cookie of their own (a signed double submit), so a page
of another site can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from application.errors import NotAuthenticated
from application.ports import SessionTokens
from application.views import ANONYMOUS, Actor, IssuedSession
from entrypoints.http.dependencies import authenticate_caller, services_of
from entrypoints.settings import Settings

SESSION_COOKIE = "adr_session"
CSRF_COOKIE = "adr_csrf"
CSRF_FIELD = "csrf"


async def web_actor(request: Request) -> Actor:
    """The visitor: the session's user, or anonymous when there is no valid session."""
    actor = ANONYMOUS
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        tokens: SessionTokens = services_of(request).container.resolve(SessionTokens)
        try:
            actor = await authenticate_caller(request, tokens.verified(token))
        except NotAuthenticated:
            actor = ANONYMOUS  # expired, altered, or the user is disabled
    request.state.web_actor = actor
    return actor


def start_session(response: Response, session: IssuedSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.access_token,
        max_age=session.expires_in,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")


def _csrf_key(request: Request) -> bytes:
    settings: Settings = services_of(request).container.resolve(Settings)
    return hmac.new(
        settings.cursor_key.get_secret_value().encode(), b"web csrf", hashlib.sha256
    ).digest()


def _token_for(request: Request, seed: str) -> str:
    return hmac.new(_csrf_key(request), seed.encode(), hashlib.sha256).hexdigest()


def csrf_seed(request: Request) -> tuple[str, bool]:
    """The CSRF cookie's value, and whether it is new (then the reply must set it)."""
    seed = request.cookies.get(CSRF_COOKIE)
    if seed and 16 <= len(seed) <= 64:
        return seed, False
    return secrets.token_urlsafe(24), True


def csrf_token(request: Request, seed: str) -> str:
    return _token_for(request, seed)


def keep_csrf_seed(response: Response, seed: str) -> None:
    response.set_cookie(CSRF_COOKIE, seed, path="/", secure=True, httponly=True, samesite="strict")


def csrf_holds(request: Request, presented: object) -> bool:
    """The form's token is the HMAC of this browser's CSRF cookie, and the post comes
    from this site (when the browser says where from)."""
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
        return False
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or not isinstance(presented, str):
        return False
    return hmac.compare_digest(presented, _token_for(request, seed))
