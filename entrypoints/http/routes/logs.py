"""Logs and their members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from application.commands import (
    CreateLog,
    GetLog,
    ListLogs,
    ListMembers,
    RemoveMember,
    SetMember,
    UpdateLog,
)
from application.handlers.logs import (
    CreateLogHandler,
    RemoveMemberHandler,
    SetMemberHandler,
    UpdateLogHandler,
)
from application.handlers.queries import GetLogHandler, ListLogsHandler, ListMembersHandler
from domain.git_source import GitSource
from domain.values import LogSlug
from entrypoints.http import schemas
from entrypoints.http.client_address import ClientAddress
from entrypoints.http.dependencies import CurrentCaller, RequiredIfMatch, SignedInActor, provide
from entrypoints.http.json_route import JsonRoute
from entrypoints.http.params import CursorQuery, LimitQuery, LogPath, UsernamePath
from entrypoints.http.problems import problem_responses
from entrypoints.http.responses import json_response, list_response, versioned_response

router = APIRouter(
    prefix="/v1/logs",
    tags=["logs"],
    route_class=JsonRoute,
    responses=problem_responses(401, 422),
)
_BODY = (400, 413, 415)


@router.post(
    "",
    status_code=201,
    summary="Create a log",
    description="You become its first admin. Its slug cannot change later.",
    response_model=schemas.Log,
    responses=problem_responses(*_BODY, 409),
)
async def create_log(
    body: schemas.LogCreate,
    actor: SignedInActor,
    create: Annotated[CreateLogHandler, Depends(provide(CreateLogHandler))],
) -> Response:
    view = await create(
        CreateLog(
            actor=actor,
            slug=LogSlug(body.slug),
            title=body.title,
            description=body.description,
            visibility=body.visibility,
        )
    )
    return versioned_response(view, status_code=201, location=f"/v1/logs/{view.slug}")


@router.get(
    "",
    summary="List the logs you can read",
    description="Public logs, the logs you are a member of (all of them for a site admin), "
    "by slug.",
    response_model=schemas.Page[schemas.Log],
    responses=problem_responses(400),
)
async def list_logs(
    caller: CurrentCaller,
    list_logs: Annotated[ListLogsHandler, Depends(provide(ListLogsHandler))],
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Response:
    return json_response(await list_logs(ListLogs(caller=caller, limit=limit, cursor=cursor)))


@router.get(
    "/{log}",
    summary="Get a log",
    response_model=schemas.Log,
    responses=problem_responses(404),
)
async def get_log(
    log: LogPath,
    caller: CurrentCaller,
    get: Annotated[GetLogHandler, Depends(provide(GetLogHandler))],
) -> Response:
    return versioned_response(await get(GetLog(caller=caller, slug=LogSlug(log))))


@router.patch(
    "/{log}",
    summary="Change a log's settings",
    description="Needs the admin role and If-Match with the log's ETag. A `source` makes "
    "the log mirror a git folder, its source of truth from then on: API writes to its "
    "decisions get 409 naming the file to edit instead. null stops mirroring.",
    response_model=schemas.Log,
    responses=problem_responses(*_BODY, 403, 404, 412, 428),
)
async def update_log(
    log: LogPath,
    body: schemas.LogUpdate,
    actor: SignedInActor,
    expected: RequiredIfMatch,
    update: Annotated[UpdateLogHandler, Depends(provide(UpdateLogHandler))],
) -> Response:
    view = await update(
        UpdateLog(
            actor=actor,
            slug=LogSlug(log),
            title=body.title,
            description=body.description,
            visibility=body.visibility,
            stale_after_days=body.stale_after_days,
            expected_version=expected,
            change_source="source" in body.model_fields_set,
            source=None
            if body.source is None
            else GitSource(body.source.url, body.source.branch, body.source.path),
        )
    )
    return versioned_response(view)


@router.get(
    "/{log}/members",
    summary="List a log's members and their roles",
    response_model=schemas.Page[schemas.Member],
    responses=problem_responses(404),
)
async def list_members(
    log: LogPath,
    caller: CurrentCaller,
    list_members: Annotated[ListMembersHandler, Depends(provide(ListMembersHandler))],
) -> Response:
    return list_response(await list_members(ListMembers(caller=caller, slug=LogSlug(log))))


@router.put(
    "/{log}/members/{username}",
    summary="Give a user a role in a log",
    description="Adds the user, or changes their role. Needs the admin role; a log keeps "
    "at least one admin.",
    response_model=schemas.Member,
    responses=problem_responses(*_BODY, 403, 404, 409),
)
async def set_member(
    log: LogPath,
    username: UsernamePath,
    body: schemas.MemberRole,
    actor: SignedInActor,
    origin: ClientAddress,
    set_member: Annotated[SetMemberHandler, Depends(provide(SetMemberHandler))],
) -> Response:
    member = await set_member(
        SetMember(actor=actor, slug=LogSlug(log), username=username, role=body.role, origin=origin)
    )
    return json_response(member)


@router.delete(
    "/{log}/members/{username}",
    status_code=204,
    summary="Take a user's role in a log away",
    description="Needs the admin role; the last admin cannot be removed.",
    response_class=Response,
    responses=problem_responses(403, 404, 409),
)
async def remove_member(
    log: LogPath,
    username: UsernamePath,
    actor: SignedInActor,
    origin: ClientAddress,
    remove: Annotated[RemoveMemberHandler, Depends(provide(RemoveMemberHandler))],
) -> Response:
    await remove(RemoveMember(actor=actor, slug=LogSlug(log), username=username, origin=origin))
    return Response(status_code=204)
