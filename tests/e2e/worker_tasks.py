"""Tasks that only the worker tests load (`adr-registry worker --include`): they record
what ran in files, so the test can see every delivery, or kill their own process."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from celery import shared_task


def _append(path: Path, line: str) -> None:
    # O_APPEND: lines from several processes never interleave.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(descriptor, f"{line}\n".encode())
    finally:
        os.close(descriptor)


@shared_task(name="tests.record")
def record(number: int, folder: str, hold_seconds: float) -> None:
    time.sleep(hold_seconds)
    _append(Path(folder) / "done", str(number))


@shared_task(name="tests.kill_own_process")
def kill_own_process(folder: str) -> None:
    _append(Path(folder) / "poison", str(os.getpid()))
    os.kill(os.getpid(), signal.SIGKILL)
