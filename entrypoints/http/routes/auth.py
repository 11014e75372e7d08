"""Signing in: OAuth2's password flow, which issues short-lived JWTs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from application.commands import RequestSessionToken
from application.errors import NotAuthenticated
from application.handlers.passwords import RequestSessionTokenHandler
from entrypoints.http import schemas
from entrypoints.http.client_address import client_address
from entrypoints.http.dependencies import provide
from entrypoints.http.problems import problem_responses
from entrypoints.http.rate_limits import rate_limits_of, too_many_sign_ins
from entrypoints.http.responses import json_response

router = APIRouter(prefix="/v1/auth", tags=["auth"])

# RFC 6749 5.1: a reply carrying a token is never cached.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.post(
    "/token",
    summary="Sign in with a username and password for a bearer JWT",
    description="OAuth2's password grant (RFC 6749 4.3), form-encoded. The token is valid "
    "for `expires_in` seconds; there is no refresh token: sign in again. Send it as "
    "`Authorization: Bearer <token>`. `/docs` signs in through here (Authorize). After "
    "too many failures for one username, or from one address, both are refused with 429 "
    "until the window ends, whatever the password.",
    response_model=schemas.SessionToken,
    responses=problem_responses(401, 413, 422, 429),
)
async def sign_in_for_token(
    request: Request,
    form: Annotated[schemas.PasswordGrant, Form()],
    request_token: Annotated[
        RequestSessionTokenHandler, Depends(provide(RequestSessionTokenHandler))
    ],
) -> Response:
    limits, address = rate_limits_of(request), client_address(request.scope)
    if limits is not None:
        # Before the password is checked: a locked-out guess costs no hashing.
        refusal = await limits.sign_in_refusal(form.username, address)
        if refusal is not None:
            raise too_many_sign_ins(refusal)
    try:
        issued = await request_token(
            RequestSessionToken(form.username, form.password, form.scope, origin=address)
        )
    except NotAuthenticated:
        if limits is not None:
            await limits.sign_in_failed(form.username, address)
        raise
    return json_response(issued, headers=_NO_STORE)
