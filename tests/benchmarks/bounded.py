"""Run a benchmark harness for a bounded time, and leave none of its servers behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path


def run_bounded(
    command: Sequence[str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """The harness in a process group of its own: past `timeout` the whole group (the
    servers and wrk it started included) is killed, where `subprocess.run` would kill
    only the harness and leave its servers running."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        raise AssertionError(
            f"the harness did not finish in {timeout:.0f} s:\n{stdout[-3000:]}{stderr[-3000:]}"
        ) from None
    finally:
        # Whatever the harness left running when it ended (it stops its servers itself).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
