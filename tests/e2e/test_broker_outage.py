"""RabbitMQ stops for 30 s while 100 lifecycle writes go through the API (R3): every
write commits, no event is lost, and the outbox drains within 60 s of its return.

This stops the machine's RabbitMQ application (rabbitmqctl stop_app) and always starts
it again, even when the test fails.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.tables import decision_events
from application.ports import Outbox
from entrypoints.settings import Settings
from tests.broker import delete_queues, drain, fresh_queue, rabbitmq_stopped, rabbitmq_url_or_skip
from tests.e2e.conftest import MAX_BODY_BYTES, Team

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

OUTAGE_SECONDS = 30
DRAIN_WITHIN_SECONDS = 60


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Iterator[Settings]:
    broker = rabbitmq_url_or_skip()
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        broker_url=broker,
        queue=fresh_queue(),
    )
    yield settings
    delete_queues(broker, settings.queue)


async def _wait_for(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> float:
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        await asyncio.sleep(0.2)
    return time.monotonic() - start


async def test_writes_commit_during_a_broker_outage_and_every_event_follows(
    app: FastAPI, client: httpx.AsyncClient, team: Team, settings: Settings
) -> None:
    container = app.state.services.container
    outbox: Outbox = container.resolve(Outbox)

    async def drained() -> bool:
        return await outbox.unsent() == 0

    await _wait_for(drained, 30, "relaying the team's set-up")

    stopped = time.monotonic()
    with rabbitmq_stopped():
        for n in range(50):
            reply = await client.post(
                team.decisions(), json={"title": f"Decision {n}"}, headers=team.author
            )
            assert reply.status_code == 201, reply.text
            number = reply.json()["number"]
            reply = await client.post(team.decisions(f"/{number}/accept"), headers=team.decider)
            assert reply.status_code == 200, reply.text
        not_ready = await client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["broker"] != "ok"
        assert await outbox.unsent() >= 100
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))

    took = await _wait_for(drained, DRAIN_WITHIN_SECONDS, "draining the outbox")
    engine: AsyncEngine = container.resolve(AsyncEngine)
    async with engine.connect() as connection:
        stored = set((await connection.execute(select(decision_events.c.event_id))).scalars())
    messages = await asyncio.to_thread(
        drain, settings.broker_url, settings.queue, expect=len(stored), timeout=30
    )
    received = {message["headers"]["id"] for message in messages}
    assert received == stored, f"lost: {sorted(stored - received)[:5]}"
    assert took < DRAIN_WITHIN_SECONDS
