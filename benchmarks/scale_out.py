"""Scale-out on one machine: 1 then 2 API processes serving GETs, and 1 then 2 worker
processes draining webhook deliveries to a local receiver, against one PostgreSQL and
one RabbitMQ. Prints the throughputs and the ratios (issue #10 aims at 2 >= 1.8 x 1).

    uv run python benchmarks/scale_out.py [--seconds 10] [--deliveries 2000]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
        [--broker amqp://guest:guest@127.0.0.1:5672//]

The load generator (one process, raw keep-alive HTTP/1.1 over asyncio, the connections
spread over the API processes as a load balancer would) and the webhook receiver run on
the same machine, and so do PostgreSQL and RabbitMQ: on 2 cores the second process has
no core of its own, so read the ratios with `uptime` beside them. So it also prints
the work done per CPU second of the API (or worker) processes themselves: when that
holds from 1 process to 2, the second process adds what it is given a core for, and
nothing shared (a lock, a hot row) makes each process slower. Nothing is kept in
one process that another needs (ADR-0017): either API process serves any request, and
any worker takes any delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from kombu import Connection

from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery

COMMAND = str(Path(sys.executable).parent / "adr-registry")
DECISIONS = 20


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(groups: list[int]) -> float:
    """CPU time (user + system) of every process in these process groups, children too."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) in groups:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the database, the queue, the environment -------------------------------------------


def asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_url(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def database(server: str) -> Iterator[str]:
    name = f"adr_scale_{uuid.uuid4().hex[:10]}"
    asyncio.run(_execute(server, f'CREATE DATABASE "{name}"'))
    try:
        yield (
            server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name
        )
    finally:
        asyncio.run(_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def environment(data_dir: Path, database_url: str, broker: str, queue: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": f"{Path(__file__).parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "ADR_REGISTRY_DATA_DIR": str(data_dir),
        "ADR_REGISTRY_DATABASE_URL": database_url,
        "ADR_REGISTRY_BROKER_URL": broker,
        "ADR_REGISTRY_QUEUE": queue,
        "ADR_REGISTRY_LOG_FORMAT": "json",
        "ADR_REGISTRY_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
        "ADR_REGISTRY_CURSOR_KEY": "scale-out-benchmark",
        # One token sends far more than a client would: measure the work, not the limit.
        "ADR_REGISTRY_RATE_LIMIT_ENABLED": "false",
    }


# -- API processes and the load on them ---------------------------------------------------


@contextmanager
def api_processes(
    count: int, env: dict[str, str], log: Path
) -> Iterator[tuple[list[int], list[int]]]:
    """`count` API processes; yields their ports and process groups."""
    ports = [free_port() for _ in range(count)]
    with log.open("ab") as out:
        processes = [
            subprocess.Popen(
                [COMMAND, "serve", "--no-migrate", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for port in ports
        ]
    try:
        for port, process in zip(ports, processes, strict=True):
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"an API process did not start: see {log}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
        yield ports, [p.pid for p in processes]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


async def _client(port: int, token: str, stop_at: float, paths: list[str]) -> int:
    """One keep-alive connection sending GETs one after another; returns the 200s."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    try:
        while time.monotonic() < stop_at:
            path = paths[done % len(paths)]
            request = f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}"
            writer.write(f"{request}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"GET {path}: {head.splitlines()[0]!r}")
            done += 1
    finally:
        writer.close()
    return done


async def _load(
    ports: list[int], groups: list[int], token: str, seconds: float, connections: int
) -> tuple[float, float]:
    """GETs per second, and per CPU second of the API processes."""
    paths = [f"/v1/logs/bench/decisions/{n}" for n in range(1, DECISIONS + 1)]
    # Warm each process (its first requests build caches, connections), then measure.
    warm = time.monotonic() + 1.0
    await asyncio.gather(*(_client(port, token, warm, paths) for port in ports))
    stop_at = time.monotonic() + seconds
    started, cpu = time.monotonic(), cpu_seconds(groups)
    counts = await asyncio.gather(
        *(_client(ports[i % len(ports)], token, stop_at, paths) for i in range(connections))
    )
    elapsed, cpu = time.monotonic() - started, cpu_seconds(groups) - cpu
    return sum(counts) / elapsed, sum(counts) / cpu


def seed(port: int, token: str, receiver: int) -> int:
    """A log with decisions to GET, and a webhook subscription to the receiver."""
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}/v1/logs"
    with httpx.Client(headers=headers) as client:
        client.post(base, json={"slug": "bench", "title": "Bench"}).raise_for_status()
        for n in range(DECISIONS):
            client.post(
                f"{base}/bench/decisions", json={"title": f"Decision {n}"}
            ).raise_for_status()
        subscription = client.post(
            f"{base}/bench/webhooks",
            json={"url": f"http://127.0.0.1:{receiver}/hook", "events": ["*"]},
        )
        subscription.raise_for_status()
        return int(subscription.json()["id"])


# -- the webhook receiver and the workers ---------------------------------------------------


def _receive(port: int) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


async def _add_deliveries(url: str, subscription: int, count: int) -> None:
    connection = await asyncpg.connect(asyncpg_url(url))
    now = datetime.now(UTC)
    try:
        await connection.executemany(
            "INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, body, "
            "state, attempts, next_attempt_at, created_at) "
            "VALUES ($1, $2, 'decision.proposed', '{}', 'pending', 0, $3, $3)",
            [(subscription, f"bench-{uuid.uuid4().hex}", now) for _ in range(count)],
        )
    finally:
        await connection.close()


async def _delivery_ids(url: str) -> tuple[list[int], int]:
    connection = await asyncpg.connect(asyncpg_url(url))
    try:
        pending = [
            r[0]
            for r in await connection.fetch(
                "SELECT id FROM webhook_deliveries WHERE state = 'pending' ORDER BY id"
            )
        ]
        delivered = await connection.fetchval(
            "SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'"
        )
        return pending, int(delivered)
    finally:
        await connection.close()


def drain(count: int, env: dict[str, str], settings: Settings, log: Path) -> tuple[float, float]:
    """Queue a task for each pending delivery, start `count` worker processes, and time
    them until every delivery is delivered: deliveries per second, and per CPU second
    of the workers."""
    pending, before = asyncio.run(_delivery_ids(settings.database_url))
    total = before + len(pending)
    app = create_celery(settings)
    with app.producer_or_acquire() as producer:
        for delivery_id in pending:
            app.send_task("bench.deliver_webhook", args=[delivery_id], producer=producer)
    app.close()
    workers = []
    heartbeats = []
    with log.open("ab") as out:
        for n in range(count):
            heartbeat = settings.data_dir / f"worker-{n}-heartbeat"
            heartbeat.unlink(missing_ok=True)
            heartbeats.append(heartbeat)
            workers.append(
                subprocess.Popen(
                    [COMMAND, "worker", "--concurrency", "1", "--include", "webhook_drain_tasks"],
                    env={**env, "ADR_REGISTRY_WORKER_HEARTBEAT_FILE": str(heartbeat)},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    try:
        while not all(h.exists() for h in heartbeats):
            if any(w.poll() is not None for w in workers):
                raise SystemExit(f"a worker exited: see {log}")
            time.sleep(0.01)
        groups = [w.pid for w in workers]
        started, cpu = time.perf_counter(), cpu_seconds(groups)
        while asyncio.run(_delivery_ids(settings.database_url))[1] < total:
            time.sleep(0.05)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds(groups) - cpu
        return len(pending) / elapsed, len(pending) / cpu
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)


def report(what: str, figures: list[tuple[float, float]]) -> None:
    (one, one_per_cpu), (two, two_per_cpu) = figures
    print(
        f"{what} ratio, 2 processes / 1: {two / one:.2f} in throughput, "
        f"{two_per_cpu / one_per_cpu:.2f} in work per CPU second",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min); cores: {os.cpu_count()}", flush=True)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    receiver_port = free_port()
    receiver = multiprocessing.Process(target=_receive, args=(receiver_port,), daemon=True)
    receiver.start()
    with (
        tempfile.TemporaryDirectory(prefix="adr-scale-") as folder,
        database(args.postgres) as database_url,
    ):
        data = Path(folder)
        log = data / "processes.log"
        env = environment(data, database_url, args.broker, queue)
        settings = Settings(
            data_dir=data, database_url=database_url, broker_url=args.broker, queue=queue
        )
        subprocess.run([COMMAND, "migrate"], env=env, check=True, capture_output=True)
        token = subprocess.run(
            [COMMAND, "users", "create", "bench", "--admin"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        try:
            api = []
            for count in (1, 2):
                with api_processes(count, env, log) as (ports, groups):
                    if count == 1:
                        subscription = seed(ports[0], token, receiver_port)
                    api.append(
                        asyncio.run(_load(ports, groups, token, args.seconds, args.connections))
                    )
                rate, per_cpu = api[-1]
                print(
                    f"API, {count} process(es): {rate:,.0f} GET/s, "
                    f"{per_cpu:,.0f} per CPU second of the API",
                    flush=True,
                )
            report("API", api)

            drains = []
            for count in (1, 2):
                asyncio.run(_add_deliveries(database_url, subscription, args.deliveries))
                drains.append(drain(count, env, settings, log))
                rate, per_cpu = drains[-1]
                print(
                    f"worker, {count} process(es): {rate:,.0f} deliveries/s, "
                    f"{per_cpu:,.0f} per CPU second of the workers",
                    flush=True,
                )
            report("worker", drains)
        finally:
            receiver.terminate()
            with Connection(args.broker) as connection:
                channel = connection.channel()
                for name in (queue, f"{queue}.dead"):
                    channel.queue_delete(name)
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)", flush=True)


if __name__ == "__main__":
    main()
