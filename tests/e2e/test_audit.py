"""The audit trail over HTTP: what is recorded (who, when, from where, what), in the
transaction of the change, and read by site admins only, newest first, filtered and in
keyset pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher as Argon2
from fastapi import FastAPI

from adapters.passwords import Argon2PasswordHasher
from application.commands import CreatePasswordUser, SetUserDisabled
from application.handlers.passwords import CreatePasswordUserHandler
from application.handlers.users import SetUserDisabledHandler
from application.ports import PasswordHasher
from application.views import OPERATOR, Actor
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ON_BOTH, Headers, MakeUser, assert_problem

pytestmark = ON_BOTH

PHRASE = "a long pass phrase"


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    cheap = Argon2PasswordHasher(Argon2(time_cost=1, memory_cost=8, parallelism=1))
    app = create_app(settings, {PasswordHasher: cheap})
    async with app.router.lifespan_context(app):
        yield app


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://registry.test")


@pytest.fixture
async def admin(make_user: MakeUser) -> Headers:
    return await make_user("root", admin=True)


async def trail(client: httpx.AsyncClient, admin: Headers, **params: Any) -> list[dict[str, Any]]:
    reply = await client.get("/v1/audit", params=params, headers=admin)
    assert reply.status_code == 200, reply.text
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def without_times(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for entry in entries:
        assert dt.datetime.fromisoformat(entry["at"]).tzinfo is not None
    return [{k: v for k, v in e.items() if k not in ("id", "at")} for e in entries]


async def test_sign_ins_and_failures_are_recorded_with_their_address(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers
) -> None:
    create: CreatePasswordUserHandler = app.state.services.get(CreatePasswordUserHandler)
    await create(CreatePasswordUser(OPERATOR, "ann", PHRASE))
    grant = {"grant_type": "password", "username": "ann"}
    async with client_from(app, "192.0.2.1") as first, client_from(app, "192.0.2.2") as second:
        assert (await first.post("/v1/auth/token", data={**grant, "password": PHRASE})).is_success
        failed = await second.post("/v1/auth/token", data={**grant, "password": "not it at all"})
        assert failed.status_code == 401
        unknown = {**grant, "username": "nobody", "password": "not it at all"}
        assert (await second.post("/v1/auth/token", data=unknown)).status_code == 401

    entries = await trail(client, admin, action="signed_in")
    assert without_times(entries) == [
        {
            "action": "signed_in",
            "actor": "ann",
            "target": "user ann",
            "origin": "192.0.2.1",
            "details": {},
        }
    ]
    failures = await trail(client, admin, action="sign_in_failed")
    assert [(e["actor"], e["target"], e["origin"]) for e in failures] == [
        (None, "user nobody", "192.0.2.2"),
        (None, "user ann", "192.0.2.2"),
    ]


async def test_tokens_and_roles_are_recorded_with_who_and_what(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, make_user: MakeUser
) -> None:
    olga = await make_user("olga")
    await make_user("ann")
    async with client_from(app, "198.51.100.4") as browser:
        created = await browser.post(
            "/v1/logs", json={"slug": "platform", "title": "P"}, headers=olga
        )
        assert created.status_code == 201
        member = "/v1/logs/platform/members/ann"
        assert (await browser.put(member, json={"role": "decider"}, headers=olga)).is_success
        assert (await browser.delete(member, headers=olga)).status_code == 204
        token = await browser.post("/v1/tokens", json={"name": "ci"}, headers=olga)
        assert token.status_code == 201

    entries = without_times(await trail(client, admin, actor="olga"))
    token_id = token.json()["id"]
    assert entries == [
        {
            "action": "token_created",
            "actor": "olga",
            "target": f"token {token_id} of user olga",
            "origin": "198.51.100.4",
            "details": {"name": "ci"},
        },
        {
            "action": "member_removed",
            "actor": "olga",
            "target": "log platform member ann",
            "origin": "198.51.100.4",
            "details": {},
        },
        {
            "action": "member_set",
            "actor": "olga",
            "target": "log platform member ann",
            "origin": "198.51.100.4",
            "details": {"role": "decider"},
        },
    ]


async def test_users_made_and_disabled_from_the_cli_have_no_actor_and_no_address(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers
) -> None:
    create: CreatePasswordUserHandler = app.state.services.get(CreatePasswordUserHandler)
    await create(CreatePasswordUser(OPERATOR, "ann", PHRASE, is_admin=True))
    disable: SetUserDisabledHandler = app.state.services.get(SetUserDisabledHandler)
    await disable(SetUserDisabled(Actor("root", is_admin=True), "ann", origin="192.0.2.9"))
    await disable(SetUserDisabled(OPERATOR, "ann", disabled=False))

    entries = without_times(await trail(client, admin, limit=3))
    assert entries == [
        {
            "action": "user_enabled",
            "actor": None,
            "target": "user ann",
            "origin": None,
            "details": {},
        },
        {
            "action": "user_disabled",
            "actor": "root",
            "target": "user ann",
            "origin": "192.0.2.9",
            "details": {},
        },
        {
            "action": "user_created",
            "actor": None,
            "target": "user ann",
            "origin": None,
            "details": {"admin": "yes"},
        },
    ]


async def test_a_change_that_fails_records_nothing(
    client: httpx.AsyncClient, admin: Headers, make_user: MakeUser
) -> None:
    olga = await make_user("olga")
    assert (
        await client.post("/v1/logs", json={"slug": "p", "title": "P"}, headers=olga)
    ).is_success
    before = await trail(client, admin)
    # The last admin cannot leave: the transaction is rolled back, its entry with it.
    last = await client.delete("/v1/logs/p/members/olga", headers=olga)
    assert_problem(last, 409, "last-admin")
    nobody = await client.put("/v1/logs/p/members/ghost", json={"role": "viewer"}, headers=olga)
    assert nobody.status_code == 404
    assert await trail(client, admin) == before


async def test_pages_run_newest_first_and_a_cursor_keeps_its_filters(
    client: httpx.AsyncClient, admin: Headers, make_user: MakeUser
) -> None:
    for name in ("ann", "bob", "cid"):
        await make_user(name)
    everything = await trail(client, admin, action="user_created")
    assert [e["target"] for e in everything] == ["user cid", "user bob", "user ann", "user root"]

    seen: list[str] = []
    params: dict[str, Any] = {"action": "user_created", "limit": 3}
    while True:
        reply = await client.get("/v1/audit", params=params, headers=admin)
        page = reply.json()
        seen += [e["target"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [e["target"] for e in everything]

    other = await client.get("/v1/audit", params={"cursor": params["cursor"]}, headers=admin)
    assert_problem(other, 400, "invalid-cursor")

    since = everything[1]["at"]
    recent = await trail(client, admin, action="user_created", since=since)
    assert [e["target"] for e in recent] == ["user cid", "user bob"]
    later = dt.datetime.fromisoformat(everything[0]["at"]) + dt.timedelta(seconds=1)
    assert await trail(client, admin, since=later.isoformat()) == []


async def test_only_site_admins_read_it(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    stan = await make_user("stan")
    assert_problem(await client.get("/v1/audit", headers=stan), 403, "forbidden")
    assert_problem(await client.get("/v1/audit"), 401, "not-authenticated")


async def test_a_filter_that_cannot_match_is_a_clear_422(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    for params in ({"action": "everything"}, {"actor": "Not A Name!"}, {"since": "yesterday"}):
        reply = await client.get("/v1/audit", params=params, headers=admin)
        problem = assert_problem(reply, 422, "validation-error")
        assert problem["errors"][0]["loc"][:2] == ["query", next(iter(params))]
