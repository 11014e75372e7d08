"""On the embedded defaults (SQLite, the file broker), a commit's nudge takes its events
out at once: nothing waits for the beat's fallback."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import FastAPI

from application.ports import Outbox
from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery
from tests.e2e.conftest import ON_SQLITE, Team, propose

pytestmark = ON_SQLITE


async def test_a_write_is_relayed_to_the_embedded_broker_right_after_its_commit(
    app: FastAPI, client: httpx.AsyncClient, team: Team, settings: Settings
) -> None:
    outbox: Outbox = app.state.services.container.resolve(Outbox)
    decision = await propose(client, team, "Use PostgreSQL")
    start = time.monotonic()
    while await outbox.unsent():
        assert time.monotonic() - start < 5, "the nudge did not relay the write"
        await asyncio.sleep(0.05)

    with create_celery(settings).connection_for_write() as connection:
        queue = connection.SimpleQueue(settings.queue)
        types = []
        while True:
            try:
                message = queue.get(timeout=0.5)
            except queue.Empty:
                break
            types.append(message.headers["task"])
            message.ack()
        queue.close()
    # The team's set-up (log.created, member.set x4) and the proposal.
    assert types == ["adr_registry.fan_out_event"] * 6
    assert decision["number"] == 1
