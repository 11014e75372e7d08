"""The audit trail: sign-ins, tokens, roles and users, for site admins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from application.audit_views import AuditFilters
from application.commands import ReadAudit
from application.handlers.audit import ReadAuditHandler
from domain.audit import AuditAction
from entrypoints.http import audit_schemas, schemas
from entrypoints.http.dependencies import SignedInActor, provide
from entrypoints.http.json_route import JsonRoute
from entrypoints.http.params import CursorQuery, LimitQuery
from entrypoints.http.problems import problem_responses
from entrypoints.http.responses import json_response
from entrypoints.http.schemas import USERNAME_PATTERN

router = APIRouter(prefix="/v1/audit", tags=["audit"], route_class=JsonRoute)


@router.get(
    "",
    summary="The audit trail",
    description="Newest first: sign-ins and failed sign-ins, tokens created and revoked, "
    "roles given and taken away, users created, disabled and enabled; each with who, "
    "when, from which address, and what. Site admins only.",
    response_model=schemas.Page[audit_schemas.AuditEntry],
    responses=problem_responses(400, 401, 403, 422),
)
async def read_audit(
    actor: SignedInActor,
    read: Annotated[ReadAuditHandler, Depends(provide(ReadAuditHandler))],
    by: Annotated[
        str | None,
        Query(
            alias="actor",
            description="Only what this user did.",
            pattern=USERNAME_PATTERN,
            examples=["olga"],
        ),
    ] = None,
    action: Annotated[AuditAction | None, Query(description="Only this action.")] = None,
    since: Annotated[
        dt.datetime | None,
        Query(
            description="Only from this moment on (ISO 8601; UTC unless it names a zone).",
            examples=["2026-12-01T00:00:00Z"],
        ),
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Response:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)  # a moment without a zone is read as UTC
    filters = AuditFilters(actor=by, action=action, since=since)
    page = await read(ReadAudit(actor=actor, filters=filters, limit=limit, cursor=cursor))
    return json_response(page)
