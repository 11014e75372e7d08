"""CPU-bound work in a pool of worker processes, with a time budget per call.

Parsing YAML and Markdown holds the GIL: on the event loop (or in a thread) one hostile
upload would stall every request. In a process it stalls only its worker, and a call
past its budget has its pool's processes killed and replaced, so a stuck parse cannot
hold a worker either. The pool starts its processes on first use ('spawn': the API's
threads and connections are not copied into them).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import structlog

from application.errors import WorkTooLong
from application.ports import CpuBoundWork

A = TypeVar("A")
R = TypeVar("R")

log = structlog.get_logger(__name__)


class ProcessPoolCpuWork(CpuBoundWork):
    def __init__(self, workers: int, budget_seconds: float) -> None:
        self.workers = workers
        self.budget_seconds = budget_seconds
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, work: Callable[[A], R], argument: A) -> R:
        # A pool broken by another call's recycling is replaced: try once more.
        retried = False
        while True:
            pool = self._current()
            future = asyncio.get_running_loop().run_in_executor(pool, work, argument)
            try:
                return await asyncio.wait_for(future, self.budget_seconds)
            except TimeoutError:
                log.warning("cpu_work_too_long", work=work.__name__, seconds=self.budget_seconds)
                self._recycle(pool)
                raise WorkTooLong(self.budget_seconds) from None
            except BrokenProcessPool:
                self._recycle(pool)
                if retried:
                    raise
                retried = True

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _current(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool

    def _recycle(self, pool: ProcessPoolExecutor) -> None:
        """Kill the pool's processes (a stuck parse is not interruptible otherwise); the
        next call starts a new pool."""
        if self._pool is pool:
            self._pool = None
        for process in list((pool._processes or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
