"""A log's git sync: ask for one (admin), read what the syncs did (viewer), reserve a
number for a decision that will arrive through git (author)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from application.commands import GetDrift, GetSync, ListSyncs, RequestSync, ReserveNumber
from application.handlers.drift import GetDriftHandler
from application.handlers.git_sync import (
    GetSyncHandler,
    ListSyncsHandler,
    RequestSyncHandler,
)
from application.handlers.reservations import ReserveNumberHandler
from domain.values import LogSlug
from entrypoints.http import git_sync_schemas as syncs
from entrypoints.http import schemas
from entrypoints.http.dependencies import CurrentActor, SignedInActor, provide
from entrypoints.http.json_route import JsonRoute
from entrypoints.http.params import CursorQuery, LimitQuery, LogPath
from entrypoints.http.problems import problem_responses
from entrypoints.http.responses import json_response, list_response

router = APIRouter(
    prefix="/v1/logs/{log}",
    tags=["git sync"],
    route_class=JsonRoute,
    responses=problem_responses(401, 404, 422),
)
# The largest id a database integer column holds.
_MAX_ID = 2**63 - 1
SyncIdPath = Annotated[
    int, Path(description="The sync's id in its log.", ge=1, le=_MAX_ID, examples=[7])
]


@router.post(
    "/sync",
    status_code=202,
    summary="Sync a log with its git folder now",
    description="Queues a sync and replies with it at once; read it again at its Location "
    "for the outcome and the per-file report. Needs the admin role, and a log with a git "
    "source (else 409).",
    response_model=syncs.Sync,
    responses=problem_responses(403, 409),
)
async def request_sync(
    log: LogPath,
    actor: SignedInActor,
    request: Annotated[RequestSyncHandler, Depends(provide(RequestSyncHandler))],
) -> Response:
    sync = await request(RequestSync(actor=actor, log=LogSlug(log)))
    return json_response(
        sync, status_code=202, headers={"Location": f"/v1/logs/{log}/syncs/{sync.id}"}
    )


@router.get(
    "/syncs",
    summary="List a log's recent syncs",
    description="Newest first, with their outcome and per-file report.",
    response_model=schemas.Page[syncs.Sync],
    responses=problem_responses(400),
)
async def list_syncs(
    log: LogPath,
    actor: CurrentActor,
    list_syncs: Annotated[ListSyncsHandler, Depends(provide(ListSyncsHandler))],
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
) -> Response:
    page = await list_syncs(ListSyncs(actor=actor, log=LogSlug(log), limit=limit, cursor=cursor))
    return json_response(page)


@router.get(
    "/syncs/{id}",
    summary="Get one sync of a log",
    description="Its state, outcome, commit, the reason it failed, and what it did with "
    "each file of the folder.",
    response_model=syncs.Sync,
)
async def get_sync(
    log: LogPath,
    id: SyncIdPath,
    actor: CurrentActor,
    get: Annotated[GetSyncHandler, Depends(provide(GetSyncHandler))],
) -> Response:
    return json_response(await get(GetSync(actor=actor, log=LogSlug(log), id=id)))


@router.post(
    "/numbers",
    status_code=201,
    summary="Reserve the next number for a decision that will arrive through git",
    description="Takes the log's next number, as a proposal would, and holds it for "
    "ADR_REGISTRY_RESERVATION_TTL_SECONDS: the reply names the file to add. Once the log "
    "has synced, a new file with a number the registry gave out but did not reserve for "
    "it, or whose reservation lapsed, is reported as a collision. Needs the author role.",
    response_model=syncs.ReservedNumber,
    responses=problem_responses(400, 403, 413, 415),
)
async def reserve_number(
    log: LogPath,
    actor: SignedInActor,
    reserve: Annotated[ReserveNumberHandler, Depends(provide(ReserveNumberHandler))],
    body: syncs.NumberRequest | None = None,
) -> Response:
    title = None if body is None else body.title
    reservation = await reserve(ReserveNumber(actor=actor, log=LogSlug(log), title=title))
    return json_response(reservation, status_code=201)


@router.get(
    "/drift",
    summary="List a synced log's decisions that differ from their files",
    description="Decisions changed since the last sync wrote them, and decisions no file "
    "of the folder holds (made before the log mirrored it, or their file deleted). 409 "
    "when the log mirrors no git repository.",
    response_model=schemas.Page[syncs.Drift],
    responses=problem_responses(409),
)
async def get_drift(
    log: LogPath,
    actor: CurrentActor,
    drift: Annotated[GetDriftHandler, Depends(provide(GetDriftHandler))],
) -> Response:
    return list_response(await drift(GetDrift(actor=actor, log=LogSlug(log))))
