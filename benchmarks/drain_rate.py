"""Drain rate of no-op tasks: our Celery worker against a raw kombu consumer, both on the
same RabbitMQ queue (a quorum queue, acks after the work, prefetch 1 per process).

    uv run python benchmarks/drain_rate.py [--tasks 5000] [--concurrency 2]
                                             [--broker amqp://guest:guest@127.0.0.1:5672//]

The raw consumer is one process acking each message as it comes; the worker is
`adr-registry worker` with the production settings. Each drains a queue filled with
the same task messages beforehand. Aim: the worker drains at least half as fast.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from kombu import Connection, Consumer, Message

from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery, task_queue


def fill(settings: Settings, tasks: int) -> None:
    app = create_celery(settings)
    with app.producer_or_acquire() as producer:
        for n in range(tasks):
            app.send_task("bench.noop", args=[n], producer=producer)
    app.close()


def waiting(settings: Settings) -> int:
    with Connection(settings.broker_url) as connection:
        _, count, _ = connection.channel().queue_declare(settings.queue, passive=True)
        return int(count)


def raw_drain(settings: Settings, tasks: int) -> float:
    received = 0

    def on_message(_body: Any, message: Message) -> None:
        nonlocal received
        message.ack()
        received += 1

    with Connection(settings.broker_url) as connection:
        channel = connection.channel()
        channel.basic_qos(0, 1, False)
        with Consumer(channel, [task_queue(settings)], callbacks=[on_message]):
            start = time.perf_counter()
            while received < tasks:
                connection.drain_events(timeout=30)
            return time.perf_counter() - start


def worker_drain(settings: Settings, tasks: int, concurrency: int) -> float:
    heartbeat = settings.heartbeat_path
    heartbeat.unlink(missing_ok=True)
    here = Path(__file__).parent
    env = {
        **os.environ,
        "PYTHONPATH": f"{here}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "ADR_REGISTRY_DATA_DIR": str(settings.data_dir),
        "ADR_REGISTRY_BROKER_URL": settings.broker_url,
        "ADR_REGISTRY_QUEUE": settings.queue,
        "ADR_REGISTRY_LOG_FORMAT": "json",
    }
    command = [str(Path(sys.executable).parent / "adr-registry"), "worker"]
    command += ["--concurrency", str(concurrency), "--include", "noop_tasks"]
    log = settings.data_dir / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        while not heartbeat.exists():
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited:\n{log.read_text()[-2000:]}")
            time.sleep(0.01)
        start = time.perf_counter()
        while waiting(settings):
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adr-drain-bench-") as folder:
        settings = Settings(
            data_dir=Path(folder), broker_url=args.broker, queue=f"bench-{uuid.uuid4().hex[:8]}"
        )
        try:
            fill(settings, args.tasks)
            raw = args.tasks / raw_drain(settings, args.tasks)
            print(f"raw kombu consumer (1 process, prefetch 1): {raw:,.0f} messages/s", flush=True)
            fill(settings, args.tasks)
            celery = args.tasks / worker_drain(settings, args.tasks, args.concurrency)
            print(
                f"adr-registry worker ({args.concurrency} processes): {celery:,.0f} tasks/s, "
                f"{celery / raw:.2f} of the raw consumer",
                flush=True,
            )
        finally:
            with Connection(settings.broker_url) as connection:
                channel = connection.channel()
                for name in (settings.queue, f"{settings.queue}.dead"):
                    channel.queue_delete(name)
                    channel.exchange_delete(name)


if __name__ == "__main__":
    main()
