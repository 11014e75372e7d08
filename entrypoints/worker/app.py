"""The worker's and the beat's Celery app: tasks, schedule, liveness, dead letters."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import structlog
from celery import Celery, bootsteps
from celery.beat import PersistentScheduler
from celery.signals import worker_process_init
from sqlalchemy.ext.asyncio import AsyncEngine

from entrypoints import tracing
from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery, dead_letter_queue, is_embedded
from entrypoints.worker.git_sync_tasks import SYNC_ALL_LOGS, register_git_sync_tasks
from entrypoints.worker.runtime import Runtimes
from entrypoints.worker.task_metrics import count_tasks
from entrypoints.worker.tasks import (
    RELAY_OUTBOX,
    SWEEP_REVIEWS,
    SWEEP_STALE_PROPOSALS,
    register_tasks,
)
from entrypoints.worker.webhook_tasks import SWEEP_WEBHOOK_RETRIES, register_webhook_tasks

log = structlog.get_logger(__name__)

HEARTBEAT_SECONDS = 5.0
# The beat ticks at least this often, so its heartbeat file is never older (plus a tick).
BEAT_MAX_LOOP_SECONDS = 30.0


def create_worker_app(settings: Settings) -> Celery:
    app = create_celery(settings)
    runtimes = Runtimes(settings)
    register_tasks(app, runtimes)
    register_webhook_tasks(app, runtimes, settings)
    register_git_sync_tasks(app, runtimes)
    count_tasks()
    if tracing.enabled():
        _trace_pool_processes(runtimes)
    app.conf.beat_schedule = beat_schedule(settings)
    ready_after: list[type[bootsteps.StartStopStep]] = []
    if not is_embedded(settings):
        ready_after.append(_dead_letter_step(settings))
    app.steps["consumer"].update(ready_after)
    app.steps["consumer"].add(_heartbeat_step(settings.heartbeat_path, ready_after))
    return app


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """One static schedule. Each tick expires after one period: ticks missed while no
    worker ran are not all run at once when one comes back."""
    periods = {
        "outbox-relay": (RELAY_OUTBOX, settings.outbox_relay_every_seconds),
        "review-sweep": (SWEEP_REVIEWS, settings.review_sweep_every_seconds),
        "stale-proposals": (SWEEP_STALE_PROPOSALS, settings.stale_proposals_every_seconds),
        "webhook-retry-sweep": (SWEEP_WEBHOOK_RETRIES, settings.webhook_retry_sweep_every_seconds),
        "git-sync": (SYNC_ALL_LOGS, settings.git_sync_every_seconds),
    }
    return {
        name: {"task": task, "schedule": every, "options": {"expires": every}}
        for name, (task, every) in periods.items()
    }


def _trace_pool_processes(runtimes: Runtimes) -> None:
    """Each pool process, once forked: a tracer provider, traced tasks and statements."""

    def start(**_: Any) -> None:
        tracing.start("adr-registry-worker")
        tracing.trace_celery()
        tracing.trace_engine(runtimes.current().container.resolve(AsyncEngine))

    worker_process_init.connect(start, weak=False, dispatch_uid="adr_registry_tracing")


def is_alive(path: Path, max_age: float) -> bool:
    """What a liveness probe asks: has the worker touched its heartbeat file lately?"""
    try:
        return time.time() - path.stat().st_mtime <= max_age
    except FileNotFoundError:
        return False


def heartbeat_scheduler(path: Path) -> type[PersistentScheduler]:
    """The beat's scheduler, touching `path` on each tick (for a liveness probe)."""

    class HeartbeatScheduler(PersistentScheduler):
        def tick(self, *args: Any, **kwargs: Any) -> float:
            path.touch()
            return super().tick(*args, **kwargs)  # type: ignore[no-any-return]

    return HeartbeatScheduler


def _heartbeat_step(
    path: Path, ready_after: list[type[bootsteps.StartStopStep]]
) -> type[bootsteps.StartStopStep]:
    class Heartbeat(bootsteps.StartStopStep):
        """Touches the heartbeat file while the consumer's loop turns (for a probe).
        It starts once the broker connection is up and the dead-letter queue declared:
        a worker that looks alive is ready to take (and dead-letter) tasks."""

        requires = ("celery.worker.consumer.connection:Connection", *ready_after)

        def __init__(self, parent: Any, **kwargs: Any) -> None:
            super().__init__(parent, **kwargs)
            self.timer_ref: Any = None

        def start(self, parent: Any) -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
            self.timer_ref = parent.timer.call_repeatedly(HEARTBEAT_SECONDS, path.touch)

        def stop(self, parent: Any) -> None:
            if self.timer_ref is not None:
                self.timer_ref.cancel()
            path.unlink(missing_ok=True)

    return Heartbeat


def _dead_letter_step(settings: Settings) -> type[bootsteps.StartStopStep]:
    class DeclareDeadLetters(bootsteps.StartStopStep):
        """The dead-letter queue must exist before RabbitMQ dead-letters into it."""

        requires = {"celery.worker.consumer.connection:Connection"}

        def start(self, parent: Any) -> None:
            queue = dead_letter_queue(settings)
            queue(parent.connection.default_channel).declare()
            log.info("dead_letter_queue_declared", queue=queue.name)

    return DeclareDeadLetters
