"""The outbox relay's publisher: each event becomes one fan-out task message."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from celery import Celery

from application.outbound import OutboundEvent
from application.outbound_messages import FAN_OUT_TASK, event_to_message
from application.ports import EventPublisher, Published


class CeleryEventPublisher(EventPublisher):
    """Publishes through the app's producer pool. The app is configured for publisher
    confirms on RabbitMQ (`confirm_publish`), so a publish returns only once the broker
    has the message; kombu is synchronous, so it runs in a thread, off the event loop."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    async def publish(self, events: Sequence[OutboundEvent]) -> Published:
        return await asyncio.to_thread(self._publish, list(events))

    def _publish(self, events: list[OutboundEvent]) -> Published:
        try:
            with self._app.producer_or_acquire() as producer:
                for confirmed, event in enumerate(events):
                    try:
                        self._app.send_task(
                            FAN_OUT_TASK,
                            args=[event_to_message(event)],
                            # The event id names the task too: a republished event is
                            # recognisable in the worker's log.
                            task_id=event.id,
                            producer=producer,
                        )
                    except Exception as error:
                        return Published(confirmed, f"{type(error).__name__}: {error}")
        except Exception as error:
            # No connection from the pool at all.
            return Published(0, f"{type(error).__name__}: {error}")
        return Published(len(events))
