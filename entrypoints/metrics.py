"""Prometheus metrics of the API and the worker (ADR-0016).

Counters, histograms and gauges are prometheus-client's. With PROMETHEUS_MULTIPROC_DIR
set (before the process starts: the client reads it on import), every process writes
its values to files there and a scrape sums them over the processes that share the
directory: the worker's pool children, or several API processes on one machine.
Without it each process keeps its own registry and is scraped on its own.

Each metric is built on first use in a process, never at import, and once per process:
a test may build many apps, but the client allows one series of a name per registry.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from application.ports import BacklogView

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# A request that matched no route: its path is not a label, or anyone could add series.
UNMATCHED = "<unmatched>"


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROCESS_DIR)
    return Path(value) if value else None


@dataclass(frozen=True)
class HttpMetrics:
    requests: Counter
    latency: Histogram
    in_flight: Gauge


@cache
def http_metrics() -> HttpMetrics:
    return HttpMetrics(
        Counter(
            "adr_registry_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
        ),
        Histogram(
            "adr_registry_http_request_duration_seconds",
            "Time from a request's arrival to its reply, by method and route template.",
            ["method", "route"],
        ),
        Gauge(
            "adr_registry_http_requests_in_flight",
            "Requests being served now.",
            multiprocess_mode="livesum",
        ),
    )


@dataclass(frozen=True)
class TaskMetrics:
    finished: Counter
    duration: Histogram


@cache
def task_metrics() -> TaskMetrics:
    return TaskMetrics(
        Counter(
            "adr_registry_celery_tasks",
            "Celery tasks run, by task name and final state (SUCCESS, FAILURE, RETRY...).",
            ["task", "state"],
        ),
        Histogram(
            "adr_registry_celery_task_duration_seconds",
            "How long a task ran, by task name.",
            ["task"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        ),
    )


@dataclass(frozen=True)
class PoolMetrics:
    size: Gauge
    checked_out: Gauge


@cache
def pool_metrics() -> PoolMetrics:
    return PoolMetrics(
        Gauge(
            "adr_registry_db_pool_size",
            "Connections the database pools keep (summed over processes).",
            multiprocess_mode="livesum",
        ),
        Gauge(
            "adr_registry_db_pool_checked_out",
            "Connections taken from the pools now, the read side's lent ones included.",
            multiprocess_mode="livesum",
        ),
    )


class _BacklogCollector(Collector):
    def __init__(self, backlog: BacklogView, now: datetime) -> None:
        self._backlog = backlog
        oldest = backlog.oldest_unsent_at
        self._oldest_age = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "adr_registry_outbox_unsent_events",
            "Stored events the relay has not yet published.",
            value=self._backlog.unsent_events,
        )
        yield GaugeMetricFamily(
            "adr_registry_outbox_oldest_unsent_age_seconds",
            "Age of the oldest unpublished event (0 when none waits).",
            value=self._oldest_age,
        )
        deliveries = GaugeMetricFamily(
            "adr_registry_webhook_deliveries",
            "Webhook deliveries in the delivery log, by state (outcome).",
            labels=["state"],
        )
        for state, count in sorted(self._backlog.deliveries_by_state.items()):
            deliveries.add_metric([state], count)
        yield deliveries


def exposition(backlog: BacklogView | None = None, now: datetime | None = None) -> bytes:
    """The text a scrape gets: this process's metrics, or all processes' in multiprocess
    mode, then the backlog when one was read."""
    registry = CollectorRegistry()
    folder = multiprocess_dir()
    if folder is not None:
        multiprocess.MultiProcessCollector(registry, path=str(folder))  # type: ignore[no-untyped-call]
    else:
        registry.register(REGISTRY)
    if backlog is not None and now is not None:
        registry.register(_BacklogCollector(backlog, now))
    return generate_latest(registry)


_VALUE_FILE = re.compile(r"_(\d+)\.db$")


def forget_dead_processes() -> None:
    """Remove the value files of processes that are gone (and of an earlier holder of
    this process's id, after a container restart), before this process writes any.

    Their counters then restart from zero, which Prometheus reads as a reset; their
    `livesum` gauges (in-flight requests, pool use) would otherwise count for ever.
    Processes that share the directory and still run keep their files.
    """
    folder = multiprocess_dir()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.db"):
        found = _VALUE_FILE.search(path.name)
        if found is None:
            continue
        pid = int(found.group(1))
        if pid == os.getpid() or not _is_running(pid):
            path.unlink(missing_ok=True)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    return True


def watch_pool(engine: AsyncEngine) -> Callable[[], None]:
    """Count the engine's pool in the pool gauges; returns what stops counting it.

    Connections are counted as they are taken and given back (a write's each time; the
    read side's once, since it keeps the few it borrows), not on each request."""
    metrics = pool_metrics()
    pool = engine.sync_engine.pool
    size = pool.size() if isinstance(pool, QueuePool) else 0
    metrics.size.inc(size)

    def taken(*_: object) -> None:
        metrics.checked_out.inc()

    def given_back(*_: object) -> None:
        metrics.checked_out.dec()

    event.listen(pool, "checkout", taken)
    event.listen(pool, "checkin", given_back)

    def stop() -> None:
        event.remove(pool, "checkout", taken)
        event.remove(pool, "checkin", given_back)
        metrics.size.dec(size)

    return stop


def serve_metrics(port: int) -> None:
    """Serve every process's metrics (multiprocess mode) on `port`, from a thread of
    this one: the worker's, whose tasks run in its pool's children."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    start_http_server(port, registry=registry)
