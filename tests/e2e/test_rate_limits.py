"""Rate limits over HTTP (ADR-0022): 429 problems with Retry-After and the RateLimit
headers, per token and per address, probes exempt, and brute force on sign-in refused
per username and per address before any password is checked."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher as Argon2
from fastapi import FastAPI

from adapters.passwords import Argon2PasswordHasher
from application.commands import CreatePasswordUser
from application.handlers.passwords import CreatePasswordUserHandler
from application.ports import PasswordHasher
from application.views import OPERATOR
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import MAX_BODY_BYTES, ON_SQLITE, MakeUser, assert_problem
from tests.services import redis_url_or_skip

pytestmark = ON_SQLITE

PHRASE = "a long pass phrase"


def limited(database_url: str, data_dir: Path, **limits: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        rate_limit_authenticated="4/minute",
        rate_limit_anonymous="5/minute",
        rate_limit_sign_in_failures="3/minute",
        **limits,
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return limited(database_url, tmp_path)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    cheap = Argon2PasswordHasher(Argon2(time_cost=1, memory_cost=8, parallelism=1))
    app = create_app(settings, {PasswordHasher: cheap})
    async with app.router.lifespan_context(app):
        create: CreatePasswordUserHandler = app.state.services.get(CreatePasswordUserHandler)
        await create(CreatePasswordUser(OPERATOR, "ann", PHRASE))
        await create(CreatePasswordUser(OPERATOR, "bob", PHRASE))
        yield app


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    # https, as the web view's Secure cookies need.
    return httpx.AsyncClient(transport=transport, base_url="https://registry.test")


def assert_too_many(reply: httpx.Response, policy: str) -> int:
    """A 429 problem with Retry-After and both RateLimit headers naming the exhausted
    policy (they are lists: a sign-in's also name the address's quota); the seconds to
    wait."""
    assert_problem(reply, 429, "too-many-requests")
    wait = int(reply.headers["retry-after"])
    assert 0 < wait <= 60
    assert reply.headers["ratelimit-policy"].split(", ")[0] == policy
    name = policy.split(";")[0]
    assert reply.headers["ratelimit"].split(", ")[0] == f"{name};r=0;t={wait}"
    return wait


async def test_an_anonymous_address_gets_its_quota_then_429(client: httpx.AsyncClient) -> None:
    remaining = []
    for _ in range(5):
        reply = await client.get("/v1/logs")
        assert reply.status_code == 200, reply.text
        assert reply.headers["ratelimit-policy"] == '"address";q=5;w=60'
        remaining.append(reply.headers["ratelimit"])
    assert remaining == [f'"address";r={left}' for left in (4, 3, 2, 1, 0)]

    refused = await client.get("/v1/logs")
    assert_too_many(refused, '"address";q=5;w=60')
    assert "try again in" in refused.json()["detail"]


async def test_each_address_has_a_quota_of_its_own(app: FastAPI) -> None:
    async with client_from(app, "192.0.2.1") as first, client_from(app, "192.0.2.2") as second:
        for _ in range(5):
            assert (await first.get("/v1/logs")).status_code == 200
        assert (await first.get("/v1/logs")).status_code == 429
        assert (await second.get("/v1/logs")).status_code == 200


async def test_each_token_has_a_quota_of_its_own_apart_from_its_address(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    ada, bea = await make_user("ada"), await make_user("bea")
    for left in (3, 2, 1, 0):
        reply = await client.get("/v1/logs", headers=ada)
        assert reply.status_code == 200
        assert reply.headers["ratelimit"] == f'"token";r={left}'
    assert_too_many(await client.get("/v1/logs", headers=ada), '"token";q=4;w=60')
    assert (await client.get("/v1/logs", headers=bea)).status_code == 200
    # The same address without a token still has all of its own quota.
    assert (await client.get("/v1/logs")).headers["ratelimit"] == '"address";r=4'


async def test_probes_metrics_and_assets_are_never_limited(client: httpx.AsyncClient) -> None:
    assets = ("/static/style.css", "/static/search.js", "/docs-assets/swagger-ui.css")
    for _ in range(5):
        for path in ("/healthz", "/readyz", "/metrics", *assets):
            reply = await client.get(path)
            assert reply.status_code == 200, path
            assert "ratelimit" not in reply.headers
    # What they did not count is still all there for a page.
    assert (await client.get("/v1/logs")).headers["ratelimit"] == '"address";r=4'


async def test_a_refused_request_reaches_no_handler(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every route's work (its database reads included) goes through a handler from the
    services; a refused request is answered before any is resolved."""
    services = app.state.services
    resolved: list[type] = []
    resolve = services.get

    def recording(cls: type) -> Any:
        resolved.append(cls)
        return resolve(cls)

    monkeypatch.setattr(services, "get", recording)
    for _ in range(5):
        await client.get("/v1/logs/platform")
    assert resolved, "a served read resolves its handler"
    resolved.clear()
    assert (await client.get("/v1/logs/platform")).status_code == 429
    assert resolved == []


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )


async def test_brute_force_on_a_username_locks_it_whatever_the_address(app: FastAPI) -> None:
    for attempt in range(3):
        async with client_from(app, f"198.51.100.{attempt}") as guesser:
            reply = await _sign_in(guesser, "ann", f"wrong guess {attempt}")
            assert_problem(reply, 401, "not-authenticated")
    async with client_from(app, "198.51.100.99") as owner:
        # The right password, from a fresh address: still refused until the window ends.
        refused = await _sign_in(owner, "ann", PHRASE)
        assert_too_many(refused, '"sign-in";q=3;w=60')
        assert "failed sign-ins" in refused.json()["detail"]
        # Another user is not locked out by ann's lock.
        assert (await _sign_in(owner, "bob", PHRASE)).status_code == 200


async def test_brute_force_from_an_address_locks_it_for_every_username(app: FastAPI) -> None:
    async with client_from(app, "203.0.113.7") as guesser:
        for username in ("ann", "bob", "cid"):
            assert (await _sign_in(guesser, username, "wrong guess")).status_code == 401
        assert_too_many(await _sign_in(guesser, "dan", "anything"), '"sign-in";q=3;w=60')
    async with client_from(app, "203.0.113.8") as elsewhere:
        # ann and bob each failed once: below their own quota.
        assert (await _sign_in(elsewhere, "ann", PHRASE)).status_code == 200


async def test_a_successful_sign_in_counts_no_failure(app: FastAPI) -> None:
    async with client_from(app, "203.0.113.9") as owner:
        for _ in range(4):
            assert (await _sign_in(owner, "ann", PHRASE)).status_code == 200


async def test_the_web_sign_in_form_is_limited_per_username(app: FastAPI) -> None:
    async with client_from(app, "192.0.2.50") as browser:
        page = await browser.get("/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf, page.text
        form = {"csrf": csrf.group(1), "username": "bob", "next": "/"}
        for _ in range(3):
            reply = await browser.post("/signin", data={**form, "password": "wrong guess"})
            assert reply.status_code == 401
        reply = await browser.post("/signin", data={**form, "password": PHRASE})
    assert reply.status_code == 429
    assert reply.headers["content-type"].startswith("text/html")
    assert int(reply.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in reply.text


async def test_limits_off_sends_no_headers(database_url: str, tmp_path: Path) -> None:
    settings = limited(database_url, tmp_path, rate_limit_enabled=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app), client_from(app, "192.0.2.9") as client:
        for _ in range(5):
            reply = await client.get("/v1/logs")
            assert reply.status_code == 200
            assert "ratelimit" not in reply.headers


async def test_api_processes_share_their_counters_in_redis(
    database_url: str, tmp_path: Path
) -> None:
    redis = redis_url_or_skip()
    settings = limited(database_url, tmp_path, rate_limit_storage_url=redis)
    # A fresh address per run: the counters outlive the test in the shared server.
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"
    first, second = create_app(settings), create_app(settings)
    async with (
        first.router.lifespan_context(first),
        second.router.lifespan_context(second),
        client_from(first, address) as one,
        client_from(second, address) as two,
    ):
        for left in (4, 3, 2, 1, 0):
            reply = await (one if left % 2 else two).get("/v1/logs")
            assert reply.headers["ratelimit"] == f'"address";r={left}'
        assert_too_many(await one.get("/v1/logs"), '"address";q=5;w=60')
