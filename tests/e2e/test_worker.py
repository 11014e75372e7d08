"""A real worker on real RabbitMQ (R2): killing pool processes loses nothing, and a
message that kills its process every time is dead-lettered after the delivery limit
instead of looping for ever."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery
from tests.broker import delete_queues, drain, fresh_queue, rabbitmq_url_or_skip
from tests.e2e.workers import Worker

DELIVERY_LIMIT = 2


@pytest.fixture
def broker_settings(tmp_path: Path) -> Iterator[Settings]:
    broker = rabbitmq_url_or_skip()
    settings = Settings(
        data_dir=tmp_path, broker_url=broker, queue=fresh_queue(), delivery_limit=DELIVERY_LIMIT
    )
    yield settings
    delete_queues(broker, settings.queue, f"{settings.queue}.dead")


@pytest.fixture
def worker(broker_settings: Settings) -> Iterator[Worker]:
    worker = Worker.start(broker_settings)
    yield worker
    worker.stop()


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_killing_pool_processes_mid_task_loses_no_task(
    broker_settings: Settings, worker: Worker, tmp_path: Path
) -> None:
    app = create_celery(broker_settings)
    tasks = 40
    for n in range(tasks):
        app.send_task("tests.record", args=[n, str(tmp_path), 0.1])
    done = tmp_path / "done"
    _wait_for(lambda: len(_lines(done)) >= 5, 60, "the first tasks")
    killed = 0
    for _ in range(2):
        for child in worker.children():
            os.kill(child, signal.SIGKILL)
            killed += 1
        time.sleep(1.0)
    assert killed >= 2

    _wait_for(lambda: len(set(_lines(done))) == tasks, 90, "every task")
    assert sorted(set(map(int, _lines(done)))) == list(range(tasks))
    app.close()
    # Each task's log lines carry its id (bound into structlog's context).
    lines = [json.loads(line) for line in worker.log.read_text().splitlines() if line[:1] == "{"]
    assert any(line.get("task") == "tests.record" and line.get("task_id") for line in lines)


def test_a_poison_message_is_dead_lettered_after_the_delivery_limit(
    broker_settings: Settings, worker: Worker, tmp_path: Path
) -> None:
    app = create_celery(broker_settings)
    app.send_task("tests.kill_own_process", args=[str(tmp_path)])
    dead = drain(broker_settings.broker_url, f"{broker_settings.queue}.dead", expect=1, timeout=90)
    assert len(dead) == 1
    assert dead[0]["headers"]["task"] == "tests.kill_own_process"
    # Delivered once, then redelivered up to the limit: never again after.
    assert len(_lines(tmp_path / "poison")) == DELIVERY_LIMIT + 1

    # The queue is not blocked: the next task runs.
    app.send_task("tests.record", args=[7, str(tmp_path), 0])
    _wait_for(lambda: _lines(tmp_path / "done") == ["7"], 60, "the task after the poison")
    time.sleep(1)
    assert len(_lines(tmp_path / "poison")) == DELIVERY_LIMIT + 1
    app.close()
