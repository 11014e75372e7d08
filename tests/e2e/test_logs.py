"""Logs and members over HTTP."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from application.commands import SetUserDisabled
from application.handlers.users import SetUserDisabledHandler
from application.views import OPERATOR
from tests.e2e.conftest import ON_SQLITE, MakeUser, Team, assert_problem, propose

pytestmark = ON_SQLITE


async def test_creating_a_log_replies_201_with_location_and_etag(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    ada = await make_user("ada")
    reply = await client.post(
        "/v1/logs",
        json={"slug": "payments", "title": "Payments", "visibility": "public"},
        headers=ada,
    )
    assert reply.status_code == 201
    assert reply.headers["location"] == "/v1/logs/payments"
    assert reply.headers["etag"] == '"1"'
    assert reply.json() == {
        "slug": "payments",
        "title": "Payments",
        "description": "",
        "visibility": "public",
        "version": 1,
        "stale_after_days": 30,
        "source": None,
    }
    members = await client.get("/v1/logs/payments/members", headers=ada)
    assert members.json() == {
        "items": [{"username": "ada", "role": "admin"}],
        "next_cursor": None,
    }


async def test_creating_a_log_needs_a_token(client: httpx.AsyncClient) -> None:
    reply = await client.post("/v1/logs", json={"slug": "payments", "title": "Payments"})
    assert_problem(reply, 401, "not-authenticated")
    assert reply.headers["www-authenticate"] == "Bearer"


async def test_a_taken_slug_is_a_conflict(client: httpx.AsyncClient, team: Team) -> None:
    reply = await client.post(
        "/v1/logs", json={"slug": team.slug, "title": "Again"}, headers=team.stranger
    )
    assert_problem(reply, 409, "already-exists")


async def test_an_invalid_slug_names_the_field(client: httpx.AsyncClient, team: Team) -> None:
    reply = await client.post(
        "/v1/logs", json={"slug": "Not A Slug", "title": "x"}, headers=team.owner
    )
    problem = assert_problem(reply, 422, "validation-error")
    assert [error["loc"] for error in problem["errors"]] == [["body", "slug"]]


async def test_a_log_cannot_be_created_with_a_version(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        "/v1/logs", json={"slug": "x", "title": "x", "version": 7}, headers=team.owner
    )
    problem = assert_problem(reply, 422, "validation-error")
    assert [error["loc"] for error in problem["errors"]] == [["body", "version"]]


async def test_listing_logs_shows_only_readable_ones_a_page_at_a_time(
    client: httpx.AsyncClient, team: Team
) -> None:
    for slug in ("alpha", "beta", "gamma"):
        reply = await client.post(
            "/v1/logs",
            json={"slug": slug, "title": slug, "visibility": "public"},
            headers=team.owner,
        )
        assert reply.status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/logs", params=params, headers=team.stranger)).json()
        seen += [log["slug"] for log in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["alpha", "beta", "gamma"]  # not the private 'platform'
    owners = (await client.get("/v1/logs", headers=team.owner)).json()
    assert [log["slug"] for log in owners["items"]] == ["alpha", "beta", "gamma", "platform"]


async def test_a_bad_cursor_or_limit_names_the_parameter(client: httpx.AsyncClient) -> None:
    problem = assert_problem(
        await client.get("/v1/logs", params={"cursor": "garbage!"}), 400, "invalid-cursor"
    )
    assert problem["errors"][0]["loc"] == ["query", "cursor"]
    problem = assert_problem(
        await client.get("/v1/logs", params={"limit": 201}), 422, "validation-error"
    )
    assert problem["errors"][0]["loc"] == ["query", "limit"]


async def test_reading_a_log_needs_a_role_unless_it_is_public(
    client: httpx.AsyncClient, team: Team
) -> None:
    path = f"/v1/logs/{team.slug}"
    reply = await client.get(path, headers=team.viewer)
    assert reply.status_code == 200
    assert reply.headers["etag"] == '"4"'  # created, then three members added
    # Never confirm that a private log exists to someone without a role in it.
    assert_problem(await client.get(path, headers=team.stranger), 404, "not-found")
    assert_problem(await client.get("/v1/logs/nowhere", headers=team.owner), 404, "not-found")

    etag = reply.headers["etag"]
    made_public = await client.patch(
        path, json={"visibility": "public"}, headers=team.owner | {"If-Match": etag}
    )
    assert made_public.status_code == 200
    assert (await client.get(path)).status_code == 200


async def test_anonymous_callers_cannot_tell_a_private_log_from_a_missing_one(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    for suffix in ("", "/decisions", "/decisions/1", "/decisions/1/history", "/export", "/graph"):
        private = await client.get(f"/v1/logs/{team.slug}{suffix}")
        missing = await client.get(f"/v1/logs/nowhere{suffix}")
        for reply in (private, missing):
            assert_problem(reply, 404, "not-found")
            assert reply.headers["www-authenticate"] == "Bearer", suffix
        assert private.json()["detail"] == missing.json()["detail"].replace("nowhere", team.slug)


async def test_patching_a_log_needs_if_match_and_the_admin_role(
    client: httpx.AsyncClient, team: Team
) -> None:
    path = f"/v1/logs/{team.slug}"
    etag = (await client.get(path, headers=team.owner)).headers["etag"]
    change = {"title": "Platform team"}

    assert_problem(
        await client.patch(path, json=change, headers=team.owner), 428, "if-match-required"
    )
    malformed = assert_problem(
        await client.patch(path, json=change, headers=team.owner | {"If-Match": "3"}),
        422,
        "validation-error",
    )
    assert malformed["errors"][0]["loc"] == ["header", "if-match"]
    assert_problem(
        await client.patch(path, json=change, headers=team.decider | {"If-Match": etag}),
        403,
        "forbidden",
    )
    reply = await client.patch(path, json=change, headers=team.owner | {"If-Match": etag})
    assert reply.status_code == 200
    assert reply.json()["title"] == "Platform team"
    assert reply.headers["etag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    stale = await client.patch(
        path, json={"title": "Too late"}, headers=team.owner | {"If-Match": etag}
    )
    assert_problem(stale, 412, "version-mismatch")


async def test_a_null_setting_is_refused_not_cleared(client: httpx.AsyncClient, team: Team) -> None:
    reply = await client.patch(
        f"/v1/logs/{team.slug}", json={"title": None}, headers=team.owner | {"If-Match": '"4"'}
    )
    problem = assert_problem(reply, 422, "validation-error")
    assert problem["errors"][0]["loc"] == ["body", "title"]


async def test_admins_manage_members(
    client: httpx.AsyncClient, team: Team, make_user: MakeUser
) -> None:
    await make_user("newcomer")
    members = f"/v1/logs/{team.slug}/members"
    reply = await client.put(f"{members}/newcomer", json={"role": "decider"}, headers=team.owner)
    assert reply.status_code == 200
    assert reply.json() == {"username": "newcomer", "role": "decider"}
    listed = (await client.get(members, headers=team.viewer)).json()["items"]
    assert {"username": "newcomer", "role": "decider"} in listed

    removed = await client.delete(f"{members}/newcomer", headers=team.owner)
    assert removed.status_code == 204
    assert removed.content == b""
    assert_problem(await client.delete(f"{members}/newcomer", headers=team.owner), 404, "not-found")


async def test_member_changes_are_refused_when_they_cannot_be_made(
    client: httpx.AsyncClient, team: Team
) -> None:
    members = f"/v1/logs/{team.slug}/members"
    assert_problem(
        await client.put(f"{members}/ghost", json={"role": "viewer"}, headers=team.owner),
        404,
        "not-found",
    )
    assert_problem(
        await client.put(f"{members}/vic", json={"role": "admin"}, headers=team.author),
        403,
        "forbidden",
    )
    assert_problem(
        await client.put(f"{members}/vic", json={"role": "owner"}, headers=team.owner),
        422,
        "validation-error",
    )
    assert_problem(await client.delete(f"{members}/olga", headers=team.owner), 409, "last-admin")


async def test_a_log_admin_sets_how_long_a_proposal_may_rest_before_it_is_stale(
    client: httpx.AsyncClient, team: Team
) -> None:
    url = f"/v1/logs/{team.slug}"
    etag = (await client.get(url, headers=team.owner)).headers["etag"]
    owner = {**team.owner, "If-Match": etag}
    reply = await client.patch(url, json={"stale_after_days": 14}, headers=owner)
    assert reply.status_code == 200, reply.text
    assert reply.json()["stale_after_days"] == 14
    assert (await client.get(url, headers=team.viewer)).json()["stale_after_days"] == 14
    owner["If-Match"] = reply.headers["etag"]
    for bad in (0, 3651, "soon", None):
        refused = await client.patch(url, json={"stale_after_days": bad}, headers=owner)
        assert refused.status_code == 422, (bad, refused.text)
        assert "stale_after_days" in refused.text
    author = {**team.author, "If-Match": reply.headers["etag"]}
    forbidden = await client.patch(url, json={"stale_after_days": 7}, headers=author)
    assert forbidden.status_code == 403


async def test_a_member_invitation_reveals_only_whether_the_user_exists(
    app: FastAPI, client: httpx.AsyncClient, team: Team, make_user: MakeUser
) -> None:
    """Issue 8, finding 9 (ADR-0010): a log's admin learns whether a name is a user, and
    nothing else (a disabled user is invited like any other); nobody else learns even
    that, whether or not the name exists."""
    await make_user("dora")
    disable = app.state.services.get(SetUserDisabledHandler)
    await disable(SetUserDisabled(OPERATOR, "dora"))
    members = f"/v1/logs/{team.slug}/members"
    invited = await client.put(f"{members}/dora", json={"role": "viewer"}, headers=team.owner)
    assert invited.status_code == 200, invited.text
    assert invited.json() == {"username": "dora", "role": "viewer"}
    missing = await client.put(f"{members}/nobody", json={"role": "viewer"}, headers=team.owner)
    assert "there is no user 'nobody'" in assert_problem(missing, 404, "not-found")["detail"]
    for name in ("olga", "nobody"):
        as_author = await client.put(
            f"{members}/{name}", json={"role": "viewer"}, headers=team.author
        )
        assert_problem(as_author, 403, "forbidden")
        as_stranger = await client.put(
            f"{members}/{name}", json={"role": "viewer"}, headers=team.stranger
        )
        assert "there is no log" in assert_problem(as_stranger, 404, "not-found")["detail"]
