"""The pages: each route parses, calls the API's handlers, and renders a template.

Every read is authorized by the handlers, as for the API. A page a visitor may not read
answers the same 404 page as one that does not exist, signed in or not, so that the
page reveals nothing of a private log.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from application.commands import (
    GetCurrent,
    GetDecision,
    GetHistory,
    GetLinkGraph,
    GetLog,
    GetLogOverview,
    ListDecisions,
    ListLogs,
    RenderDecision,
    SearchDecisions,
)
from application.errors import NotFound
from application.handlers.exports import RenderDecisionHandler
from application.handlers.overview import GetLinkGraphHandler, GetLogOverviewHandler
from application.handlers.queries import (
    GetCurrentHandler,
    GetDecisionHandler,
    GetHistoryHandler,
    GetLogHandler,
    ListDecisionsHandler,
    ListLogsHandler,
    SearchDecisionsHandler,
)
from application.ports import Clock
from application.views import DecisionFilters, LogView, SearchFilters
from domain.errors import InvalidValue
from domain.lifecycle import Status
from domain.values import DecisionNumber, DecisionRef, LogSlug
from entrypoints.http.dependencies import services_of
from entrypoints.http.responses import hidden_links_header
from entrypoints.web.assets import asset_response
from entrypoints.web.graph_svg import graph_svg
from entrypoints.web.headers import SECURITY_HEADERS
from entrypoints.web.responses import PageRoute, not_found_page, page
from entrypoints.web.session import web_actor

# A page of a log's table, of history and of search results.
_LOG_PAGE = 100
_HISTORY_PAGE = 100
_SEARCH_PAGE = 20
_HOME_LOGS = 50
_ALIAS = re.compile(r"ADR-(\d{1,9})", re.IGNORECASE)
_NUMBER = re.compile(r"\d{1,9}")
_STATUSES = tuple(s.value for s in Status)


router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _slug(text: str) -> LogSlug:
    try:
        return LogSlug(text)
    except InvalidValue:
        raise NotFound(f"there is no log '{text}'") from None


def _ref(log: str, number: str) -> DecisionRef:
    if _NUMBER.fullmatch(number) is None:
        raise NotFound(f"there is no decision {number!r}")
    return DecisionRef(_slug(log), DecisionNumber(int(number)))


def _blank_is_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _today(request: Request) -> dt.date:
    clock: Clock = services_of(request).container.resolve(Clock)
    return clock.now().date()


@router.get("/")
async def home(request: Request) -> Response:
    actor = await web_actor(request)
    services = services_of(request)
    logs = await services.get(ListLogsHandler)(ListLogs(caller=actor, limit=_HOME_LOGS))
    overview = services.get(GetLogOverviewHandler)
    today = _today(request)
    overviews = [
        (log, await overview(GetLogOverview(actor, LogSlug(log.slug), today))) for log in logs.items
    ]
    return page(request, "home.html", actor=actor, overviews=overviews, more=logs.next_cursor)


@router.get("/logs/{log}")
async def log_page(
    request: Request,
    log: str,
    status: str | None = None,
    tag: str | None = None,
    person: str | None = None,
    cursor: str | None = None,
) -> Response:
    actor = await web_actor(request)
    slug = _slug(log)
    services = services_of(request)
    view: LogView = await services.get(GetLogHandler)(GetLog(caller=actor, slug=slug))
    filters = DecisionFilters(
        status=_blank_is_none(status), tag=_blank_is_none(tag), person=_blank_is_none(person)
    )
    if filters.status is not None and filters.status not in _STATUSES:
        raise InvalidValue("status", f"must be one of {', '.join(_STATUSES)}")
    decisions = await services.get(ListDecisionsHandler)(
        ListDecisions(
            caller=actor, log=slug, filters=filters, limit=_LOG_PAGE, cursor=_blank_is_none(cursor)
        )
    )
    overview = await services.get(GetLogOverviewHandler)(
        GetLogOverview(actor, slug, _today(request))
    )
    graph = await services.get(GetLinkGraphHandler)(GetLinkGraph(actor, slug))
    timeline = sorted(decisions.items, key=lambda d: (d.date, d.number), reverse=True)
    return page(
        request,
        "log.html",
        actor=actor,
        log=view,
        filters=filters,
        statuses=_STATUSES,
        decisions=decisions,
        overview=overview,
        timeline=timeline,
        graph=graph,
        graph_svg=graph_svg(graph),
    )


@router.get("/logs/{log}/decisions/{number}")
async def decision_page(request: Request, log: str, number: str) -> Response:
    actor = await web_actor(request)
    ref = _ref(log, number)
    services = services_of(request)
    view = await services.get(GetDecisionHandler)(GetDecision(caller=actor, ref=ref))
    history = await services.get(GetHistoryHandler)(
        GetHistory(caller=actor, ref=ref, limit=_HISTORY_PAGE)
    )
    current = []
    if view.status == Status.SUPERSEDED.value:
        current = await services.get(GetCurrentHandler)(GetCurrent(caller=actor, ref=ref))
    links = [
        (link.kind, DecisionRef.parse(link.target, relative_to=ref.log)) for link in view.links
    ]
    return page(
        request,
        "decision.html",
        actor=actor,
        ref=ref,
        decision=view,
        links=links,
        history=history,
        current=current,
    )


@router.get("/logs/{log}/decisions/{number}/markdown")
async def decision_markdown(request: Request, log: str, number: str) -> Response:
    actor = await web_actor(request)
    file = await services_of(request).get(RenderDecisionHandler)(
        RenderDecision(actor=actor, ref=_ref(log, number))
    )
    return Response(
        file.text,
        media_type="text/markdown; charset=utf-8",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="{file.name}"',
            **hidden_links_header(file.hidden_links),
        },
    )


@router.get("/logs/{log}/{alias}")
async def decision_alias(request: Request, log: str, alias: str) -> Response:
    """`/logs/platform/ADR-0007`, as decisions are named in text: the decision's page."""
    match = _ALIAS.fullmatch(alias)
    if match is None:
        return not_found_page(request)
    ref = _ref(log, match.group(1))
    return RedirectResponse(
        f"/logs/{ref.log.value}/decisions/{ref.number.value}",
        status_code=308,
        headers=SECURITY_HEADERS,
    )


async def _search(
    request: Request,
    q: str,
    log: str | None,
    status: str | None,
    tag: str | None,
    cursor: str | None,
) -> dict[str, Any]:
    actor = await web_actor(request)
    filters = SearchFilters(
        log=_blank_is_none(log), status=_blank_is_none(status), tag=_blank_is_none(tag)
    )
    results = await services_of(request).get(SearchDecisionsHandler)(
        SearchDecisions(
            caller=actor, q=q, filters=filters, limit=_SEARCH_PAGE, cursor=_blank_is_none(cursor)
        )
    )
    return {"actor": actor, "query": q, "filters": filters, "results": results}


@router.get("/search")
async def search_page(
    request: Request,
    q: str = "",
    log: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    cursor: str | None = None,
) -> Response:
    if not q.strip():
        return page(request, "search.html", actor=await web_actor(request), results=None)
    return page(request, "search.html", **await _search(request, q, log, status, tag, cursor))


@router.get("/search/results")
async def search_results(request: Request, q: str = "") -> Response:
    """The results part of the search page alone: what search-as-you-type swaps in."""
    if not q.strip():
        return page(request, "results.html", results=None)
    return page(request, "results.html", **await _search(request, q, None, None, None, None))


@router.get("/static/{name}")
async def static_asset(name: str) -> Response:
    return asset_response(name)
