"""The candidates for the embedded broker (ADR-0014), measured with a raw kombu client.

    uv run python benchmarks/embedded_broker.py [--messages 2000] [--latency 200]
                                               [--rabbitmq amqp://guest:guest@127.0.0.1:5672//]

For each candidate: publish rate, drain rate (a consumer acking one message at a time,
prefetch 1, as a Celery worker with acks_late does), the latency from publish to a
waiting consumer in another process, and whether a message that a consumer took but
did not ack survives that consumer's SIGKILL. RabbitMQ is measured alongside as the
reference. Everything lives in a temporary folder and on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kombu import Connection, Consumer, Exchange, Message, Producer, Queue
from kombu.transport import TRANSPORT_ALIASES

POLL_SECONDS = 0.1
TRANSPORT_ALIASES["adr-embedded"] = "adapters.celery.embedded_transport:Transport"


@dataclass(frozen=True)
class Candidate:
    name: str
    url: str
    options: dict[str, Any]


def candidates(folder: Path, rabbitmq: str | None) -> list[Candidate]:
    messages, ours = folder / "filesystem", folder / "ours"
    messages.mkdir()
    ours.mkdir()
    found = [
        Candidate(
            "kombu filesystem",
            "filesystem://",
            {
                "data_folder_in": str(messages),
                "data_folder_out": str(messages),
                "control_folder": str(folder / "control"),
                "polling_interval": POLL_SECONDS,
            },
        ),
        Candidate(
            "kombu filesystem, atomic writes (our embedded broker)",
            "adr-embedded://localhost/",
            {
                "data_folder_in": str(ours),
                "data_folder_out": str(ours),
                "control_folder": str(folder / "control-ours"),
                "polling_interval": POLL_SECONDS,
            },
        ),
        Candidate(
            "kombu sqlalchemy on SQLite",
            f"sqla+sqlite:///{folder / 'broker.db'}",
            # Its options all go to create_engine: the poll stays at kombu's 1 s.
            {},
        ),
    ]
    if rabbitmq:
        found.append(Candidate("RabbitMQ (reference)", rabbitmq, {"confirm_publish": True}))
    return found


def connect(candidate: Candidate) -> Connection:
    return Connection(candidate.url, transport_options=candidate.options)


def queue_for(run: str) -> Queue:
    return Queue(f"bench-{run}", Exchange(f"bench-{run}", type="direct"), routing_key="bench")


def publish(candidate: Candidate, queue: Queue, count: int) -> float:
    with connect(candidate) as connection:
        producer = Producer(connection.channel(), exchange=queue.exchange, routing_key="bench")
        queue.declare(channel=producer.channel)
        start = time.perf_counter()
        for n in range(count):
            producer.publish({"n": n, "sent": time.time()}, delivery_mode=2)
        return time.perf_counter() - start


def drain(candidate: Candidate, queue: Queue, count: int) -> float:
    received = 0

    def on_message(_body: Any, message: Message) -> None:
        nonlocal received
        message.ack()
        received += 1

    with connect(candidate) as connection:
        channel = connection.channel()
        channel.basic_qos(0, 1, False)
        with Consumer(channel, [queue], callbacks=[on_message]):
            start = time.perf_counter()
            deadline = start + 300
            while received < count and time.perf_counter() < deadline:
                connection.drain_events(timeout=5)
            return time.perf_counter() - start


def _latency_consumer(candidate: Candidate, queue: Queue, count: int, out: Any) -> None:
    delays: list[float] = []

    def on_message(body: Any, message: Message) -> None:
        delays.append(time.time() - body["sent"])
        message.ack()

    with connect(candidate) as connection:
        channel = connection.channel()
        channel.basic_qos(0, 1, False)
        with Consumer(channel, [queue], callbacks=[on_message]):
            out.put("ready")
            deadline = time.monotonic() + 120
            while len(delays) < count and time.monotonic() < deadline:
                try:
                    connection.drain_events(timeout=1)
                except TimeoutError:
                    continue
    out.put(delays)


def latency(candidate: Candidate, queue: Queue, count: int) -> list[float]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    consumer = context.Process(target=_latency_consumer, args=(candidate, queue, count, out))
    consumer.start()
    out.get(timeout=60)
    with connect(candidate) as connection:
        producer = Producer(connection.channel(), exchange=queue.exchange, routing_key="bench")
        # A virtual transport may keep bindings in the process: declare them here too.
        queue.declare(channel=producer.channel)
        for _ in range(count):
            producer.publish({"sent": time.time()}, delivery_mode=2)
            time.sleep(0.02)  # one at a time: the consumer waits for each
    delays: list[float] = out.get(timeout=180)
    consumer.join(timeout=30)
    return delays


def _take_and_hang(candidate: Candidate, queue: Queue, out: Any) -> None:
    def on_message(_body: Any, _message: Message) -> None:
        out.put("taken")
        time.sleep(3600)  # never acks: killed here

    with connect(candidate) as connection:
        channel = connection.channel()
        channel.basic_qos(0, 1, False)
        with Consumer(channel, [queue], callbacks=[on_message]):
            while True:
                connection.drain_events(timeout=30)


def survives_kill(candidate: Candidate, queue: Queue) -> bool:
    """Does a message taken but not acked come back after its consumer is SIGKILLed?"""
    publish(candidate, queue, 1)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    consumer = context.Process(target=_take_and_hang, args=(candidate, queue, out))
    consumer.start()
    out.get(timeout=60)
    os.kill(consumer.pid or 0, signal.SIGKILL)
    consumer.join()
    time.sleep(1)  # RabbitMQ requeues when it sees the connection drop
    with connect(candidate) as connection:
        channel = connection.channel()
        for _ in range(30):
            message = queue(channel).get(no_ack=True)
            if message is not None:
                return True
            time.sleep(0.1)
    return False


def purge(candidate: Candidate, queue: Queue) -> None:
    with connect(candidate) as connection:
        bound = queue(connection.channel())
        bound.purge()
        if candidate.url.startswith("amqp"):
            bound.delete()


def measure(candidate: Candidate, messages: int, samples: int) -> dict[str, str]:
    run = uuid.uuid4().hex[:8]
    queue = queue_for(run)
    figures: dict[str, str] = {}
    step: Callable[..., Any]
    try:
        seconds = publish(candidate, queue, messages)
        figures["publish/s"] = f"{messages / seconds:,.0f}"
        step = drain
        seconds = step(candidate, queue, messages)
        figures["drain/s"] = f"{messages / seconds:,.0f}"
        delays = sorted(latency(candidate, queue, samples))
        figures["latency p50 ms"] = f"{statistics.median(delays) * 1000:.1f}"
        figures["latency p99 ms"] = f"{delays[int(len(delays) * 0.99) - 1] * 1000:.1f}"
        figures["unacked survives SIGKILL"] = "yes" if survives_kill(candidate, queue) else "no"
    finally:
        purge(candidate, queue)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--latency", type=int, default=200, help="latency samples")
    parser.add_argument("--rabbitmq", default="amqp://guest:guest@127.0.0.1:5672//")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adr-broker-bench-") as folder:
        for candidate in candidates(Path(folder), args.rabbitmq or None):
            figures = measure(candidate, args.messages, args.latency)
            shown = ", ".join(f"{key} {value}" for key, value in figures.items())
            print(f"{candidate.name}: {shown}", flush=True)


if __name__ == "__main__":
    main()
