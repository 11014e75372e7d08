"""Personal access tokens: create, list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from application.commands import CreateToken, ListTokens, RevokeToken
from application.handlers.queries import ListTokensHandler
from application.handlers.users import CreateTokenHandler, RevokeTokenHandler
from entrypoints.http import schemas
from entrypoints.http.client_address import ClientAddress
from entrypoints.http.dependencies import SignedInActor, provide
from entrypoints.http.json_route import JsonRoute
from entrypoints.http.params import CursorQuery, LimitQuery
from entrypoints.http.problems import problem_responses
from entrypoints.http.responses import json_response

router = APIRouter(prefix="/v1/tokens", tags=["tokens"], route_class=JsonRoute)

# What new_token_id makes (hex), with room for longer ids.
_TOKEN_ID = r"^[0-9a-f]{1,64}$"
# A secret is in the reply: no cache may keep it.
_NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "",
    status_code=201,
    summary="Create a personal access token for yourself",
    description="The secret is in the reply, and only there: store it now. It expires "
    "after `expires_in_days` or at `expires_at` (by default in 90 days, at most in 366). "
    "A `read` token gets 403 on every write. Needs a token with the write scope.",
    response_model=schemas.IssuedToken,
    responses=problem_responses(400, 401, 403, 413, 415, 422),
)
async def create_token(
    body: schemas.TokenCreate,
    actor: SignedInActor,
    origin: ClientAddress,
    create: Annotated[CreateTokenHandler, Depends(provide(CreateTokenHandler))],
) -> Response:
    issued = await create(
        CreateToken(
            actor=actor,
            name=body.name,
            scope=body.scope,
            expires_in_days=body.expires_in_days,
            expires_at=body.expires_at,
            origin=origin,
        )
    )
    return json_response(issued, status_code=201, headers=_NO_STORE)


@router.get(
    "",
    summary="List your personal access tokens",
    description="Name, scope, creation, expiry and last use (to the minute) of each, by id; "
    "never the secret. A site admin may list another user's with `user`.",
    response_model=schemas.Page[schemas.TokenInfo],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_tokens(
    actor: SignedInActor,
    list_tokens: Annotated[ListTokensHandler, Depends(provide(ListTokensHandler))],
    user: Annotated[
        str | None,
        Query(
            description="Whose tokens (site admins only); yours if left out.",
            pattern=schemas.USERNAME_PATTERN,
        ),
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Response:
    page = await list_tokens(ListTokens(actor=actor, username=user, limit=limit, cursor=cursor))
    return json_response(page)


@router.delete(
    "/{id}",
    status_code=204,
    summary="Revoke a personal access token",
    description="One of yours, or anyone's for a site admin. It stops working at once.",
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke_token(
    id: Annotated[str, Path(description="The token's id.", pattern=_TOKEN_ID)],
    actor: SignedInActor,
    origin: ClientAddress,
    revoke: Annotated[RevokeTokenHandler, Depends(provide(RevokeTokenHandler))],
) -> Response:
    await revoke(RevokeToken(actor=actor, token_id=id, origin=origin))
    return Response(status_code=204)
