"""Decisions in a log: propose, read, edit, withdraw, decide, supersede and link them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Query, Request, Response

from application.commands import (
    ChangeStatus,
    EditDecision,
    GetCurrent,
    GetDecision,
    GetHistory,
    LifecycleStep,
    LinkDecisions,
    ListDecisions,
    ProposeDecision,
    RenderDecision,
    SupersedeDecision,
    UnlinkDecisions,
    WithdrawDecision,
)
from application.handlers.exports import RenderDecisionHandler
from application.handlers.lifecycle import ChangeStatusHandler, SupersedeDecisionHandler
from application.handlers.links import LinkDecisionsHandler, UnlinkDecisionsHandler
from application.handlers.proposals import (
    EditDecisionHandler,
    ProposeDecisionHandler,
    WithdrawDecisionHandler,
)
from application.handlers.queries import (
    GetCurrentHandler,
    GetDecisionHandler,
    GetHistoryHandler,
    ListDecisionsHandler,
)
from application.views import DecisionFilters
from domain.lifecycle import Status
from domain.links import LinkKind
from domain.values import DecisionRef, LogSlug
from entrypoints.http import schemas
from entrypoints.http.dependencies import (
    ANONYMOUS_READ,
    CurrentCaller,
    IfMatch,
    RequiredIfMatch,
    SignedInActor,
    authenticate_caller,
    presented_caller,
    provide,
    services_of,
)
from entrypoints.http.json_route import JsonRoute
from entrypoints.http.params import (
    CursorQuery,
    LimitQuery,
    LogPath,
    NumberPath,
    SearchFilterText,
    decision_ref,
    parse_ref,
)
from entrypoints.http.problems import problem_responses
from entrypoints.http.responses import (
    hidden_links_header,
    json_response,
    list_response,
    versioned_response,
)

router = APIRouter(
    prefix="/v1/logs/{log}/decisions",
    tags=["decisions"],
    route_class=JsonRoute,
    responses=problem_responses(401, 404, 422),
)
_BODY = (400, 413, 415)


def _refs(texts: list[str], log: str, field: str) -> tuple[DecisionRef, ...]:
    return tuple(parse_ref(text, log, ("body", field, i)) for i, text in enumerate(texts))


# First: reading one decision is the hot path, and routes are matched in order.
@router.get(
    "/{n}",
    summary="Get a decision",
    description="Its ETag is its version. With `Accept: text/markdown`, its MADR 4 file. "
    "Links into logs the caller may not read are left out: `hidden_links` (for Markdown, a "
    "`Hidden-Links` header) says how many.",
    response_model=schemas.Decision,
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
    openapi_extra=ANONYMOUS_READ,
)
async def get_decision(log: LogPath, n: NumberPath, request: Request) -> Response:
    # The hot path: the caller and the handler come straight from the request, so that
    # FastAPI solves no dependency for it (each costs more than the query).
    caller = presented_caller(request)
    ref = decision_ref(log, n)
    if "text/markdown" in request.headers.get("accept", ""):
        actor = await authenticate_caller(request, caller)
        render = services_of(request).get(RenderDecisionHandler)
        file = await render(RenderDecision(actor=actor, ref=ref))
        return Response(
            file.text,
            media_type="text/markdown; charset=utf-8",
            headers={
                "Content-Disposition": f'inline; filename="{file.name}"',
                **hidden_links_header(file.hidden_links),
            },
        )
    get = services_of(request).get(GetDecisionHandler)
    return versioned_response(await get(GetDecision(caller=caller, ref=ref)))


@router.post(
    "",
    status_code=201,
    summary="Propose a decision",
    description="It gets the log's next number. Needs the author role. A proposal may name "
    "accepted decisions it supersedes once accepted.",
    response_model=schemas.Decision,
    responses=problem_responses(*_BODY, 403, 409),
)
async def propose_decision(
    log: LogPath,
    body: schemas.DecisionCreate,
    actor: SignedInActor,
    propose: Annotated[ProposeDecisionHandler, Depends(provide(ProposeDecisionHandler))],
) -> Response:
    view = await propose(
        ProposeDecision(
            actor=actor,
            log=LogSlug(log),
            title=body.title,
            content=body.content.to_domain(),
            decision_makers=tuple(body.decision_makers),
            consulted=tuple(body.consulted),
            informed=tuple(body.informed),
            tags=tuple(body.tags),
            review_by=body.review_by,
            supersedes=_refs(body.supersedes, log, "supersedes"),
        )
    )
    location = f"/v1/logs/{view.log}/decisions/{view.number}"
    return versioned_response(view, status_code=201, location=location)


@router.get(
    "",
    summary="List a log's decisions",
    description="By number, filtered; each filter given narrows the list.",
    response_model=schemas.Page[schemas.DecisionSummary],
    openapi_extra=ANONYMOUS_READ,
    responses=problem_responses(400),
)
async def list_decisions(
    log: LogPath,
    request: Request,
    status: Annotated[Status | None, Query(description="Only in this status.")] = None,
    tag: Annotated[str | None, Query(description="Only with this tag.")] = None,
    person: Annotated[
        str | None,
        Query(description="Only naming this person as decision maker, consulted or informed."),
    ] = None,
    review_due: Annotated[
        dt.date | None,
        Query(description="Only accepted decisions due for review on or before this day."),
    ] = None,
    q: SearchFilterText = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Response:
    filters = DecisionFilters(
        status=None if status is None else status.value,
        tag=tag,
        person=person,
        review_due=review_due,
    )
    # The other hot path: no dependency either, as in get_decision.
    caller = presented_caller(request)
    list_decisions = services_of(request).get(ListDecisionsHandler)
    page = await list_decisions(
        ListDecisions(
            caller=caller, log=LogSlug(log), filters=filters, limit=limit, cursor=cursor, q=q
        )
    )
    return json_response(page)


@router.patch(
    "/{n}",
    summary="Edit a decision",
    description="Each field given replaces that field whole (`content` too); fields left "
    "out are kept; `review_by: null` clears it. Content can change only while proposed; "
    "tags and review_by always. Needs the author role and If-Match.",
    response_model=schemas.Decision,
    responses=problem_responses(*_BODY, 403, 409, 412, 428),
)
async def edit_decision(
    log: LogPath,
    n: NumberPath,
    body: schemas.DecisionUpdate,
    actor: SignedInActor,
    expected: RequiredIfMatch,
    edit: Annotated[EditDecisionHandler, Depends(provide(EditDecisionHandler))],
) -> Response:
    view = await edit(
        EditDecision(
            actor=actor, ref=decision_ref(log, n), changes=body.changes(), expected_version=expected
        )
    )
    return versioned_response(view)


@router.delete(
    "/{n}",
    status_code=204,
    summary="Withdraw a proposal",
    description="Only a proposal can be withdrawn; its number is never reused. Needs the "
    "author role and If-Match.",
    response_class=Response,
    responses=problem_responses(403, 409, 412, 428),
)
async def withdraw_decision(
    log: LogPath,
    n: NumberPath,
    actor: SignedInActor,
    expected: RequiredIfMatch,
    withdraw: Annotated[WithdrawDecisionHandler, Depends(provide(WithdrawDecisionHandler))],
) -> Response:
    ref = decision_ref(log, n)
    await withdraw(WithdrawDecision(actor=actor, ref=ref, expected_version=expected))
    return Response(status_code=204)


_DECIDE_ERRORS = problem_responses(403, 409, 412)
_DECIDER = " Needs the decider role. If-Match is optional."


class _Step(NamedTuple):
    """How one lifecycle step is documented: each is an operation of its own."""

    summary: str
    description: str
    errors: dict[int | str, dict[str, Any]] = _DECIDE_ERRORS


_LIFECYCLE_STEPS = {
    LifecycleStep.ACCEPT: _Step(
        "Accept a proposal",
        "What the proposal names as superseded becomes superseded in the same step." + _DECIDER,
    ),
    LifecycleStep.REJECT: _Step("Reject a proposal", _DECIDER),
    LifecycleStep.REOPEN: _Step(
        "Reopen a rejected decision", "It becomes a proposal again." + _DECIDER
    ),
    LifecycleStep.DEPRECATE: _Step(
        "Deprecate an accepted decision", "Deprecated is final." + _DECIDER
    ),
}


def _lifecycle_route(step: LifecycleStep) -> Callable[..., Awaitable[Response]]:
    async def change_status(
        log: LogPath,
        n: NumberPath,
        actor: SignedInActor,
        expected: IfMatch,
        change: Annotated[ChangeStatusHandler, Depends(provide(ChangeStatusHandler))],
    ) -> Response:
        ref = decision_ref(log, n)
        return versioned_response(
            await change(ChangeStatus(actor=actor, ref=ref, step=step, expected_version=expected))
        )

    return change_status


for _step, _doc in _LIFECYCLE_STEPS.items():
    router.add_api_route(
        f"/{{n}}/{_step.value}",
        _lifecycle_route(_step),
        methods=["POST"],
        # The name makes the operation id: 'accept_decision_v1_logs_...', as it always was.
        name=f"{_step.value}_decision",
        summary=_doc.summary,
        description=_doc.description,
        response_model=schemas.Decision,
        responses=_doc.errors,
    )


@router.post(
    "/{n}/supersede",
    summary="Supersede an accepted decision",
    description="By accepted decisions, in this log or others; superseded is final and "
    "both directions of the link are recorded. Needs the decider role in every log "
    "involved. If-Match is optional.",
    response_model=schemas.Decision,
    responses=problem_responses(*_BODY, 403, 409, 412),
)
async def supersede_decision(
    log: LogPath,
    n: NumberPath,
    body: schemas.Supersede,
    actor: SignedInActor,
    expected: IfMatch,
    supersede: Annotated[SupersedeDecisionHandler, Depends(provide(SupersedeDecisionHandler))],
) -> Response:
    view = await supersede(
        SupersedeDecision(
            actor=actor,
            ref=decision_ref(log, n),
            by=_refs(body.by, log, "by"),
            expected_version=expected,
        )
    )
    return versioned_response(view)


@router.get(
    "/{n}/links",
    summary="List a decision's links",
    description="Only links into logs the caller may read; `hidden_links` counts the others.",
    response_model=schemas.LinkPage,
)
async def list_links(
    log: LogPath,
    n: NumberPath,
    caller: CurrentCaller,
    get: Annotated[GetDecisionHandler, Depends(provide(GetDecisionHandler))],
) -> Response:
    view = await get(GetDecision(caller=caller, ref=decision_ref(log, n)))
    return json_response(
        {"items": view.links, "next_cursor": None, "hidden_links": view.hidden_links}
    )


@router.post(
    "/{n}/links",
    status_code=201,
    summary="Link a decision to another",
    description="The inverse link is recorded on the target. A decided record can only "
    "gain relates-to links. Needs the author role; replies with the decision.",
    response_model=schemas.Decision,
    responses=problem_responses(*_BODY, 403, 409),
)
async def link_decision(
    log: LogPath,
    n: NumberPath,
    body: schemas.Link,
    actor: SignedInActor,
    link: Annotated[LinkDecisionsHandler, Depends(provide(LinkDecisionsHandler))],
) -> Response:
    target = parse_ref(body.target, log, ("body", "target"))
    view = await link(
        LinkDecisions(actor=actor, ref=decision_ref(log, n), kind=body.kind, target=target)
    )
    return versioned_response(view, status_code=201)


@router.delete(
    "/{n}/links",
    summary="Remove a link",
    description="And its inverse on the target. Needs the author role; replies with the "
    "decision (a link that is not there changes nothing).",
    response_model=schemas.Decision,
    responses=problem_responses(403, 409),
)
async def unlink_decision(
    log: LogPath,
    n: NumberPath,
    kind: Annotated[LinkKind, Query(description="The kind of the link.")],
    target: Annotated[
        str, Query(description="Its target: '3' or 'other-log/7'.", pattern=schemas.REF_PATTERN)
    ],
    actor: SignedInActor,
    unlink: Annotated[UnlinkDecisionsHandler, Depends(provide(UnlinkDecisionsHandler))],
) -> Response:
    ref = parse_ref(target, log, ("query", "target"))
    view = await unlink(
        UnlinkDecisions(actor=actor, ref=decision_ref(log, n), kind=kind, target=ref)
    )
    return versioned_response(view)


@router.get(
    "/{n}/history",
    summary="A decision's history",
    description="Every event, oldest first: who did what, when.",
    response_model=schemas.Page[schemas.HistoryEntry],
    responses=problem_responses(400),
)
async def get_history(
    log: LogPath,
    n: NumberPath,
    caller: CurrentCaller,
    history: Annotated[GetHistoryHandler, Depends(provide(GetHistoryHandler))],
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> Response:
    page = await history(
        GetHistory(caller=caller, ref=decision_ref(log, n), limit=limit, cursor=cursor)
    )
    return json_response(page)


@router.get(
    "/{n}/current",
    summary="The decisions now in force in its place",
    description="Follows superseded-by links to the decisions that are not superseded "
    "(the decision itself, when it is not). Only those you can read are listed.",
    response_model=schemas.Page[schemas.DecisionSummary],
)
async def get_current(
    log: LogPath,
    n: NumberPath,
    caller: CurrentCaller,
    current: Annotated[GetCurrentHandler, Depends(provide(GetCurrentHandler))],
) -> Response:
    return list_response(await current(GetCurrent(caller=caller, ref=decision_ref(log, n))))
