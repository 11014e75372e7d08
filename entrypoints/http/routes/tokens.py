"""Personal access tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from application.commands import CreateToken
from application.handlers.users import CreateTokenHandler
from entrypoints.http import schemas
from entrypoints.http.client_address import ClientAddress
from entrypoints.http.dependencies import SignedInActor, provide
from entrypoints.http.json_route import JsonRoute
from entrypoints.http.problems import problem_responses
from entrypoints.http.responses import json_response

router = APIRouter(prefix="/v1/tokens", tags=["tokens"], route_class=JsonRoute)


@router.post(
    "",
    status_code=201,
    summary="Create a personal access token for yourself",
    description="The secret is in the reply, and only there: store it now.",
    response_model=schemas.IssuedToken,
    responses=problem_responses(400, 401, 413, 415, 422),
)
async def create_token(
    body: schemas.TokenCreate,
    actor: SignedInActor,
    origin: ClientAddress,
    create: Annotated[CreateTokenHandler, Depends(provide(CreateTokenHandler))],
) -> Response:
    issued = await create(CreateToken(actor=actor, name=body.name, origin=origin))
    return json_response(issued, status_code=201)
