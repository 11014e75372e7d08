"""One container and one event loop per worker process, built after fork and reused.

asyncpg connections belong to the loop that opened them, and a pool per task would cost
a connect per task: so each pool child builds its runtime once (on `worker_process_init`,
or lazily on its first task under the solo pool) and every task runs on it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import punq

from entrypoints.bootstrap import build_container, dispose
from entrypoints.settings import Settings

T = TypeVar("T")


@dataclass
class Runtime:
    pid: int
    loop: asyncio.AbstractEventLoop
    container: punq.Container

    def run(self, work: Callable[[punq.Container], Awaitable[T]]) -> T:
        """Run `work` to completion on this process's loop, with its container."""
        return self.loop.run_until_complete(_call(work, self.container))

    def close(self) -> None:
        self.loop.run_until_complete(dispose(self.container))
        self.loop.close()


async def _call(work: Callable[[punq.Container], Awaitable[T]], container: punq.Container) -> T:
    return await work(container)


class Runtimes:
    """The runtime of the current process; a forked child never reuses its parent's."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._current: Runtime | None = None

    def current(self) -> Runtime:
        if self._current is None or self._current.pid != os.getpid():
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._current = Runtime(os.getpid(), loop, build_container(self._settings))
        return self._current

    def close(self) -> None:
        if self._current is not None and self._current.pid == os.getpid():
            self._current.close()
        self._current = None
