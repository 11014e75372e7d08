"""Servers the integration and end-to-end tests need, and what to do when one is absent.

A test that needs a server skips with the reason when it is unreachable, unless
ADR_REGISTRY_REQUIRE_SERVICES=1 (CI sets it): then it fails, so that a broken service
can never turn a red build green by skipping.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from functools import cache
from typing import NoReturn, TypeVar
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

T = TypeVar("T")

POSTGRES_URL_VARIABLE = "ADR_REGISTRY_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
REQUIRE_SERVICES_VARIABLE = "ADR_REGISTRY_REQUIRE_SERVICES"
_PROBE_TIMEOUT = 5.0


def services_required() -> bool:
    return os.environ.get(REQUIRE_SERVICES_VARIABLE) == "1"


def unavailable(reason: str) -> NoReturn:
    """Skip the current test for `reason`, or fail it when services are required."""
    if services_required():
        pytest.fail(f"{reason} ({REQUIRE_SERVICES_VARIABLE}=1, so this fails instead of skipping)")
    pytest.skip(reason)


def postgres_url() -> str:
    """The admin URL of the test server (an async SQLAlchemy URL, database `postgres`)."""
    return os.environ.get(POSTGRES_URL_VARIABLE, DEFAULT_POSTGRES_URL)


def postgres_url_or_skip() -> str:
    """`postgres_url()` if the server answers; otherwise skip (or fail, see above).

    Works from sync and async code alike; the server is probed once per process.
    """
    url = postgres_url()
    error = _postgres_error(url)
    if error is not None:
        shown = make_url(url).render_as_string(hide_password=True)
        unavailable(f"PostgreSQL not reachable at {shown}: {error}")
    return url


def run_in_new_loop(work: Callable[[], Awaitable[T]]) -> T:
    """Run async `work` to completion on a fresh event loop in a thread of its own.

    For sync fixtures and helpers: it works whether or not the calling thread already
    runs a loop, and leaves that loop (and pytest-asyncio's) untouched.
    """
    outcome: list[T] = []
    failure: list[BaseException] = []

    async def main() -> None:
        outcome.append(await work())

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=target, name="run_in_new_loop")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


@cache
def _postgres_error(url: str) -> str | None:
    async def probe() -> str | None:
        engine = create_async_engine(url, connect_args={"timeout": _PROBE_TIMEOUT})
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        finally:
            await engine.dispose()
        return None

    return run_in_new_loop(probe)


REDIS_URL_VARIABLE = "ADR_REGISTRY_TEST_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_url_or_skip() -> str:
    """The test Redis (rate limit counters) if it answers PING; else skip (or fail)."""
    url = os.environ.get(REDIS_URL_VARIABLE, DEFAULT_REDIS_URL)
    error = _redis_error(url)
    if error is not None:
        unavailable(f"Redis not reachable at {url}: {error}")
    return url


@cache
def _redis_error(url: str) -> str | None:
    where = urlsplit(url)
    try:
        with socket.create_connection(
            (where.hostname or "127.0.0.1", where.port or 6379), timeout=_PROBE_TIMEOUT
        ) as connection:
            connection.sendall(b"PING\r\n")
            if not connection.recv(16).startswith(b"+PONG"):
                return "it does not answer PING"
    except OSError as error:
        return f"{type(error).__name__}: {error}"
    return None
