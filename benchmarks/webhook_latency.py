"""Event to webhook received: p50 and p99 of the time from a decision's proposal (the
event's own timestamp, taken in the transaction that stores it) to its webhook reaching
a receiver on 127.0.0.1, while writes go through the API at a steady rate. Once on
PostgreSQL with RabbitMQ, once on the embedded defaults (SQLite and the file broker).

    uv run python benchmarks/webhook_latency.py [--rate 200] [--seconds 10]
        [--only postgres|embedded] [--workers 2]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
        [--broker amqp://guest:guest@127.0.0.1:5672//]

One API process (`adr-registry serve`, its outbox relay nudged by each commit) and one
worker (`adr-registry worker`) run as in production; this process sends the writes
(one POST every 1/rate s, whatever the replies take) and is the receiver. Everything
shares the machine's cores, so read the figures with the load printed beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
from kombu import Connection
from scale_out import COMMAND, api_processes, database, environment

# How long the webhooks of the last writes may take before they count as missing.
STRAGGLERS_SECONDS = 30.0


class Receiver:
    """Answers 204 to every POST and notes when each decision's webhook arrived, and the
    latency from the event's timestamp (the same machine's clock)."""

    def __init__(self) -> None:
        self.latencies: dict[int, float] = {}
        self.duplicates = 0
        self.port = 0

    async def start(self) -> asyncio.Server:
        server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = json.loads(await reader.readexactly(length))
                arrived = time.time()
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
                number = int(body["data"]["decision"]["number"])
                if number in self.latencies:
                    self.duplicates += 1
                    continue
                occurred = datetime.fromisoformat(body["timestamp"]).timestamp()
                self.latencies[number] = arrived - occurred
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            # The client went away, or the benchmark is over and its loop closes.
            writer.close()


@contextmanager
def worker(env: dict[str, str], data: Path, concurrency: int, log: Path) -> Iterator[None]:
    heartbeat = data / "worker-heartbeat"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [COMMAND, "worker", "--concurrency", str(concurrency)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while not heartbeat.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start: see {log}")
            time.sleep(0.1)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


async def _write(client: httpx.AsyncClient, n: int, failures: list[str]) -> None:
    try:
        reply = await client.post("/v1/logs/bench/decisions", json={"title": f"Decision {n}"})
        if reply.status_code != 201:
            failures.append(f"{reply.status_code} {reply.text[:200]}")
    except httpx.HTTPError as error:
        failures.append(f"{type(error).__name__}: {error}")


async def measure(port: int, token: str, rate: float, seconds: float) -> None:
    receiver = Receiver()
    server = await receiver.start()
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers=headers, limits=limits, timeout=30
    ) as client:
        (await client.post("/v1/logs", json={"slug": "bench", "title": "Bench"})).raise_for_status()
        subscription = {
            "url": f"http://127.0.0.1:{receiver.port}/hook",
            "events": ["decision.proposed"],
        }
        (await client.post("/v1/logs/bench/webhooks", json=subscription)).raise_for_status()
        # Open loop: a write every 1/rate s, however long the replies take.
        failures: list[str] = []
        writes = int(rate * seconds)
        start = time.monotonic()
        tasks = []
        for n in range(writes):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            tasks.append(asyncio.create_task(_write(client, n, failures)))
        await asyncio.gather(*tasks)
        took = time.monotonic() - start
    expected = writes - len(failures)
    deadline = time.monotonic() + STRAGGLERS_SECONDS
    while time.monotonic() < deadline and len(receiver.latencies) < expected:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    server.close()
    latencies = sorted(receiver.latencies.values())
    print(
        f"  {writes} writes in {took:.1f} s ({writes / took:.0f}/s), {len(failures)} failed"
        + (f" (first: {failures[0]})" if failures else ""),
        flush=True,
    )
    if not latencies:
        print("  no webhook arrived", flush=True)
        return
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"  webhooks received: {len(latencies)} (+{receiver.duplicates} duplicates); "
        f"event to webhook p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms",
        flush=True,
    )


def run(
    name: str, args: argparse.Namespace, database_url: str, broker: str, queue: str, data: Path
) -> None:
    log = data / "processes.log"
    env = environment(data, database_url, broker, queue)
    if not database_url:
        # The embedded defaults: no URL at all, so the data folder holds both.
        env = {
            k: v
            for k, v in env.items()
            if k not in ("ADR_REGISTRY_DATABASE_URL", "ADR_REGISTRY_BROKER_URL")
        }
    subprocess.run([COMMAND, "migrate"], env=env, check=True, capture_output=True)
    token = subprocess.run(
        [COMMAND, "users", "create", "bench", "--admin"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"{name} (load {os.getloadavg()[0]:.2f} before):", flush=True)
    with worker(env, data, args.workers, log), api_processes(1, env, log) as (ports, _):
        asyncio.run(measure(ports[0], token, args.rate, args.seconds))
    print(f"  load after: {os.getloadavg()[0]:.2f} (1 min); logs in {log}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="writes per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--only", choices=["postgres", "embedded"])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}", flush=True)
    if args.only in (None, "postgres"):
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        with (
            tempfile.TemporaryDirectory(prefix="adr-latency-") as folder,
            database(args.postgres) as database_url,
        ):
            try:
                run("PostgreSQL + RabbitMQ", args, database_url, args.broker, queue, Path(folder))
            finally:
                with Connection(args.broker) as connection:
                    channel = connection.channel()
                    for name in (queue, f"{queue}.dead"):
                        channel.queue_delete(name)
                        channel.exchange_delete(name)
    if args.only in (None, "embedded"):
        with tempfile.TemporaryDirectory(prefix="adr-latency-") as folder:
            run("embedded (SQLite + file broker)", args, "", "", "adr-registry", Path(folder))


if __name__ == "__main__":
    main()
