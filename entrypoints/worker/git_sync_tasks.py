"""The git sync's tasks: run one queued sync, and the beat's sync of every synced log.

Both are thin over the application's handlers. A redelivered sync task finds its sync
already done and does nothing; the lease keeps two syncs of one log from overlapping.
"""

from __future__ import annotations

import punq
import structlog
from celery import Celery

from application.commands import RunSync, SyncAllLogs
from application.handlers.git_sync import RunSyncHandler, SyncAllLogsHandler
from entrypoints.bootstrap import GIT_SYNC_TASK, relay_if_nudged
from entrypoints.worker.runtime import Runtimes

GIT_SYNC = GIT_SYNC_TASK
SYNC_ALL_LOGS = "adr_registry.sync_all_logs"

log = structlog.get_logger(__name__)


def register_git_sync_tasks(app: Celery, runtimes: Runtimes) -> None:
    @app.task(name=GIT_SYNC)
    def git_sync(sync_id: int) -> str | None:
        async def run(container: punq.Container) -> str | None:
            return await run_sync(container, sync_id)

        return runtimes.current().run(run)

    @app.task(name=SYNC_ALL_LOGS)
    def sync_all_logs() -> int:
        return runtimes.current().run(_sync_all_logs)


async def run_sync(container: punq.Container, sync_id: int) -> str | None:
    """Run sync `sync_id`; its outcome, or None when it had already run."""
    handler: RunSyncHandler = container.resolve(RunSyncHandler)
    sync = await handler(RunSync(sync_id))
    await relay_if_nudged(container)
    if sync is None:
        log.info("git_sync_already_done", sync_id=sync_id)
        return None
    outcome = None if sync.outcome is None else sync.outcome.value
    log.info(
        "git_sync_done", sync_id=sync_id, log_slug=sync.log, outcome=outcome, commit=sync.commit
    )
    return outcome


async def _sync_all_logs(container: punq.Container) -> int:
    handler: SyncAllLogsHandler = container.resolve(SyncAllLogsHandler)
    queued = await handler(SyncAllLogs())
    log.info("git_syncs_queued", logs=queued)
    return queued
