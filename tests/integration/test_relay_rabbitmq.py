"""The relay against real RabbitMQ and PostgreSQL (R7): two relays, 1,000 events, each
published once with a publisher confirm, none left unsent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.celery import CeleryEventPublisher
from adapters.sqlalchemy import create_engine
from adapters.sqlalchemy.event_rows import decision_event_row
from adapters.sqlalchemy.outbox import SqlAlchemyOutbox
from adapters.sqlalchemy.tables import decision_events
from application.commands import RelayOutbox
from application.handlers.outbox import RelayOutboxHandler
from domain.events import DecisionProposed
from domain.values import DecisionNumber, DecisionRef, LogSlug
from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery
from tests.broker import delete_queues, drain, fresh_queue, rabbitmq_url_or_skip
from tests.integration.conftest import AT

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

EVENTS = 1000


async def _store_events(engine: AsyncEngine, count: int) -> set[str]:
    rows = [
        decision_event_row(
            DecisionProposed(
                ref=DecisionRef(LogSlug("core"), DecisionNumber(n)),
                actor="alice",
                at=AT,
                version=1,
                title=f"Decision {n}",
            ),
            None,
        )
        for n in range(1, count + 1)
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(decision_events), rows)
    return {row["event_id"] for row in rows}


async def test_two_relays_publish_a_thousand_events_each_once(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    broker = rabbitmq_url_or_skip()
    settings = Settings(data_dir=tmp_path, broker_url=broker, queue=fresh_queue())
    stored = await _store_events(engine, EVENTS)
    second_engine = create_engine(database_url)
    apps = [create_celery(settings) for _ in range(2)]
    try:
        relays = [
            RelayOutboxHandler(SqlAlchemyOutbox(db), CeleryEventPublisher(app))
            for db, app in zip((engine, second_engine), apps, strict=True)
        ]
        sent = await asyncio.gather(*(relay(RelayOutbox(batch=50)) for relay in relays))
        assert sum(sent) == EVENTS
        assert all(count > 0 for count in sent), f"one relay did all the work: {sent}"
        assert await SqlAlchemyOutbox(engine).unsent() == 0

        messages = await asyncio.to_thread(drain, broker, settings.queue, expect=EVENTS, timeout=30)
        ids = [message["headers"]["id"] for message in messages]
        assert len(ids) == len(set(ids)) == EVENTS
        assert set(ids) == stored
        extra = await asyncio.to_thread(drain, broker, settings.queue, expect=1, timeout=1)
        assert extra == [], "each event is published exactly once"
    finally:
        await second_engine.dispose()
        for app in apps:
            app.close()
        delete_queues(broker, settings.queue)
