"""Probes for orchestrators: liveness and readiness."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from application.ports import HealthProbe
from entrypoints.http import schemas
from entrypoints.http.dependencies import services_of
from entrypoints.http.problems import NOT_READY, ProblemError, problem_responses
from entrypoints.http.responses import json_response

router = APIRouter(tags=["operations"])


async def health_probe(request: Request) -> HealthProbe:
    return services_of(request).container.resolve(HealthProbe)  # type: ignore[no-any-return]


@router.get(
    "/healthz",
    summary="Is the process alive?",
    description="Answers without touching anything else.",
    response_model=schemas.Health,
)
async def healthz() -> Response:
    return json_response({"status": "ok", "checks": {}})


@router.get(
    "/readyz",
    summary="Can it serve requests?",
    description="Checks each dependency (the database); 503 names what is not ready.",
    response_model=schemas.Health,
    responses=problem_responses(503),
)
async def readyz(probe: Annotated[HealthProbe, Depends(health_probe)]) -> Response:
    checks = await probe.check()
    failing = {name: state for name, state in checks.items() if state != "ok"}
    if failing:
        described = "; ".join(f"{name}: {state}" for name, state in failing.items())
        raise ProblemError(NOT_READY, f"not ready: {described}", checks=checks)
    return json_response({"status": "ok", "checks": checks})
