"""Webhooks end to end: a write through the API, its event relayed to the broker, the
worker process fanning it out and delivering it to a receiver on 127.0.0.1, and the
beat's sweep retrying what failed. On the embedded defaults (SQLite and the file broker)
and on PostgreSQL with RabbitMQ.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks.webhooks import Webhook

from adapters.sqlalchemy.tables import webhook_deliveries
from application.outbound_messages import FAN_OUT_TASK
from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery
from tests.broker import delete_queues, fresh_queue, rabbitmq_url_or_skip
from tests.e2e.conftest import MAX_BODY_BYTES, Team, propose
from tests.e2e.workers import Worker
from tests.webhook_receiver import Received, Receiver

# The database_url fixture's backend picks the broker: the embedded one beside SQLite,
# RabbitMQ beside PostgreSQL (production's pair).
pytestmark = pytest.mark.parametrize(
    "database_url",
    [
        pytest.param("sqlite", id="embedded"),
        pytest.param("postgres", id="rabbitmq-postgres", marks=pytest.mark.postgres),
    ],
    indirect=True,
)

HOOKS = "/v1/logs/platform/webhooks"
WAIT_SECONDS = 60.0


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Iterator[Settings]:
    on_rabbitmq = database_url.startswith("postgresql")
    broker = rabbitmq_url_or_skip() if on_rabbitmq else ""
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        broker_url=broker,
        queue=fresh_queue(),
        webhook_allow_hosts="127.0.0.1",
        webhook_timeout_seconds=5,
        webhook_retry_sweep_every_seconds=1,
    )
    yield settings
    if on_rabbitmq:
        delete_queues(broker, settings.queue, f"{settings.queue}.dead")


@pytest.fixture
def worker(settings: Settings) -> Iterator[Worker]:
    worker = Worker.start(settings)
    yield worker
    worker.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver() as receiver:
        yield receiver


async def subscribe(client: httpx.AsyncClient, team: Team, url: str) -> dict[str, Any]:
    reply = await client.post(
        HOOKS, json={"url": url, "events": ["decision.proposed"]}, headers=team.owner
    )
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return created


async def wait_for(check: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    """Poll `check` (sync or async) until it returns something truthy; return that."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")
        await asyncio.sleep(0.1)


def requests_to(receiver: Receiver, path: str) -> list[Received]:
    return [request for request in receiver.received if request.path == path]


async def test_a_write_reaches_the_receiver_signed_and_a_410_disables_its_webhook(
    client: httpx.AsyncClient, team: Team, receiver: Receiver, settings: Settings, worker: Worker
) -> None:
    listening = await subscribe(client, team, receiver.url("/status/200"))
    gone = await subscribe(client, team, receiver.url("/status/410"))
    # A malformed event message ahead of the write's (a poison message) blocks nothing.
    producer = create_celery(settings)
    producer.send_task(FAN_OUT_TASK, args=[{"id": "evt_broken"}])
    producer.close()

    decision = await propose(client, team, "Use RabbitMQ for background work")

    [request] = await wait_for(lambda: requests_to(receiver, "/status/200"), "the delivery")
    # An independent verifier (the Standard Webhooks reference package) accepts it.
    payload = Webhook(listening["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "decision.proposed"
    assert payload["data"]["log"] == "platform"
    assert payload["data"]["decision"]["number"] == decision["number"]
    assert payload["data"]["decision"]["title"] == "Use RabbitMQ for background work"
    assert request.headers["webhook-id"]

    async def disabled() -> dict[str, Any] | None:
        hook: dict[str, Any] = (
            await client.get(f"{HOOKS}/{gone['id']}", headers=team.owner)
        ).json()
        return hook if not hook["enabled"] else None

    hook = await wait_for(disabled, "the 410 to disable its webhook")
    assert "410 Gone" in hook["disabled_reason"]
    [answered_410] = requests_to(receiver, "/status/410")
    assert answered_410.headers["webhook-id"] == request.headers["webhook-id"]

    # A second write: the disabled webhook hears nothing more, the other one does.
    await propose(client, team, "Use PostgreSQL")
    await wait_for(lambda: len(requests_to(receiver, "/status/200")) == 2, "the second write")
    await asyncio.sleep(1)
    assert len(requests_to(receiver, "/status/410")) == 1
    # Each task's log lines carry its id (bound into structlog's context).
    lines = [json.loads(line) for line in worker.log.read_text().splitlines() if line[:1] == "{"]
    fanned_out = [line for line in lines if line.get("event") == "event_fanned_out"]
    assert fanned_out
    assert all(line.get("task_id") for line in fanned_out)


async def test_a_failed_delivery_is_retried_by_the_beat_sweep(
    app: FastAPI,
    client: httpx.AsyncClient,
    team: Team,
    receiver: Receiver,
    settings: Settings,
    worker: Worker,
) -> None:
    created = await subscribe(client, team, receiver.url("/status/503"))
    one = f"{HOOKS}/{created['id']}"
    await propose(client, team, "Use RabbitMQ for background work")

    async def first_attempt() -> dict[str, Any] | None:
        items = (await client.get(f"{one}/deliveries", headers=team.owner)).json()["items"]
        return items[0] if items and items[0]["attempts"] else None

    delivery = await wait_for(first_attempt, "the first attempt")
    assert delivery["state"] == "pending"
    assert [a["status_code"] for a in delivery["attempts"]] == [503]
    # The receiver is fixed; and instead of waiting the first backoff (some 30 s), the
    # retry's time comes now: only the beat's sweep can then pick it up.
    fixed = await client.patch(
        one, json={"url": receiver.url("/status/200")}, headers=team.owner | {"If-Match": '"1"'}
    )
    assert fixed.status_code == 200, fixed.text
    engine: AsyncEngine = app.state.services.container.resolve(AsyncEngine)
    async with engine.begin() as connection:
        await connection.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.id == delivery["id"])
            .values(next_attempt_at=datetime.now(UTC))
        )

    beat = await asyncio.to_thread(Worker.start_beat, settings)
    try:
        [retried] = await wait_for(lambda: requests_to(receiver, "/status/200"), "the retry")
    finally:
        await asyncio.to_thread(beat.stop)
    [failed] = requests_to(receiver, "/status/503")
    assert retried.headers["webhook-id"] == failed.headers["webhook-id"]
    assert retried.body == failed.body
    Webhook(created["secret"]).verify(retried.body, retried.headers)

    async def delivered() -> dict[str, Any] | None:
        [item] = (await client.get(f"{one}/deliveries", headers=team.owner)).json()["items"]
        return item if item["state"] == "delivered" else None

    item = await wait_for(delivered, "the delivery log to show it delivered")
    assert [a["status_code"] for a in item["attempts"]] == [503, 200]
