"""R1: with 200 webhook deliveries in flight to a receiver, the worker's whole process group
is killed with SIGKILL and started again: every event is received, and an idempotent
receiver (deduplicating on webhook-id) processes each once. Duplicates on the wire are
allowed and counted: only a request in flight when the worker died may come twice, when
the beat's sweep retries it (its answer never reached the registry).

On PostgreSQL and RabbitMQ, as in production (the embedded broker loses a message a
killed worker holds, ADR-0014). Bounded in time: it gives up ALL_WITHIN seconds after
the restart.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks.webhooks import Webhook

from adapters.sqlalchemy.tables import decision_events, webhook_deliveries
from domain.webhooks import DeliveryState
from entrypoints.settings import Settings
from tests.broker import delete_queues, fresh_queue, rabbitmq_url_or_skip
from tests.e2e.conftest import MAX_BODY_BYTES, Team
from tests.e2e.workers import Worker
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

EVENTS = 200
CONCURRENCY = 2
HOLD_MS = 100  # each request stays in flight this long at the receiver
# After the restart. The deliveries the killed worker was making are retried after the
# first backoff (30 s, +-20 %) by the beat's sweep: the bound leaves room for that on a
# loaded machine.
ALL_WITHIN = 120.0


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Iterator[Settings]:
    broker = rabbitmq_url_or_skip()
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        broker_url=broker,
        queue=fresh_queue(),
        webhook_allow_hosts="127.0.0.1",
        webhook_timeout_seconds=5,
        webhook_retry_sweep_every_seconds=2,
    )
    yield settings
    delete_queues(broker, settings.queue, f"{settings.queue}.dead")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver() as receiver:
        yield receiver


async def _until(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def _start_worker_and_beat(settings: Settings) -> tuple[Worker, Worker]:
    """Both at once (each takes seconds to start); neither is left running if one fails."""
    started = await asyncio.gather(
        asyncio.to_thread(Worker.start, settings, concurrency=CONCURRENCY),
        asyncio.to_thread(Worker.start_beat, settings),
        return_exceptions=True,
    )
    worker, beat = started
    if isinstance(worker, Worker) and isinstance(beat, Worker):
        return worker, beat
    for process in started:
        if isinstance(process, Worker):
            await asyncio.to_thread(process.stop)
    raise next(error for error in started if isinstance(error, BaseException))


async def test_killing_the_worker_group_mid_delivery_loses_no_event(
    app: FastAPI, client: httpx.AsyncClient, team: Team, receiver: Receiver, settings: Settings
) -> None:
    reply = await client.post(
        "/v1/logs/platform/webhooks",
        json={"url": receiver.url(f"/slow/{HOLD_MS}"), "events": ["decision.proposed"]},
        headers=team.owner,
    )
    assert reply.status_code == 201, reply.text
    secret = reply.json()["secret"]
    for n in range(EVENTS):
        reply = await client.post(
            team.decisions(), json={"title": f"Decision {n}"}, headers=team.author
        )
        assert reply.status_code == 201, reply.text
    engine: AsyncEngine = app.state.services.container.resolve(AsyncEngine)
    async with engine.connect() as connection:
        proposed = select(decision_events.c.event_id).where(
            decision_events.c.event == "decision.proposed"
        )
        event_ids = set((await connection.execute(proposed)).scalars())
    assert len(event_ids) == EVENTS

    worker = await asyncio.to_thread(Worker.start, settings, concurrency=CONCURRENCY)
    beat: Worker | None = None
    try:
        await _until(
            lambda: len(receiver.received) >= EVENTS // 5 and receiver.in_flight,
            60,
            "the first deliveries, one of them in flight",
        )
        in_flight = receiver.in_flight
        worker.kill()
        at_kill = len(receiver.received)
        assert at_kill < EVENTS

        # Started again, with the beat whose sweep retries what the kill cut off.
        worker, beat = await _start_worker_and_beat(settings)
        restarted = time.monotonic()

        def processed() -> set[str]:
            return {request.headers["webhook-id"] for request in receiver.received}

        await _until(lambda: processed() >= event_ids, ALL_WITHIN, "every event")
        received_all = time.monotonic() - restarted

        async def delivered() -> int:
            async with engine.connect() as connection:
                state = webhook_deliveries.c.state
                count = select(func.count()).where(state == DeliveryState.DELIVERED.value)
                return int((await connection.execute(count)).scalar_one())

        # And the registry knows it: the requests the kill cut off were sent again.
        while await delivered() < EVENTS:
            assert time.monotonic() - restarted < ALL_WITHIN, "deliveries still pending"
            await asyncio.sleep(0.5)
    finally:
        await asyncio.to_thread(worker.stop)
        if beat is not None:
            await asyncio.to_thread(beat.stop)

    on_the_wire = Counter(request.headers["webhook-id"] for request in receiver.received)
    duplicates = sum(on_the_wire.values()) - len(on_the_wire)
    print(
        f"R1: {EVENTS} events, killed with {in_flight} in flight after {at_kill} requests, "
        f"{duplicates} duplicates; after the restart all received in {received_all:.0f} s, "
        f"all delivered in {time.monotonic() - restarted:.0f} s"
    )
    assert set(on_the_wire) == event_ids
    # A claim is committed before its request: only what the dead worker's processes were
    # sending at the kill can arrive twice.
    assert duplicates <= CONCURRENCY
    for request in receiver.received:
        Webhook(secret).verify(request.body, request.headers)
