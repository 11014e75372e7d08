"""Signing in and out of the web view, and what a session may read: the API's rules."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from application.commands import CreatePasswordUser
from application.handlers.passwords import CreatePasswordUserHandler
from application.views import OPERATOR
from tests.e2e.conftest import ON_SQLITE, MakeUser
from tests.web.seed import Seeded, seed

pytestmark = ON_SQLITE

PASSWORD = "lamp orbit quiet meadow 1987"


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client on https, as the Secure cookies need, that keeps cookies like a browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://registry.test") as client:
        yield client


@pytest.fixture
async def seeded(client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI) -> Seeded:
    done = await seed(client, await make_user("olga"))
    create = app.state.services.get(CreatePasswordUserHandler)
    for name in ("mia", "stan"):
        await create(CreatePasswordUser(OPERATOR, name, PASSWORD))
    reply = await client.put(
        "/v1/logs/vault/members/mia", json={"role": "viewer"}, headers=done.owner
    )
    assert reply.status_code == 200, reply.text
    return done


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


async def sign_in(browser: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    form = await browser.get("/signin")
    return await browser.post(
        "/signin",
        data={
            "username": username,
            "password": password,
            "csrf": csrf_of(form.text),
            "next": "/logs/vault",
        },
    )


async def test_a_member_signs_in_reads_the_private_log_and_signs_out(
    browser: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await sign_in(browser, "mia", PASSWORD)
    assert reply.status_code == 303
    assert reply.headers["location"] == "/logs/vault"
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith("adr_session=")
    for flag in ("Secure", "HttpOnly", "SameSite=lax", "Max-Age="):
        assert flag.lower() in cookie.lower(), cookie
    assert PASSWORD not in cookie
    page = await browser.get("/logs/vault")
    assert page.status_code == 200
    assert "Hide the vault key" in page.text
    assert "Signed in as <strong>mia</strong>" in page.text
    out = await browser.post("/signout", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303
    assert (await browser.get("/logs/vault")).status_code == 404


async def test_a_wrong_password_says_so_and_sets_no_session(
    browser: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await sign_in(browser, "mia", "not the password at all")
    assert reply.status_code == 401
    assert "The username or password is not right." in reply.text
    assert "adr_session" not in reply.headers.get("set-cookie", "")


async def test_a_signed_in_user_without_a_role_sees_404_on_every_private_page(
    browser: httpx.AsyncClient, seeded: Seeded
) -> None:
    assert (await sign_in(browser, "stan", PASSWORD)).status_code == 303
    missing = await browser.get("/logs/nowhere")
    for path in ("/logs/vault", "/logs/vault/decisions/1", "/logs/vault/decisions/1/markdown"):
        reply = await browser.get(path)
        assert reply.status_code == 404, path
        assert "vault" not in reply.text.lower().replace("signed in as", "")
        assert reply.text == missing.text
    home = await browser.get("/")
    assert "Secret vault plans" not in home.text
    assert "Engineering handbook" in home.text


@pytest.mark.parametrize("csrf", [None, "0" * 64])
async def test_posts_without_the_forms_csrf_token_are_refused(
    browser: httpx.AsyncClient, seeded: Seeded, csrf: str | None
) -> None:
    await browser.get("/signin")  # the CSRF cookie is set, but the token is not sent
    data = {"username": "mia", "password": PASSWORD}
    if csrf is not None:
        data["csrf"] = csrf
    reply = await browser.post("/signin", data=data)
    assert reply.status_code == 400
    assert "adr_session" not in reply.headers.get("set-cookie", "")


async def test_a_post_from_another_origin_is_refused(
    browser: httpx.AsyncClient, seeded: Seeded
) -> None:
    form = await browser.get("/signin")
    reply = await browser.post(
        "/signin",
        data={"username": "mia", "password": PASSWORD, "csrf": csrf_of(form.text)},
        headers={"Origin": "https://evil.example"},
    )
    assert reply.status_code == 400


async def test_a_forged_session_cookie_is_anonymous(
    browser: httpx.AsyncClient, seeded: Seeded
) -> None:
    browser.cookies.set("adr_session", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtaWEifQ.")
    reply = await browser.get("/logs/vault")
    assert reply.status_code == 404
    assert "Sign in" in reply.text


async def test_sign_in_goes_back_only_to_this_site(
    browser: httpx.AsyncClient, seeded: Seeded
) -> None:
    form = await browser.get("/signin")
    reply = await browser.post(
        "/signin",
        data={
            "username": "mia",
            "password": PASSWORD,
            "csrf": csrf_of(form.text),
            "next": "//evil.example/",
        },
    )
    assert reply.headers["location"] == "/"


async def test_the_api_ignores_the_web_session(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    """The cookie is for pages: to the API the caller is still anonymous (no CSRF there),
    and an anonymous caller is told a private log does not exist."""
    await sign_in(browser, "mia", PASSWORD)
    assert (await browser.get("/logs/vault")).status_code == 200
    reply = await browser.get("/v1/logs/vault")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/problem+json"


async def test_what_a_session_sets_or_reads_is_not_stored(
    browser: httpx.AsyncClient, seeded: Seeded
) -> None:
    """Issue 8, finding 9: the sign-in's reply carries the session token, and a private
    decision downloaded in a session is private data: neither may be cached."""
    reply = await sign_in(browser, "mia", PASSWORD)
    assert reply.headers["set-cookie"].startswith("adr_session=")
    assert reply.headers["cache-control"] == "no-store"
    download = await browser.get("/logs/vault/decisions/1/markdown")
    assert download.status_code == 200
    assert "Hide the vault key" in download.text
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["x-content-type-options"] == "nosniff"
