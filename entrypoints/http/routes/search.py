"""Full-text search across every log the caller may read."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from application.commands import SearchDecisions
from application.handlers.queries import SearchDecisionsHandler
from application.views import SearchFilters
from domain.lifecycle import Status
from entrypoints.http import schemas
from entrypoints.http.dependencies import CurrentCaller, provide
from entrypoints.http.json_route import JsonRoute
from entrypoints.http.params import CursorQuery, LimitQuery, SearchText
from entrypoints.http.problems import problem_responses
from entrypoints.http.responses import json_response

router = APIRouter(
    prefix="/v1/search",
    tags=["search"],
    route_class=JsonRoute,
    responses=problem_responses(400, 401, 404, 422),
)


@router.get(
    "",
    summary="Search decisions across logs",
    description="Every log you can read (public logs without a token; all logs for a site "
    "admin), best matches first: a match in the title counts most, then in tags and "
    "people, then in the context and outcome, then anywhere else. Each hit has a snippet "
    "with the matches marked. `total` and `facets` count every match, not only this "
    "page. A filter on a log you cannot read answers like that log's own routes.",
    response_model=schemas.SearchResults,
)
async def search_decisions(
    caller: CurrentCaller,
    search: Annotated[SearchDecisionsHandler, Depends(provide(SearchDecisionsHandler))],
    q: SearchText,
    log: Annotated[
        str | None,
        Query(description="Only in this log.", pattern=schemas.SLUG_PATTERN, max_length=64),
    ] = None,
    status: Annotated[Status | None, Query(description="Only in this status.")] = None,
    tag: Annotated[str | None, Query(description="Only with this tag.", max_length=63)] = None,
    person: Annotated[
        str | None,
        Query(
            description="Only naming this person as decision maker, consulted or informed.",
            max_length=200,
        ),
    ] = None,
    date_from: Annotated[
        dt.date | None,
        Query(description="Only with a date (of the last status change) on or after this day."),
    ] = None,
    date_to: Annotated[
        dt.date | None, Query(description="Only with a date on or before this day.")
    ] = None,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
) -> Response:
    filters = SearchFilters(
        log=log,
        status=None if status is None else status.value,
        tag=tag,
        person=person,
        date_from=date_from,
        date_to=date_to,
    )
    page = await search(
        SearchDecisions(caller=caller, q=q, filters=filters, limit=limit, cursor=cursor)
    )
    return json_response(page)
