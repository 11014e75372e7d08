"""The task the scale-out benchmark's workers load (`adr-registry worker --include`):
one webhook delivery through DeliverWebhookHandler, the handler a delivery task calls."""

from __future__ import annotations

import punq
from celery import shared_task

from application.commands import DeliverWebhook
from application.handlers.webhooks import DeliverWebhookHandler
from entrypoints.settings import Settings
from entrypoints.worker.runtime import Runtimes

# Built in each pool process on its first task, like the worker's own runtime.
_runtimes = Runtimes(Settings())


@shared_task(name="bench.deliver_webhook")
def deliver_webhook(delivery_id: int) -> None:
    async def deliver(container: punq.Container) -> None:
        handler: DeliverWebhookHandler = container.resolve(DeliverWebhookHandler)
        await handler(DeliverWebhook(delivery_id))

    _runtimes.current().run(deliver)
