"""Every route, called by every kind of caller, on a private and a public log, replies the
status the role rules give (the matrix is in tests/e2e/authorization.py).

The world (app, database, users, logs) is built once for the module; each case sets up
what its request needs, fresh, as the site admin.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from starlette.routing import BaseRoute, Route

from application.commands import CreatePasswordUser, CreateUser
from application.handlers.passwords import CreatePasswordUserHandler
from application.handlers.users import CreateUserHandler
from application.views import OPERATOR
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.authorization import (
    PASSWORD_USER,
    TABLE,
    Caller,
    Case,
    Visibility,
    World,
    cases,
    propose,
)
from tests.e2e.conftest import assert_problem, bearer
from tests.webhook_fakes import no_webhook_traffic

_USERNAMES = {
    Caller.NO_ROLE: "stan",
    Caller.VIEWER: "vic",
    Caller.AUTHOR: "ann",
    Caller.DECIDER: "dee",
    Caller.LOG_ADMIN: "olga",
    Caller.SITE_ADMIN: "root",
}
_PROBLEM_OF = {401: "not-authenticated", 403: "forbidden", 404: "not-found"}


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every API route; HEAD is left out where it only comes with GET.
    The web view's pages answer HTML over the same handlers; their access rules (a 404
    page for every private page) are tested in test_web_sessions and test_web_pages."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if _is_web_page(route):
            continue
        found |= _keys(route)
    return found


def _is_web_page(route: BaseRoute) -> bool:
    endpoint = getattr(route, "endpoint", None)
    return getattr(endpoint, "__module__", "").startswith("entrypoints.web.")


def _keys(route: BaseRoute) -> set[tuple[str, str]]:
    if not isinstance(route, Route):
        # A mount or a websocket: it has no row format yet, so it can only fail below.
        return {(type(route).__name__, getattr(route, "path", repr(route)))}
    methods = set(route.methods or ())
    if "GET" in methods:
        methods.discard("HEAD")
    return {(method, route.path) for method in methods}


def test_every_route_has_a_row_in_the_matrix() -> None:
    rows = {row.route for row in TABLE}
    missing = routes_of(create_app(Settings())) - rows
    assert not missing, f"add a row to tests/e2e/authorization.py for each of {sorted(missing)}"


def test_every_row_of_the_matrix_names_a_route() -> None:
    stale = {row.route for row in TABLE} - routes_of(create_app(Settings()))
    assert not stale, f"these rows name no route of the app: {sorted(stale)}"


def test_the_matrix_has_one_row_per_route_and_variant() -> None:
    assert len({(row.route, row.variant) for row in TABLE}) == len(TABLE)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    directory = tmp_path_factory.mktemp("authorization-matrix")
    database = directory / "registry.db"
    shutil.copyfile(sqlite_template, database)
    settings = Settings(data_dir=directory, database_url=f"sqlite+aiosqlite:///{database}")
    app = create_app(settings, overrides=no_webhook_traffic())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://registry.test"
        ) as client:
            create: CreateUserHandler = app.state.services.get(CreateUserHandler)
            headers = {Caller.ANONYMOUS: {}}
            for caller, username in _USERNAMES.items():
                admin = caller is Caller.SITE_ADMIN
                issued = await create(CreateUser(actor=OPERATOR, username=username, is_admin=admin))
                headers[caller] = bearer(issued.token)
            read_only = await client.post(
                "/v1/tokens",
                json={"name": "read-only", "scope": "read"},
                headers=headers[Caller.SITE_ADMIN],
            )
            assert read_only.status_code == 201, read_only.text
            headers[Caller.READ_ONLY] = bearer(read_only.json()["token"])
            spare = "spare"
            await create(CreateUser(actor=OPERATOR, username=spare))
            create_signer: CreatePasswordUserHandler = app.state.services.get(
                CreatePasswordUserHandler
            )
            await create_signer(CreatePasswordUser(OPERATOR, *PASSWORD_USER))
            slugs = {Visibility.PRIVATE: "private-log", Visibility.PUBLIC: "public-log"}
            world = World(
                client=client, headers=headers, slugs=slugs, read_number=1, spare_user=spare
            )
            for visibility, slug in slugs.items():
                await _create_log(world, slug, visibility)
                assert await propose(world, slug, "The one everyone reads") == world.read_number
            yield world


async def _create_log(world: World, slug: str, visibility: Visibility) -> None:
    owner = world.headers[Caller.LOG_ADMIN]
    reply = await world.client.post(
        "/v1/logs",
        json={"slug": slug, "title": slug, "visibility": visibility.value},
        headers=owner,
    )
    assert reply.status_code == 201, reply.text
    for caller in (Caller.VIEWER, Caller.AUTHOR, Caller.DECIDER):
        assert caller.role is not None
        reply = await world.client.put(
            f"/v1/logs/{slug}/members/{_USERNAMES[caller]}",
            json={"role": caller.role.value},
            headers=owner,
        )
        assert reply.status_code == 200, reply.text


# The world and the cases share one event loop: the module's.
@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", cases(), ids=lambda case: case.id)
async def test_a_caller_gets_what_their_role_allows(world: World, case: Case) -> None:
    row = case.row
    slug = "" if case.visibility is None else world.slugs[case.visibility]
    prepared = await row.prepare(world, slug)
    reply = await world.client.request(
        row.method,
        row.path.format(log=slug, **prepared.path),
        json=prepared.json,
        content=prepared.content,
        params=prepared.params,
        headers=world.headers[case.caller] | prepared.headers,
    )
    assert reply.status_code == case.expected, reply.text
    if case.caller is Caller.READ_ONLY and case.expected == 403:
        problem = assert_problem(reply, 403, "insufficient-scope")
        assert problem["required_scope"] == "write"
        assert 'scope="write"' in reply.headers["www-authenticate"]
    elif case.expected in _PROBLEM_OF:
        assert_problem(reply, case.expected, _PROBLEM_OF[case.expected])
    if case.expected == 401:
        assert reply.headers["www-authenticate"] == "Bearer"
