"""Celery task counts and durations, by task name and final state (ADR-0016)."""

from __future__ import annotations

import time
from typing import Any

from celery import Task
from celery.signals import task_postrun, task_prerun

from entrypoints.metrics import task_metrics


def count_tasks() -> None:
    """Count every task this process runs (connected once, however often called)."""
    started: dict[str, float] = {}

    def start(task_id: str, **_: Any) -> None:
        started[task_id] = time.perf_counter()

    def finish(task_id: str, task: Task, state: str | None = None, **_: Any) -> None:
        began = started.pop(task_id, None)
        metrics = task_metrics()
        metrics.finished.labels(task.name, state or "UNKNOWN").inc()
        if began is not None:
            metrics.duration.labels(task.name).observe(time.perf_counter() - began)

    # weak=False: the receivers are closures that nothing else keeps alive.
    task_prerun.connect(start, weak=False, dispatch_uid="adr_registry_task_metrics_start")
    task_postrun.connect(finish, weak=False, dispatch_uid="adr_registry_task_metrics_finish")
