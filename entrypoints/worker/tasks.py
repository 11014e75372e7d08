"""The tasks: each is thin over an application handler (the same one a route or the CLI
would call), runs on its process's runtime, and is idempotent, so a redelivery after a
crash does no harm."""

from __future__ import annotations

from typing import Any

import punq
import structlog
from celery import Celery, Task
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_process_shutdown

from application.commands import RelayOutbox, SweepReviews, SweepStaleProposals
from application.handlers.notices import SweepReviewsHandler, SweepStaleProposalsHandler
from application.handlers.outbox import RelayOutboxHandler
from entrypoints.bootstrap import relay_if_nudged
from entrypoints.worker.runtime import Runtimes

RELAY_OUTBOX = "adr_registry.relay_outbox"
SWEEP_REVIEWS = "adr_registry.sweep_reviews"
SWEEP_STALE_PROPOSALS = "adr_registry.sweep_stale_proposals"

log = structlog.get_logger(__name__)


def register_tasks(app: Celery, runtimes: Runtimes) -> None:
    """Add the tasks to `app`; they run on `runtimes`' container and loop."""

    @app.task(name=RELAY_OUTBOX)
    def relay_outbox() -> int:
        """The beat's fallback relay: publishes what no nudge took out."""
        return runtimes.current().run(_relay)

    @app.task(name=SWEEP_REVIEWS)
    def sweep_reviews() -> int:
        return runtimes.current().run(_sweep_reviews)

    @app.task(name=SWEEP_STALE_PROPOSALS)
    def sweep_stale_proposals() -> int:
        return runtimes.current().run(_sweep_stale_proposals)

    _connect_process_signals(runtimes)


async def _relay(container: punq.Container) -> int:
    handler: RelayOutboxHandler = container.resolve(RelayOutboxHandler)
    return await handler(RelayOutbox())


async def _sweep_reviews(container: punq.Container) -> int:
    handler: SweepReviewsHandler = container.resolve(SweepReviewsHandler)
    raised = await handler(SweepReviews())
    log.info("review_sweep_done", notices=raised)
    await _relay_if(container, raised)
    return raised


async def _sweep_stale_proposals(container: punq.Container) -> int:
    handler: SweepStaleProposalsHandler = container.resolve(SweepStaleProposalsHandler)
    raised = await handler(SweepStaleProposals())
    log.info("stale_proposal_sweep_done", notices=raised)
    await _relay_if(container, raised)
    return raised


async def _relay_if(container: punq.Container, raised: int) -> None:
    """Notices are outbox rows: send them now rather than at the next fallback tick."""
    if raised:
        await _relay(container)
    else:
        await relay_if_nudged(container)


def _connect_process_signals(runtimes: Runtimes) -> None:
    def build_runtime(**_: Any) -> None:
        runtimes.current()

    def close_runtime(**_: Any) -> None:
        runtimes.close()

    def bind_task(task_id: str, task: Task, **_: Any) -> None:
        structlog.contextvars.bind_contextvars(task_id=task_id, task=task.name)

    def unbind_task(**_: Any) -> None:
        structlog.contextvars.unbind_contextvars("task_id", "task")

    # weak=False: the receivers are closures that nothing else keeps alive.
    worker_process_init.connect(build_runtime, weak=False)
    worker_process_shutdown.connect(close_runtime, weak=False)
    task_prerun.connect(bind_task, weak=False)
    task_postrun.connect(unbind_task, weak=False)
