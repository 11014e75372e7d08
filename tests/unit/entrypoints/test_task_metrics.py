"""Celery task counts and durations, by task name and final state."""

from __future__ import annotations

from celery import Celery
from prometheus_client import REGISTRY

from entrypoints.worker.task_metrics import count_tasks


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_each_task_run_is_counted_by_state_and_timed() -> None:
    app = Celery("metrics-test", set_as_current=False)
    app.conf.task_always_eager = True

    @app.task(name="test.metrics.ok")
    def ok() -> int:
        return 1

    @app.task(name="test.metrics.fails")
    def fails() -> None:
        raise RuntimeError("boom")

    count_tasks()
    count_tasks()  # connected once, however often called
    before_ok = sample("adr_registry_celery_tasks_total", task="test.metrics.ok", state="SUCCESS")
    before_timed = sample("adr_registry_celery_task_duration_seconds_count", task="test.metrics.ok")
    ok.delay()
    ok.delay()
    fails.apply()
    assert (
        sample("adr_registry_celery_tasks_total", task="test.metrics.ok", state="SUCCESS")
        == before_ok + 2
    )
    assert (
        sample("adr_registry_celery_tasks_total", task="test.metrics.fails", state="FAILURE") >= 1
    )
    assert (
        sample("adr_registry_celery_task_duration_seconds_count", task="test.metrics.ok")
        == before_timed + 2
    )
