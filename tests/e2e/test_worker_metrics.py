"""The worker's /metrics: tasks run in its pool's processes, counted in one scrape."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery
from tests.e2e.test_metrics_processes import free_port
from tests.e2e.workers import Worker

TASKS = 6


def finished(metrics: str, task: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "adr_registry_celery_tasks_total"
        and sample.labels == {"task": task, "state": "SUCCESS"}
    )


def test_tasks_run_in_two_pool_processes_are_summed_in_one_scrape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    monkeypatch.setenv("ADR_REGISTRY_WORKER_METRICS_PORT", str(port))
    # The embedded broker: this test is about the worker's processes, not RabbitMQ.
    settings = Settings(data_dir=tmp_path, broker_url="")
    worker = Worker.start(settings, concurrency=2)
    try:
        app = create_celery(settings)
        for n in range(TASKS):
            app.send_task("tests.record", args=[n, str(tmp_path), 0.2])
        app.close()
        done = tmp_path / "done"
        deadline = time.monotonic() + 90
        while not done.exists() or len(done.read_text().split()) < TASKS:
            assert time.monotonic() < deadline, "the tasks did not run"
            time.sleep(0.1)
        assert len(worker.children()) == 2
        metrics = ""
        while finished(metrics, "tests.record") < TASKS:
            assert time.monotonic() < deadline, metrics
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            time.sleep(0.1)
        assert finished(metrics, "tests.record") == TASKS
        assert "adr_registry_celery_task_duration_seconds_bucket" in metrics
    finally:
        worker.stop()


def test_a_metrics_port_without_a_multiprocess_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("ADR_REGISTRY_WORKER_METRICS_PORT", "9100")
    settings = Settings(data_dir=tmp_path, broker_url="")
    with pytest.raises(AssertionError, match="PROMETHEUS_MULTIPROC_DIR"):
        Worker.start(settings)
