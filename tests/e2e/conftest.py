"""The whole application over HTTP: the ASGI app with its lifespan, on a real database.

Each test gets a fresh, migrated database. A module says which backends with
`pytestmark = ON_SQLITE` (most) or `ON_BOTH` (what is about concurrency; on PostgreSQL
it skips, or fails when ADR_REGISTRY_REQUIRE_SERVICES=1, if the server is absent).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI

from application.commands import CreateUser
from application.handlers.users import CreateUserHandler
from application.views import OPERATOR
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.integration import conftest as integration

# The integration suite's fixtures: a fresh database per test, copied from a template
# migrated once per session.
database_url = integration.database_url
postgres_template = integration.postgres_template
sqlite_template = integration.sqlite_template

Headers = dict[str, str]
MakeUser = Callable[..., Awaitable[Headers]]
# Small, so the 413 tests need not send megabytes.
MAX_BODY_BYTES = 16 * 1024


_POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ON_BOTH = pytest.mark.parametrize("database_url", ["sqlite", _POSTGRES], indirect=True)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # The suites send hundreds of requests a minute from one address; rate limits have
    # tests of their own (test_rate_limits.py).
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        rate_limit_enabled=False,
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        yield client


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """For tests that configure logging as the process would: undo it afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level
    structlog.reset_defaults()


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_user(app: FastAPI) -> MakeUser:
    """Create a user the way the CLI does; returns the headers that authenticate as them."""

    async def make(username: str, *, admin: bool = False) -> Headers:
        create: CreateUserHandler = app.state.services.get(CreateUserHandler)
        issued = await create(CreateUser(actor=OPERATOR, username=username, is_admin=admin))
        return bearer(issued.token)

    return make


@dataclass(frozen=True)
class Team:
    """The private log 'platform' and one user per role in it, plus a stranger."""

    slug: str
    owner: Headers  # admin of the log
    author: Headers
    decider: Headers
    viewer: Headers
    stranger: Headers  # signed in, no role

    def decisions(self, suffix: str = "") -> str:
        return f"/v1/logs/{self.slug}/decisions{suffix}"


@pytest.fixture
async def team(client: httpx.AsyncClient, make_user: MakeUser) -> Team:
    owner = await make_user("olga")
    reply = await client.post(
        "/v1/logs", json={"slug": "platform", "title": "Platform"}, headers=owner
    )
    assert reply.status_code == 201, reply.text
    members: dict[str, Headers] = {}
    for username, role in (("ann", "author"), ("dee", "decider"), ("vic", "viewer")):
        members[role] = await make_user(username)
        reply = await client.put(
            f"/v1/logs/platform/members/{username}", json={"role": role}, headers=owner
        )
        assert reply.status_code == 200, reply.text
    return Team(
        slug="platform",
        owner=owner,
        author=members["author"],
        decider=members["decider"],
        viewer=members["viewer"],
        stranger=await make_user("stan"),
    )


async def propose(
    client: httpx.AsyncClient, team: Team, title: str = "Use PostgreSQL", **fields: object
) -> dict[str, Any]:
    reply = await client.post(
        team.decisions(), json={"title": title, **fields}, headers=team.author
    )
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


async def accept(client: httpx.AsyncClient, team: Team, number: int) -> dict[str, Any]:
    reply = await client.post(team.decisions(f"/{number}/accept"), headers=team.decider)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def assert_problem(reply: httpx.Response, status: int, name: str) -> dict[str, Any]:
    """The reply is an RFC 9457 problem of that status and type; returns its body."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = reply.json()
    assert problem["type"] == f"https://adr-registry.dev/problems/{name}"
    assert problem["status"] == status
    assert problem["title"]
    assert problem["detail"]
    assert problem["instance"] == reply.request.url.path
    return problem
