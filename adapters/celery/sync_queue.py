"""Hands a queued git sync to a worker, as one task message carrying its id."""

from __future__ import annotations

import asyncio

from celery import Celery

from application.ports import SyncQueue

# The worker task that runs a sync (entrypoints/worker/git_sync_tasks.py).
GIT_SYNC_TASK = "adr_registry.git_sync"


class CelerySyncQueue(SyncQueue):
    def __init__(self, app: Celery) -> None:
        self._app = app

    async def enqueue(self, sync_id: int) -> None:
        # kombu is synchronous: off the event loop.
        await asyncio.to_thread(self._app.send_task, GIT_SYNC_TASK, args=[sync_id])
