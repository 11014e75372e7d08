"""Prometheus' scrape endpoint (ADR-0016)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from application.ports import Backlog, Clock
from entrypoints.http.dependencies import services_of
from entrypoints.metrics import CONTENT_TYPE, exposition

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Metrics in the Prometheus text format",
    description="Requests by route template and status, latency, requests in flight, "
    "database pool use, the outbox backlog and webhook deliveries by state.",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    container = services_of(request).container
    backlog: Backlog = container.resolve(Backlog)
    clock: Clock = container.resolve(Clock)
    body = exposition(await backlog.read(), clock.now())
    return Response(body, media_type=CONTENT_TYPE)
