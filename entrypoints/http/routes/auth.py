"""Signing in: OAuth2's password flow, which issues short-lived JWTs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Response

from application.commands import RequestSessionToken
from application.handlers.passwords import RequestSessionTokenHandler
from entrypoints.http import schemas
from entrypoints.http.dependencies import provide
from entrypoints.http.problems import problem_responses
from entrypoints.http.responses import json_response

router = APIRouter(prefix="/v1/auth", tags=["auth"])

# RFC 6749 5.1: a reply carrying a token is never cached.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.post(
    "/token",
    summary="Sign in with a username and password for a bearer JWT",
    description="OAuth2's password grant (RFC 6749 4.3), form-encoded. The token is valid "
    "for `expires_in` seconds; there is no refresh token: sign in again. Send it as "
    "`Authorization: Bearer <token>`. `/docs` signs in through here (Authorize).",
    response_model=schemas.SessionToken,
    responses=problem_responses(401, 413, 422),
)
async def sign_in_for_token(
    form: Annotated[schemas.PasswordGrant, Form()],
    request_token: Annotated[
        RequestSessionTokenHandler, Depends(provide(RequestSessionTokenHandler))
    ],
) -> Response:
    issued = await request_token(RequestSessionToken(form.username, form.password, form.scope))
    return json_response(issued, headers=_NO_STORE)
