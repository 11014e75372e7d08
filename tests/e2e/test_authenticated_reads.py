"""What authenticating costs the hot path, in statements: reading a decision with a
personal access token, a read-only one or a JWT is the one statement an anonymous read
makes (credentials.py folds the lookup into it); a token's last use adds one UPDATE at
most once a minute, beside the request (token_use.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import SqlAlchemyReadModel
from adapters.sqlalchemy.driver_reads import DriverReads
from application.commands import CreatePasswordUser
from application.handlers.passwords import CreatePasswordUserHandler
from application.ports import Clock, ReadModel
from application.views import OPERATOR
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ON_BOTH, MakeUser, bearer
from tests.fakes import FakeClock

pytestmark = ON_BOTH

PHRASE = "a long pass phrase"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    app = create_app(settings, {Clock: clock})
    async with app.router.lifespan_context(app):
        yield app


class Statements:
    """The statements the app sends about users, tokens, logs and decisions: the read
    side's own (DriverReads, which bypasses SQLAlchemy's execution) and SQLAlchemy's
    (every write). The outbox relay's polling, beside the requests, is left out."""

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.writes: list[str] = []

    def reset(self) -> None:
        self.reads.clear()
        self.writes.clear()

    @property
    def sent(self) -> list[str]:
        return self.reads + self.writes


_ABOUT_CALLERS_AND_DECISIONS = ("access_tokens", "users", "logs", "decisions")


@pytest.fixture
def statements(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[Statements]:
    seen = Statements()
    fetch = DriverReads._fetch

    async def counted(self: DriverReads, sql: str, args: list[Any]) -> Any:
        seen.reads.append(sql)
        return await fetch(self, sql, args)

    monkeypatch.setattr(DriverReads, "_fetch", counted)
    engine = app.state.services.get(AsyncEngine).sync_engine

    def before(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if any(table in sql for table in _ABOUT_CALLERS_AND_DECISIONS):
            seen.writes.append(sql)

    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)


async def _settled(app: FastAPI) -> None:
    read_model = app.state.services.get(ReadModel)
    assert isinstance(read_model, SqlAlchemyReadModel)
    await read_model.token_use.settled()


async def _world(app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser) -> dict[str, Any]:
    owner = await make_user("olga")
    created = await client.post(
        "/v1/logs", json={"slug": "open", "title": "Open", "visibility": "public"}, headers=owner
    )
    assert created.status_code == 201, created.text
    proposed = await client.post("/v1/logs/open/decisions", json={"title": "T"}, headers=owner)
    assert proposed.status_code == 201, proposed.text
    read_only = await client.post("/v1/tokens", json={"name": "r", "scope": "read"}, headers=owner)
    create: CreatePasswordUserHandler = app.state.services.get(CreatePasswordUserHandler)
    await create(CreatePasswordUser(OPERATOR, "paula", PHRASE))
    signed_in = await client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "paula", "password": PHRASE},
    )
    return {
        "anonymous": {},
        "personal access token": owner,
        "read-only token": bearer(read_only.json()["token"]),
        "JWT": bearer(signed_in.json()["access_token"]),
    }


async def test_reading_a_decision_is_one_statement_whoever_asks(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser, statements: Statements
) -> None:
    callers = await _world(app, client, make_user)
    # Each token's first use is stamped: let those stamps pass first.
    for headers in callers.values():
        assert (await client.get("/v1/logs/open/decisions/1", headers=headers)).status_code == 200
    await _settled(app)
    for caller, headers in callers.items():
        statements.reset()
        reply = await client.get("/v1/logs/open/decisions/1", headers=headers)
        assert reply.status_code == 200, reply.text
        await _settled(app)
        assert len(statements.reads) == 1, (caller, statements.sent)
        assert statements.writes == [], (caller, statements.sent)


async def test_a_tokens_last_use_costs_one_write_a_minute(
    app: FastAPI,
    client: httpx.AsyncClient,
    make_user: MakeUser,
    statements: Statements,
    clock: FakeClock,
) -> None:
    token = (await _world(app, client, make_user))["personal access token"]
    await _settled(app)
    statements.reset()
    for _ in range(20):
        assert (await client.get("/v1/logs/open/decisions/1", headers=token)).status_code == 200
        clock.advance(seconds=5)
    await _settled(app)
    # 20 requests over 100 s, the token last stamped when the world was built: one stamp
    # a minute on, at most one more.
    assert len(statements.reads) == 20
    assert 1 <= len(statements.writes) <= 2, statements.writes
    assert all(sql.startswith("UPDATE access_tokens SET last_used_at") for sql in statements.writes)
