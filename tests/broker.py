"""RabbitMQ for the tests: whether it answers, a queue of one's own, and stopping it.

Every test that uses RabbitMQ gets queue names of its own (`fresh_queue`), so tests of
other branches running at the same time on this machine's broker never see its
messages, and deletes them afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from kombu import Connection

from tests.services import unavailable

RABBITMQ_URL_VARIABLE = "ADR_REGISTRY_TEST_BROKER_URL"
DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


def rabbitmq_url() -> str:
    return os.environ.get(RABBITMQ_URL_VARIABLE, DEFAULT_RABBITMQ_URL)


@cache
def _rabbitmq_error(url: str) -> str | None:
    try:
        with Connection(url, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def rabbitmq_url_or_skip() -> str:
    url = rabbitmq_url()
    error = _rabbitmq_error(url)
    if error is not None:
        unavailable(f"RabbitMQ not reachable at {url}: {error}")
    return url


def fresh_queue() -> str:
    return f"adr-test-{uuid.uuid4().hex[:12]}"


def delete_queues(url: str, *names: str) -> None:
    with Connection(url, connect_timeout=5) as connection:
        channel = connection.channel()
        for name in names:
            channel.queue_delete(name)
            channel.exchange_delete(name)


def drain(url: str, queue: str, *, expect: int, timeout: float) -> list[dict[str, Any]]:
    """Take (and ack) messages from `queue` until `expect` came or `timeout` passed;
    returns each message's headers (Celery's task id is `id`) and body. Declares nothing:
    the queue's arguments are the app's business."""
    taken: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    with Connection(url, connect_timeout=5) as connection:
        channel = connection.channel()
        while len(taken) < expect and time.monotonic() < deadline:
            message = channel.basic_get(queue=queue, no_ack=False)
            if message is None:
                time.sleep(0.1)
                continue
            taken.append({"headers": message.headers, "body": message.body})
            channel.basic_ack(message.delivery_tag)
    return taken


def port_answers(host: str = "127.0.0.1", port: int = 5672) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def rabbitmq_stopped() -> Iterator[None]:
    """Stop this machine's RabbitMQ application inside, and always start it again."""
    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=120)
    try:
        yield
    finally:
        subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=180)
        deadline = time.monotonic() + 60
        while not port_answers() and time.monotonic() < deadline:
            time.sleep(0.5)
