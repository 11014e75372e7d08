"""CPU-bound work in worker processes: results come back, and a call past its budget is
stopped with its worker replaced, so the next call runs at once."""

from __future__ import annotations

import os
import time

import pytest

from adapters.process_pool import ProcessPoolCpuWork
from application.errors import WorkTooLong


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def _forever(_: None) -> None:
    while True:
        time.sleep(1)


async def test_work_runs_in_another_process_and_a_stuck_call_is_stopped() -> None:
    pool = ProcessPoolCpuWork(workers=1, budget_seconds=2)
    try:
        pid, square = await pool.run(_pid_and_square, 7)
        assert (square, pid != os.getpid()) == (49, True)
        started = time.monotonic()
        with pytest.raises(WorkTooLong, match="over 2 s"):
            await pool.run(_forever, None)
        assert time.monotonic() - started < 5
        # The stuck worker was killed; a new one serves the next call.
        again, square = await pool.run(_pid_and_square, 3)
        assert (square, again != pid) == (9, True)
    finally:
        pool.close()
