"""Probes and the API's own description."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from application.ports import HealthProbe
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ON_SQLITE, assert_problem

pytestmark = ON_SQLITE


async def test_healthz_and_readyz_answer_ok(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "checks": {}}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


class _DownProbe:
    async def check(self) -> dict[str, str]:
        return {"database": "OperationalError: connection refused"}


async def test_readyz_is_a_503_problem_naming_what_is_down(settings: Settings) -> None:
    app = create_app(settings, overrides={HealthProbe: _DownProbe()})
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        reply = await client.get("/readyz")
    problem = assert_problem(reply, 503, "not-ready")
    assert problem["checks"] == {"database": "OperationalError: connection refused"}
    assert "connection refused" in problem["detail"]


async def test_the_docs_are_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/redoc")).status_code == 200


def _operations(app: FastAPI) -> list[tuple[APIRoute, str]]:
    return [
        (route, method)
        for route in app.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods
    ]


async def test_every_operation_documents_a_summary_its_errors_and_examples(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    openapi: dict[str, Any] = (await client.get("/openapi.json")).json()
    bearer = openapi["components"]["securitySchemes"]["bearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    for route, method in _operations(app):
        operation = openapi["paths"][route.path_format][method.lower()]
        assert operation["summary"], route.path
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                content = response["content"]
                assert list(content) == ["application/problem+json"], (route.path, status)
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }
        if route.path == "/v1/lint":
            # Lint stores nothing and reads no log: a token is needed unless the server
            # lets anonymous callers lint (ADR-0010).
            assert operation["security"] == [{"bearer": []}, {"oauth2": []}, {}]
            assert "401" in operation["responses"]
        elif route.path == "/v1/auth/token":
            # Signing in takes a password, not a token.
            assert "security" not in operation
            assert "401" in operation["responses"]
        elif route.path.startswith("/v1"):
            # Reads let anonymous callers in (public logs); writes need a token, and so
            # does everything about a log's webhooks, which only its admins see, about
            # your tokens, and the audit trail, which only site admins see.
            signed_in_only = (
                "/webhooks" in route.path
                or route.path.startswith("/v1/tokens")
                or route.path == "/v1/audit"
            )
            anonymous = [{}] if method == "GET" and not signed_in_only else []
            assert operation["security"] == [{"bearer": []}, {"oauth2": []}, *anonymous], route.path
            assert {"401", "422"} <= set(operation["responses"]), route.path
        # JSON bodies (the password grant is a form, as OAuth2 has it).
        if route.body_field is not None and route.path != "/v1/auth/token":
            assert {"400", "413", "415"} <= set(operation["responses"]), route.path
    objects = {
        name: schema
        for name, schema in openapi["components"]["schemas"].items()
        if schema.get("type") == "object" and "properties" in schema
    }
    assert [name for name, schema in objects.items() if not schema.get("examples")] == []


async def test_if_match_is_documented_as_required_where_it_is(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    def if_match(path: str, method: str) -> dict[str, Any]:
        parameters = paths[path][method]["parameters"]
        return next(p for p in parameters if p["name"] == "if-match")

    assert if_match("/v1/logs/{log}", "patch")["required"] is True
    assert if_match("/v1/logs/{log}/decisions/{n}", "patch")["required"] is True
    assert if_match("/v1/logs/{log}/decisions/{n}", "delete")["required"] is True
    assert if_match("/v1/logs/{log}/decisions/{n}/accept", "post")["required"] is False


async def test_write_routes_list_the_statuses_their_handlers_raise(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    patch = paths["/v1/logs/{log}/decisions/{n}"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "412", "413", "415", "422", "428"} <= set(patch)
    accept = paths["/v1/logs/{log}/decisions/{n}/accept"]["post"]["responses"]
    assert {"401", "403", "404", "409", "412", "422"} <= set(accept)


async def test_each_lifecycle_step_is_an_operation_of_its_own(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    summaries = {
        "accept": "Accept a proposal",
        "reject": "Reject a proposal",
        "reopen": "Reopen a rejected decision",
        "deprecate": "Deprecate an accepted decision",
    }
    for step, summary in summaries.items():
        operation = paths[f"/v1/logs/{{log}}/decisions/{{n}}/{step}"]["post"]
        assert (
            operation["operationId"] == f"{step}_decision_v1_logs__log__decisions__n__{step}_post"
        )
        assert operation["summary"] == summary
        assert "decider role" in operation["description"]
        assert {"401", "403", "404", "409", "412", "422"} <= set(operation["responses"])
