"""The request path with and without the outbox relay: GET one decision and propose one,
through the whole ASGI app in-process, on the embedded defaults in a temporary folder.

    uv run python benchmarks/request_path.py [--gets 2000] [--writes 300]
    # the code before the relay existed, measured by the same script:
    PYTHONPATH=/path/to/a/checkout/of/main uv run python benchmarks/request_path.py
    # the writes alone, with the relay never woken:
    uv run python benchmarks/request_path.py --no-relay

Prints p50, p99 and mean per request. The relay's nudge on a write is an Event.set();
the relay itself runs beside the requests on the same event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

import entrypoints
from application.commands import CreateUser
from application.handlers.users import CreateUserHandler
from application.views import OPERATOR
from entrypoints.bootstrap import migrate_database
from entrypoints.http.app import create_app
from entrypoints.settings import Settings


def _figures(name: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return (
        f"{name}: p50 {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
        f"mean {statistics.fmean(ordered) * 1000:.2f} ms ({len(ordered)} requests)"
    )


async def run(gets: int, writes: int, relay: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="adr-request-bench-") as folder:
        # Thousands of requests a minute from one token: measure the path, not the limit.
        settings = Settings(data_dir=Path(folder), database_url="", rate_limit_enabled=False)
        await migrate_database(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            if not relay:
                _silence_the_relay(app)
            create: CreateUserHandler = app.state.services.get(CreateUserHandler)
            issued = await create(CreateUser(actor=OPERATOR, username="ada", is_admin=False))
            auth = {"Authorization": f"Bearer {issued.token}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                reply = await client.post(
                    "/v1/logs", json={"slug": "bench", "title": "Bench"}, headers=auth
                )
                assert reply.status_code == 201, reply.text
                url = "/v1/logs/bench/decisions"
                assert (await client.post(url, json={"title": "One"}, headers=auth)).is_success
                for _ in range(50):  # warm up
                    await client.get(f"{url}/1", headers=auth)
                timings: list[float] = []
                for _ in range(gets):
                    start = time.perf_counter()
                    reply = await client.get(f"{url}/1", headers=auth)
                    timings.append(time.perf_counter() - start)
                    assert reply.status_code == 200
                print(_figures("GET one decision", timings), flush=True)
                timings = []
                for n in range(writes):
                    start = time.perf_counter()
                    reply = await client.post(url, json={"title": f"Decision {n}"}, headers=auth)
                    timings.append(time.perf_counter() - start)
                    assert reply.status_code == 201
                print(_figures("POST a proposal", timings), flush=True)


def _silence_the_relay(app: object) -> None:
    """Commits still nudge, but nothing wakes the relay: what the writes cost alone."""
    from application.ports import OutboxSignal
    from entrypoints.relay import PendingRelay

    app.state.services.container.register(OutboxSignal, instance=PendingRelay())  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gets", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument(
        "--no-relay", action="store_true", help="leave the outbox to the beat (this branch only)"
    )
    args = parser.parse_args()
    print(f"code from {Path(entrypoints.__file__).parent.parent}", flush=True)
    asyncio.run(run(args.gets, args.writes, relay=not args.no_relay))


if __name__ == "__main__":
    main()
