"""What the HTTP layer itself answers: malformed requests, sizes, tokens, ids and bugs."""

from __future__ import annotations

import gc
import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from application.ports import ReadModel
from entrypoints.garbage_collection import THRESHOLDS
from entrypoints.http.app import create_app
from entrypoints.logging import configure_logging
from entrypoints.settings import Settings
from tests.e2e.conftest import MAX_BODY_BYTES, ON_SQLITE, Team, assert_problem

pytestmark = ON_SQLITE


async def test_malformed_json_is_a_400_problem(client: httpx.AsyncClient, team: Team) -> None:
    reply = await client.post(
        team.decisions(),
        content=b'{"title": ',
        headers=team.author | {"Content-Type": "application/json"},
    )
    assert_problem(reply, 400, "malformed-json")


async def test_a_body_that_is_not_json_is_a_415_problem(
    client: httpx.AsyncClient, team: Team
) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        reply = await client.post(
            team.decisions(),
            content=b"title=Use PostgreSQL",
            headers=team.author | {"Content-Type": content_type},
        )
        assert_problem(reply, 415, "unsupported-media-type")
    untyped = await client.post(team.decisions(), content=b"{}", headers=team.author)
    assert_problem(untyped, 415, "unsupported-media-type")


async def test_a_json_suffix_media_type_is_json(client: httpx.AsyncClient, team: Team) -> None:
    reply = await client.post(
        team.decisions(),
        content=json.dumps({"title": "Use PostgreSQL"}).encode(),
        headers=team.author | {"Content-Type": "application/merge-patch+json; charset=utf-8"},
    )
    assert reply.status_code == 201, reply.text


async def test_a_body_declared_too_large_is_refused_before_it_is_read(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        team.decisions(),
        json={"title": "Big", "content": {"context": "x" * MAX_BODY_BYTES}},
        headers=team.author,
    )
    problem = assert_problem(reply, 413, "content-too-large")
    assert str(MAX_BODY_BYTES) in problem["detail"]
    assert reply.headers["x-request-id"]


async def test_a_streamed_body_is_cut_off_at_the_limit(
    client: httpx.AsyncClient, team: Team
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"title": "Big", "content": {"context": "'
        for _ in range(MAX_BODY_BYTES // 1024 + 1):
            yield b"x" * 1024
        yield b'"}}'

    reply = await client.post(
        team.decisions(),
        content=chunks(),
        headers=team.author | {"Content-Type": "application/json"},
    )
    assert "content-length" not in reply.request.headers
    assert_problem(reply, 413, "content-too-large")


async def test_a_write_without_a_token_is_401_whatever_it_names(
    client: httpx.AsyncClient,
) -> None:
    reply = await client.delete("/v1/logs/nowhere/decisions/1", headers={"If-Match": '"1"'})
    assert_problem(reply, 401, "not-authenticated")
    assert reply.headers["www-authenticate"] == "Bearer"


async def test_a_malformed_or_unknown_token_is_401_with_a_challenge(
    client: httpx.AsyncClient, team: Team
) -> None:
    for authorization in ("Basic YWRhOnNlY3JldA==", "Bearer", "Bearer adr_not-a-real-token"):
        reply = await client.get(team.decisions(), headers={"Authorization": authorization})
        assert_problem(reply, 401, "not-authenticated")
        assert reply.headers["www-authenticate"] == "Bearer"


async def test_unknown_routes_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404, "not-found")
    reply = await client.put("/v1/logs")
    assert_problem(reply, 405, "method-not-allowed")
    assert reply.headers["allow"] == "GET, POST"


async def test_the_request_id_is_taken_from_the_client_or_made_up(
    client: httpx.AsyncClient,
) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "trace-42.a"})
    assert given.headers["x-request-id"] == "trace-42.a"
    made_up = await client.get("/healthz", headers={"X-Request-ID": "no spaces\tor tabs"})
    assert len(made_up.headers["x-request-id"]) == 32
    assert made_up.headers["x-request-id"] != (await client.get("/healthz")).headers["x-request-id"]


class _BrokenReadModel:
    """Fails like a bug would, with internals that must not reach the client."""

    def __getattr__(self, name: str) -> object:
        async def fail(*_: object, **__: object) -> None:
            raise RuntimeError("password=hunter2 in a stack trace")

        return fail


@pytest.fixture
def log_lines(restore_logging: None) -> io.StringIO:
    """The process's log lines, as JSON."""
    stream = io.StringIO()
    configure_logging("json", stream=stream)
    return stream


async def test_a_bug_is_a_500_problem_without_internals_and_is_logged_with_the_request_id(
    settings: Settings, log_lines: io.StringIO
) -> None:
    app = create_app(settings, overrides={ReadModel: _BrokenReadModel()})
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://registry.test"
        ) as client,
    ):
        reply = await client.get("/v1/logs/platform/decisions/1", headers={"X-Request-ID": "r-1"})
    problem = assert_problem(reply, 500, "internal-error")
    assert "hunter2" not in reply.text
    assert reply.headers["x-request-id"] == "r-1"
    logged = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    failure = next(entry for entry in logged if entry["event"] == "request_failed")
    assert failure["request_id"] == "r-1"
    assert failure["level"] == "error"
    assert failure["path"] == problem["instance"]
    assert "hunter2" in json.dumps(failure["exception"])


async def test_every_request_gets_one_access_line_with_its_request_id(
    settings: Settings, log_lines: io.StringIO
) -> None:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://registry.test"
        ) as client,
    ):
        await client.get("/healthz", headers={"X-Request-ID": "r-ok"})
        await client.get("/v1/logs/nowhere/decisions?limit=5", headers={"X-Request-ID": "r-404"})
    logged = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    access = [entry for entry in logged if entry["event"] == "request"]
    assert [(a["request_id"], a["method"], a["path"], a["status"]) for a in access] == [
        ("r-ok", "GET", "/healthz", 200),
        ("r-404", "GET", "/v1/logs/nowhere/decisions", 404),
    ]
    assert access[1]["query"] == "limit=5"
    assert all(a["level"] == "info" and a["ms"] >= 0 and a["timestamp"] for a in access)


async def test_the_served_app_keeps_what_outlives_start_up_out_of_garbage_collection(
    settings: Settings,
) -> None:
    thresholds = gc.get_threshold()
    app = create_app(settings, long_running=True)
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_replies_say_nosniff_and_replies_to_signed_in_callers_are_not_stored(
    client: httpx.AsyncClient, team: Team
) -> None:
    anonymous = await client.get("/v1/logs")
    assert anonymous.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in anonymous.headers
    for reply in (
        await client.get("/v1/logs", headers=team.viewer),
        await client.get(team.decisions(), headers=team.viewer),
        await client.post("/v1/tokens", json={"name": "ci"}, headers=team.viewer),
        await client.get("/v1/logs/nowhere", headers=team.viewer),
    ):
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["cache-control"] == "no-store", reply.request.url


async def test_a_second_authorization_header_is_refused(
    client: httpx.AsyncClient, team: Team
) -> None:
    headers = [
        ("Authorization", team.viewer["Authorization"]),
        ("Authorization", team.owner["Authorization"]),
    ]
    reply = await client.get(team.decisions(), headers=headers)
    problem = assert_problem(reply, 400, "bad-request")
    assert "Authorization" in problem["detail"]
