"""Personal access tokens over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from application.commands import CreatePasswordUser, SetUserDisabled
from application.handlers.passwords import CreatePasswordUserHandler
from application.handlers.users import SetUserDisabledHandler
from application.views import OPERATOR
from tests.e2e.conftest import (
    ON_SQLITE,
    Headers,
    MakeUser,
    Team,
    assert_problem,
    bearer,
    propose,
)

pytestmark = ON_SQLITE


async def test_a_new_token_is_shown_once_and_authenticates(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post("/v1/tokens", json={"name": "ci"}, headers=team.viewer)
    assert reply.status_code == 201, reply.text
    issued = reply.json()
    assert issued["username"] == "vic"
    assert issued["name"] == "ci"
    assert issued["id"]
    got = await client.get(f"/v1/logs/{team.slug}", headers=bearer(issued["token"]))
    assert got.status_code == 200


async def test_creating_a_token_needs_a_signed_in_caller_and_a_name(
    client: httpx.AsyncClient, team: Team
) -> None:
    assert_problem(await client.post("/v1/tokens", json={"name": "ci"}), 401, "not-authenticated")
    problem = assert_problem(
        await client.post("/v1/tokens", json={"name": "  "}, headers=team.viewer),
        422,
        "validation-error",
    )
    assert problem["errors"][0]["loc"] == ["body", "name"]
    assert_problem(
        await client.post("/v1/tokens", json={}, headers=team.viewer), 422, "validation-error"
    )


async def _token(client: httpx.AsyncClient, headers: Headers, **fields: Any) -> dict[str, Any]:
    reply = await client.post("/v1/tokens", json={"name": "ci", **fields}, headers=headers)
    assert reply.status_code == 201, reply.text
    issued: dict[str, Any] = reply.json()
    return issued


async def test_a_read_only_token_reads_and_gets_a_403_naming_the_scope_on_writes(
    client: httpx.AsyncClient, team: Team
) -> None:
    proposal = await propose(client, team)
    issued = await _token(client, team.owner, scope="read")
    assert issued["scope"] == "read"
    read_only = bearer(issued["token"])
    assert (await client.get(team.decisions(f"/{proposal['number']}"), headers=read_only)).json()[
        "title"
    ] == proposal["title"]
    reply = await client.post(team.decisions(), json={"title": "More"}, headers=read_only)
    problem = assert_problem(reply, 403, "insufficient-scope")
    assert problem["required_scope"] == "write"
    assert problem["token_scope"] == "read"
    assert "'write' scope" in problem["detail"]
    assert reply.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="write"'


async def test_a_read_only_token_cannot_mint_or_revoke_tokens(
    client: httpx.AsyncClient, team: Team
) -> None:
    read_only = bearer((await _token(client, team.viewer, scope="read"))["token"])
    other = await _token(client, team.viewer)
    for reply in (
        await client.post("/v1/tokens", json={"name": "escalate"}, headers=read_only),
        await client.delete(f"/v1/tokens/{other['id']}", headers=read_only),
    ):
        assert_problem(reply, 403, "insufficient-scope")
    # It still lists them: that is a read.
    assert (await client.get("/v1/tokens", headers=read_only)).status_code == 200


async def test_listing_shows_each_token_but_never_its_secret(
    client: httpx.AsyncClient, team: Team
) -> None:
    issued = [await _token(client, team.viewer, name=f"t{i}") for i in range(3)]
    reply = await client.get("/v1/tokens", headers=team.viewer)
    assert reply.status_code == 200
    listed = {t["id"]: t for t in reply.json()["items"]}
    for token in issued:
        assert listed[token["id"]]["name"] == token["name"]
        assert listed[token["id"]]["expires_at"] == token["expires_at"]
        assert listed[token["id"]]["created_at"] == token["created_at"]
        assert token["token"] not in reply.text
    assert all(set(t) >= {"last_used_at", "scope"} and "token" not in t for t in listed.values())
    assert {t["username"] for t in listed.values()} == {"vic"}


async def test_the_token_list_pages_with_a_cursor_bound_to_its_user(
    client: httpx.AsyncClient, team: Team, make_user: MakeUser
) -> None:
    for i in range(4):
        await _token(client, team.viewer, name=f"t{i}")
    seen: list[str] = []
    cursors: list[str] = []
    while True:
        params = {"limit": "2"} | ({"cursor": cursors[-1]} if cursors else {})
        page = (await client.get("/v1/tokens", params=params, headers=team.viewer)).json()
        seen += [token["id"] for token in page["items"]]
        if page["next_cursor"] is None:
            break
        cursors.append(page["next_cursor"])
    assert len(seen) == 5  # the first token, and four more
    assert seen == sorted(seen)
    root = await make_user("root", admin=True)
    elsewhere = await client.get(
        "/v1/tokens", params={"cursor": cursors[0], "user": "ann"}, headers=root
    )
    assert_problem(elsewhere, 400, "invalid-cursor")


async def test_revoking_your_token_stops_it_at_once(client: httpx.AsyncClient, team: Team) -> None:
    issued = await _token(client, team.author)
    token = bearer(issued["token"])
    assert (await client.get(f"/v1/logs/{team.slug}", headers=token)).status_code == 200
    reply = await client.delete(f"/v1/tokens/{issued['id']}", headers=team.author)
    assert reply.status_code == 204
    for method, path in (
        ("GET", f"/v1/logs/{team.slug}"),
        ("GET", team.decisions("/1")),
        ("POST", "/v1/tokens"),
    ):
        reply = await client.request(method, path, json={"name": "x"}, headers=token)
        assert_problem(reply, 401, "not-authenticated")
    listed = (await client.get("/v1/tokens", headers=team.author)).json()["items"]
    assert issued["id"] not in {t["id"] for t in listed}
    assert_problem(
        await client.delete(f"/v1/tokens/{issued['id']}", headers=team.author), 404, "not-found"
    )


async def test_only_a_site_admin_lists_and_revokes_another_users_tokens(
    client: httpx.AsyncClient, team: Team, make_user: MakeUser
) -> None:
    root = await make_user("root", admin=True)
    issued = await _token(client, team.viewer)
    assert_problem(
        await client.get("/v1/tokens", params={"user": "vic"}, headers=team.owner),
        403,
        "forbidden",
    )
    assert_problem(
        await client.delete(f"/v1/tokens/{issued['id']}", headers=team.owner), 404, "not-found"
    )
    listed = await client.get("/v1/tokens", params={"user": "vic"}, headers=root)
    assert issued["id"] in {t["id"] for t in listed.json()["items"]}
    assert (await client.delete(f"/v1/tokens/{issued['id']}", headers=root)).status_code == 204
    assert_problem(
        await client.get("/v1/logs", headers=bearer(issued["token"])), 401, "not-authenticated"
    )


async def test_a_disabled_users_tokens_of_every_scope_stop_at_once_on_every_path(
    app: FastAPI, client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    tokens = [team.author, bearer((await _token(client, team.author, scope="read"))["token"])]
    disable: SetUserDisabledHandler = app.state.services.get(SetUserDisabledHandler)
    await disable(SetUserDisabled(OPERATOR, "ann"))
    for token in tokens:
        for method, path in (
            ("GET", team.decisions("/1")),  # the hot path: authenticated in its own query
            ("GET", team.decisions()),
            ("GET", "/v1/tokens"),
            ("POST", team.decisions()),
        ):
            reply = await client.request(method, path, json={"title": "x"}, headers=token)
            assert_problem(reply, 401, "not-authenticated")


async def test_a_password_grant_asks_for_a_scope_and_its_jwt_keeps_to_it(
    app: FastAPI, client: httpx.AsyncClient, team: Team
) -> None:
    create: CreatePasswordUserHandler = app.state.services.get(CreatePasswordUserHandler)
    await create(CreatePasswordUser(OPERATOR, "paula", "a long pass phrase"))
    form = {"grant_type": "password", "username": "paula", "password": "a long pass phrase"}
    granted = await client.post("/v1/auth/token", data=form | {"scope": "read"})
    assert granted.status_code == 200, granted.text
    assert granted.json()["scope"] == "read"
    jwt = bearer(granted.json()["access_token"])
    assert (await client.get("/v1/logs", headers=jwt)).status_code == 200
    assert_problem(
        await client.post("/v1/logs", json={"slug": "p", "title": "P"}, headers=jwt),
        403,
        "insufficient-scope",
    )
    full = await client.post("/v1/auth/token", data=form)
    assert full.json()["scope"] == "read write"
    created = await client.post(
        "/v1/logs",
        json={"slug": "p", "title": "P"},
        headers=bearer(full.json()["access_token"]),
    )
    assert created.status_code == 201, created.text
    problem = assert_problem(
        await client.post("/v1/auth/token", data=form | {"scope": "admin"}),
        422,
        "validation-error",
    )
    assert problem["errors"][0]["loc"] == ["scope"]
