"""The webhook tasks (ADR-0013): an event the relay published fans out into deliveries,
each delivery is a task that makes its due attempt, and the beat's sweep enqueues the
deliveries whose retry has come.

Each is thin over its application handler and idempotent: fanning an event out twice
adds no delivery, and a delivery task that finds nothing due (delivered, claimed by a
copy of itself, cancelled) does nothing. So a message redelivered after a crash, or
sent twice by a fan-out and a sweep, sends nothing twice by itself; the receiver
deduplicates what a crash mid-request makes it get twice by `webhook-id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import punq
import structlog
from celery import Celery, Task

from application.commands import DeliverWebhook, FanOutEvent, FindDueDeliveries
from application.handlers.webhooks import (
    DeliverWebhookHandler,
    DueDeliveriesHandler,
    FanOutEventHandler,
)
from application.outbound_messages import FAN_OUT_TASK, event_from_message
from entrypoints.settings import Settings
from entrypoints.worker.runtime import Runtimes

FAN_OUT_EVENT = FAN_OUT_TASK
DELIVER_WEBHOOK = "adr_registry.deliver_webhook"
SWEEP_WEBHOOK_RETRIES = "adr_registry.sweep_webhook_retries"

log = structlog.get_logger(__name__)


def register_webhook_tasks(app: Celery, runtimes: Runtimes, settings: Settings) -> None:
    """Add the webhook tasks to `app`; they run on `runtimes`' container and loop."""
    # A delivery the sweep enqueued and no worker took before the next sweep is enqueued
    # again by that sweep if it is still due: the older copy may expire unrun.
    sweep_expires = settings.webhook_retry_sweep_every_seconds

    @app.task(name=DELIVER_WEBHOOK)
    def deliver_webhook(delivery_id: int) -> str | None:
        async def deliver(container: punq.Container) -> str | None:
            handler: DeliverWebhookHandler = container.resolve(DeliverWebhookHandler)
            after = await handler(DeliverWebhook(delivery_id))
            if after is None:
                log.info("webhook_delivery_not_due", delivery_id=delivery_id)
                return None
            log.info("webhook_attempted", delivery_id=delivery_id, after=after.value)
            return after.value

        return runtimes.current().run(deliver)

    @app.task(name=FAN_OUT_EVENT)
    def fan_out_event(message: dict[str, Any]) -> int:
        event = event_from_message(message)

        async def fan_out(container: punq.Container) -> list[int]:
            handler: FanOutEventHandler = container.resolve(FanOutEventHandler)
            return await handler(FanOutEvent(event))

        # The deliveries are committed before their tasks are sent: a crash in between
        # leaves the event's message unacked, and its redelivery sends them.
        pending = runtimes.current().run(fan_out)
        _enqueue(app, deliver_webhook, pending)
        log.info("event_fanned_out", event_id=event.id, type=event.type, deliveries=len(pending))
        return len(pending)

    @app.task(name=SWEEP_WEBHOOK_RETRIES)
    def sweep_webhook_retries() -> int:
        async def due(container: punq.Container) -> list[int]:
            handler: DueDeliveriesHandler = container.resolve(DueDeliveriesHandler)
            return await handler(FindDueDeliveries())

        deliveries = runtimes.current().run(due)
        _enqueue(app, deliver_webhook, deliveries, expires=sweep_expires)
        log.info("webhook_retry_sweep_done", due=len(deliveries))
        return len(deliveries)


def _enqueue(
    app: Celery, task: Task, delivery_ids: Sequence[int], *, expires: float | None = None
) -> None:
    """One message per delivery, through one producer (publisher confirms on RabbitMQ)."""
    if not delivery_ids:
        return
    with app.producer_or_acquire() as producer:
        for delivery_id in delivery_ids:
            task.apply_async(args=[delivery_id], producer=producer, expires=expires)
