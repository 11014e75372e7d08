"""The Celery app: broker, queues and the settings that make a task survive a crash.

Built by `create_celery` when a process needs it (worker, beat, or the API's outbox
relay as a producer); nothing is built on import.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Celery
from kombu.entity import Exchange, Queue
from kombu.transport import TRANSPORT_ALIASES

from entrypoints.settings import Settings

EMBEDDED_BROKER = "adr-embedded://localhost/"
# kombu's filesystem transport with atomic writes, named by its path so that nothing
# here imports the adapter.
_EMBEDDED_TRANSPORT = "adapters.celery.embedded_transport:Transport"
# How often a worker of the embedded broker looks for new messages (kombu's default is 1 s).
_EMBEDDED_POLL_SECONDS = 0.1
# A publish that cannot reach the broker gives up after about two seconds: the outbox
# keeps the event and the relay tries again, so nothing waits on a dead broker.
_PUBLISH_RETRY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def is_embedded(settings: Settings) -> bool:
    return not settings.broker_url


def dead_letter_queue(settings: Settings) -> Queue:
    """Where RabbitMQ moves a message delivered `delivery_limit` times without an ack."""
    name = f"{settings.queue}.dead"
    return Queue(
        name,
        Exchange(name, type="direct", durable=True),
        routing_key=name,
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def task_queue(settings: Settings) -> Queue:
    exchange = Exchange(settings.queue, type="direct", durable=True)
    if is_embedded(settings):
        return Queue(settings.queue, exchange, routing_key=settings.queue)
    dead = dead_letter_queue(settings)
    return Queue(
        settings.queue,
        exchange,
        routing_key=settings.queue,
        durable=True,
        queue_arguments={
            # Replicated and crash-safe, and the only queue type that counts deliveries.
            "x-queue-type": "quorum",
            # A message that kills its worker every time (a poison message) is dead-
            # lettered after this many deliveries instead of blocking the queue for ever.
            "x-delivery-limit": settings.delivery_limit,
            "x-dead-letter-exchange": dead.exchange.name,
            "x-dead-letter-routing-key": dead.routing_key,
            # RabbitMQ keeps a dead letter until the dead-letter queue confirms it.
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


# RabbitMQ redelivers a message held unacked past its consumer timeout, and a worker
# holds an ETA task unacked until it is due: later retries are database rows that a
# beat sweep picks up instead.
MAX_DELAY = timedelta(seconds=60)


class DelayTooLong(ValueError):
    """A task was sent with a countdown or ETA further off than MAX_DELAY."""


class RegistryCelery(Celery):
    """Celery that refuses a countdown or ETA further off than MAX_DELAY (every send,
    a task's apply_async and retry included, goes through send_task)."""

    def send_task(self, name: str, *args: Any, **options: Any) -> Any:
        due = _due(options.get("countdown"), options.get("eta"))
        if due is not None and due - datetime.now(UTC) > MAX_DELAY:
            raise DelayTooLong(
                f"task {name} would be due at {due.isoformat()}: no countdown or ETA may "
                f"exceed {MAX_DELAY.seconds} s; keep later work in the database"
            )
        return super().send_task(name, *args, **options)


def _due(countdown: float | None, eta: datetime | None) -> datetime | None:
    if countdown is not None:
        return datetime.now(UTC) + timedelta(seconds=countdown)
    if eta is not None:
        return eta if eta.tzinfo is not None else eta.replace(tzinfo=UTC)
    return None


def create_celery(settings: Settings) -> Celery:
    TRANSPORT_ALIASES.setdefault(EMBEDDED_BROKER.partition(":")[0], _EMBEDDED_TRANSPORT)
    app = RegistryCelery("adr_registry", set_as_current=False)
    app.conf.update(_broker_settings(settings))
    queue = task_queue(settings)
    app.conf.update(
        task_queues=[queue],
        task_default_queue=queue.name,
        task_default_exchange=queue.exchange.name,
        task_default_routing_key=queue.routing_key,
        task_create_missing_queues=False,
        task_serializer="json",
        accept_content=["json"],
        # Tasks report through the database (outbox, delivery log), never a result store.
        task_ignore_result=True,
        # Ack only after the task ran: a worker killed mid-task leaves the message in the
        # queue to be delivered again, and tasks are idempotent so a rerun is harmless.
        task_acks_late=True,
        # With late acks, a pool child killed by a signal (OOM, kill -9) requeues its
        # message instead of acking it as failed.
        task_reject_on_worker_lost=True,
        # One unacked message per process: a crash redelivers at most one per process,
        # and a slow task never holds others back in its prefetch buffer.
        worker_prefetch_multiplier=1,
        # A worker starting before its broker keeps trying instead of exiting.
        broker_connection_retry_on_startup=True,
        # When the connection drops, the broker requeues every unacked message: a task
        # still running would run twice, so it is cancelled instead.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_publish_retry_policy=_PUBLISH_RETRY,
        # structlog owns logging (entrypoints.logging); Celery must not replace it.
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        enable_utc=True,
        timezone="UTC",
    )
    return app


def _broker_settings(settings: Settings) -> dict[str, Any]:
    if is_embedded(settings):
        folder = settings.broker_folder
        messages, control = folder / "messages", folder / "control"
        messages.mkdir(parents=True, exist_ok=True)
        control.mkdir(parents=True, exist_ok=True)
        return {
            "broker_url": EMBEDDED_BROKER,
            "broker_transport_options": {
                "data_folder_in": str(messages),
                "data_folder_out": str(messages),
                "control_folder": str(control),
                "polling_interval": _EMBEDDED_POLL_SECONDS,
            },
        }
    return {
        "broker_url": settings.broker_url,
        # basic_publish returns only once RabbitMQ has taken the message (a publisher
        # confirm): the outbox marks an event sent only after that.
        "broker_transport_options": {"confirm_publish": True},
        "broker_heartbeat": 30,
    }
