"""CPU that the request metrics add to one request: the request middleware around a
trivial ASGI app, without and with metrics, in-process (no server, no socket).

    uv run python benchmarks/metrics_cost.py [--requests 50000]
    PROMETHEUS_MULTIPROC_DIR=$(mktemp -d) uv run python benchmarks/metrics_cost.py

The second form measures multiprocess mode (values in memory-mapped files). Prints
microseconds of CPU per request, each the best of five rounds, and the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import time

from starlette.types import Message, Receive, Scope, Send

from entrypoints.http.middleware import RequestContextMiddleware
from entrypoints.logging import configure_logging
from entrypoints.metrics import http_metrics, multiprocess_dir


class _Route:
    path = "/v1/logs/{log}/decisions/{n}"


async def _endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    scope["route"] = _Route
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _receive() -> Message:
    return {"type": "http.request", "body": b""}


async def _send(message: Message) -> None:
    return None


def _scope() -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": "/v1/logs/arch/decisions/1",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 50000),
    }


async def _cpu_per_request(app: RequestContextMiddleware, requests: int) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(requests):
            await app(_scope(), _receive, _send)
        best = min(best, (time.process_time() - started) / requests)
    return best * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    args = parser.parse_args()
    configure_logging("json", stream=io.StringIO())  # the access line, to nowhere
    without = await _cpu_per_request(RequestContextMiddleware(_endpoint), args.requests)
    with_metrics = await _cpu_per_request(
        RequestContextMiddleware(_endpoint, metrics=http_metrics()), args.requests
    )
    mode = "multiprocess" if multiprocess_dir() else "one process"
    print(f"metrics mode: {mode}")
    print(f"request middleware without metrics: {without:.2f} µs CPU per request")
    print(f"request middleware with metrics:    {with_metrics:.2f} µs CPU per request")
    print(f"metrics add:                        {with_metrics - without:.2f} µs per request")


if __name__ == "__main__":
    asyncio.run(main())
