"""A personal access token's expiry and last use, with the clock in the test's hands, on
both databases (they store timestamps differently)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.sqlalchemy import SqlAlchemyReadModel
from application.ports import Clock, ReadModel
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ON_BOTH, MakeUser, assert_problem, bearer
from tests.fakes import FakeClock

pytestmark = ON_BOTH

# Now, so that JWTs (checked against the real time by PyJWT) would hold too.
START = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    app = create_app(settings, {Clock: clock})
    async with app.router.lifespan_context(app):
        yield app


async def _token(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    reply = await client.post("/v1/tokens", json={"name": "ci", **fields}, headers=headers)
    assert reply.status_code == 201, reply.text
    issued: dict[str, Any] = reply.json()
    return issued


async def _listed(app: FastAPI, client: httpx.AsyncClient, headers: dict[str, str]) -> Any:
    # Stamps are written beside the request: wait for them, then read.
    read_model = app.state.services.get(ReadModel)
    assert isinstance(read_model, SqlAlchemyReadModel)
    await read_model.token_use.settled()
    reply = await client.get("/v1/tokens", headers=headers)
    assert reply.status_code == 200, reply.text
    return {token["id"]: token for token in reply.json()["items"]}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_a_token_expires_after_its_days_and_is_then_refused(
    client: httpx.AsyncClient, make_user: MakeUser, clock: FakeClock
) -> None:
    ada = await make_user("ada")
    issued = await _token(client, ada, expires_in_days=7)
    assert _at(issued["expires_at"]) == START + timedelta(days=7)
    token = bearer(issued["token"])
    assert (await client.get("/v1/logs", headers=token)).status_code == 200
    clock.advance(days=7)
    problem = assert_problem(await client.get("/v1/logs", headers=token), 401, "not-authenticated")
    assert "expired" in problem["detail"]
    # Writes check the same lookup.
    assert_problem(
        await client.post("/v1/tokens", json={"name": "x"}, headers=token), 401, "not-authenticated"
    )


async def test_a_token_gets_90_days_unless_told_and_never_more_than_366(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    ada = await make_user("ada")
    assert _at((await _token(client, ada))["expires_at"]) == START + timedelta(days=90)
    at = START + timedelta(days=366)
    assert _at((await _token(client, ada, expires_at=at.isoformat()))["expires_at"]) == at
    refused = (
        {"expires_in_days": 367},
        {"expires_in_days": 0},
        {"expires_at": (at + timedelta(seconds=1)).isoformat()},
        {"expires_at": (START - timedelta(seconds=1)).isoformat()},
        {"expires_at": "2027-01-01T00:00:00"},  # no time zone
        {"expires_in_days": 5, "expires_at": at.isoformat()},
    )
    for fields in refused:
        reply = await client.post("/v1/tokens", json={"name": "x", **fields}, headers=ada)
        problem = assert_problem(reply, 422, "validation-error")
        assert any("expires" in str(error["loc"]) for error in problem["errors"]), fields


async def test_last_use_is_listed_and_stamped_at_most_once_a_minute(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser, clock: FakeClock
) -> None:
    ada = await make_user("ada")
    issued = await _token(client, ada, scope="read")
    token = bearer(issued["token"])
    assert (await _listed(app, client, ada))[issued["id"]]["last_used_at"] is None

    assert (await client.get("/v1/logs", headers=token)).status_code == 200
    first = START
    listed = (await _listed(app, client, ada))[issued["id"]]
    assert _at(listed["last_used_at"]) == first

    clock.advance(seconds=59)
    assert (await client.get("/v1/logs", headers=token)).status_code == 200
    listed = (await _listed(app, client, ada))[issued["id"]]
    assert _at(listed["last_used_at"]) == first, "stamped again within the minute"

    clock.advance(seconds=1)
    assert (await client.get("/v1/logs", headers=token)).status_code == 200
    listed = (await _listed(app, client, ada))[issued["id"]]
    assert _at(listed["last_used_at"]) == first + timedelta(minutes=1)
    assert set(listed) == {
        "id",
        "username",
        "name",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
    }
    assert listed["scope"] == "read"
