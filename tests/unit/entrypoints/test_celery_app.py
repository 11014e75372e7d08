"""The Celery settings that make a task survive a crash, and the beat's one schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from application.outbound_messages import FAN_OUT_TASK
from entrypoints.settings import Settings
from entrypoints.worker.app import beat_schedule, create_worker_app, is_alive
from entrypoints.worker.celery_app import DelayTooLong, create_celery
from entrypoints.worker.webhook_tasks import DELIVER_WEBHOOK

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def test_a_task_is_acked_only_after_it_ran_and_requeued_when_its_process_dies(
    tmp_path: Path,
) -> None:
    conf = create_celery(Settings(data_dir=tmp_path, broker_url=RABBITMQ)).conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_connection_retry_on_startup is True
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.broker_transport_options == {"confirm_publish": True}
    assert conf.task_ignore_result is True


def test_on_rabbitmq_the_queue_is_a_quorum_queue_that_dead_letters_after_the_limit(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, broker_url=RABBITMQ, queue="jobs", delivery_limit=3)
    (queue,) = create_celery(settings).conf.task_queues
    assert queue.name == "jobs"
    assert queue.queue_arguments == {
        "x-queue-type": "quorum",
        "x-delivery-limit": 3,
        "x-dead-letter-exchange": "jobs.dead",
        "x-dead-letter-routing-key": "jobs.dead",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def test_without_a_broker_url_the_embedded_broker_keeps_messages_in_the_data_folder(
    tmp_path: Path,
) -> None:
    app = create_celery(Settings(data_dir=tmp_path))
    with app.connection_for_write() as connection:
        queue = connection.SimpleQueue("probe")
        queue.put({"hello": "world"})
        message = queue.get(timeout=5)
        message.ack()
        queue.close()
    assert message.payload == {"hello": "world"}
    assert (tmp_path / "broker" / "messages").is_dir()


def test_the_beat_runs_each_job_at_the_period_its_setting_names(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        outbox_relay_every_seconds=2,
        review_sweep_every_seconds=60,
        stale_proposals_every_seconds=600,
        webhook_retry_sweep_every_seconds=15,
        git_sync_every_seconds=120,
    )
    schedule = beat_schedule(settings)
    assert {name: job["schedule"] for name, job in schedule.items()} == {
        "outbox-relay": 2,
        "review-sweep": 60,
        "stale-proposals": 600,
        "webhook-retry-sweep": 15,
        "git-sync": 120,
    }
    # A tick not taken within its period is dropped, not piled up behind a dead worker.
    assert all(job["options"]["expires"] == job["schedule"] for job in schedule.values())
    registered = create_worker_app(settings).tasks
    assert {job["task"] for job in schedule.values()} <= set(registered)


def test_a_worker_is_alive_while_its_heartbeat_file_is_fresh(tmp_path: Path) -> None:
    heartbeat = tmp_path / "worker-heartbeat"
    assert not is_alive(heartbeat, max_age=30)
    heartbeat.touch()
    assert is_alive(heartbeat, max_age=30)
    assert not is_alive(heartbeat, max_age=-1)


def test_no_task_is_sent_with_a_countdown_or_eta_over_a_minute(tmp_path: Path) -> None:
    app = create_celery(Settings(data_dir=tmp_path))
    app.send_task("adr_registry.relay_outbox", countdown=30)
    with pytest.raises(DelayTooLong, match="60 s"):
        app.send_task("adr_registry.relay_outbox", countdown=120)
    with pytest.raises(DelayTooLong):
        app.send_task("adr_registry.relay_outbox", eta=datetime.now(UTC) + timedelta(hours=1))


def test_the_worker_takes_the_task_each_relayed_event_becomes(tmp_path: Path) -> None:
    registered = create_worker_app(Settings(data_dir=tmp_path)).tasks
    assert FAN_OUT_TASK in registered
    assert DELIVER_WEBHOOK in registered
