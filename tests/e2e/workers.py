"""A real `adr-registry worker` (and `beat`) in a process group of its own, for the worker
tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from entrypoints.settings import Settings

_START_TIMEOUT = 120.0  # imports alone take seconds on a loaded 2-core machine


def settings_environment(settings: Settings) -> dict[str, str]:
    values = {
        "ADR_REGISTRY_DATA_DIR": str(settings.data_dir),
        "ADR_REGISTRY_DATABASE_URL": settings.database_url,
        "ADR_REGISTRY_BROKER_URL": settings.broker_url,
        "ADR_REGISTRY_QUEUE": settings.queue,
        "ADR_REGISTRY_DELIVERY_LIMIT": str(settings.delivery_limit),
        "ADR_REGISTRY_WEBHOOK_ALLOW_HOSTS": settings.webhook_allow_hosts,
        "ADR_REGISTRY_WEBHOOK_TIMEOUT_SECONDS": str(settings.webhook_timeout_seconds),
        "ADR_REGISTRY_WEBHOOK_RETRY_SWEEP_EVERY_SECONDS": str(
            settings.webhook_retry_sweep_every_seconds
        ),
        "ADR_REGISTRY_OUTBOX_RELAY_EVERY_SECONDS": str(settings.outbox_relay_every_seconds),
        "ADR_REGISTRY_LOG_FORMAT": "json",
    }
    return {**os.environ, **values}


def _start(settings: Settings, arguments: list[str], heartbeat: Path) -> Worker:
    """Run `adr-registry <arguments>` and wait until it touches `heartbeat`."""
    log = settings.data_dir / f"{arguments[0]}-{time.monotonic_ns()}.log"
    heartbeat.unlink(missing_ok=True)
    command = [str(Path(sys.executable).parent / "adr-registry"), *arguments]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=settings_environment(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to kill as a whole
        )
    started = Worker(process, heartbeat, log)
    deadline = time.monotonic() + _START_TIMEOUT
    while not heartbeat.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            started.kill()
            raise AssertionError(f"the {arguments[0]} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return started


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    heartbeat: Path
    log: Path

    @classmethod
    def start(
        cls, settings: Settings, *, concurrency: int = 2, include: str = "tests.e2e.worker_tasks"
    ) -> Worker:
        arguments = ["worker", "--concurrency", str(concurrency), "--include", include]
        return _start(settings, arguments, settings.heartbeat_path)

    @classmethod
    def start_beat(cls, settings: Settings) -> Worker:
        """The beat: the same kind of process, alive once it has ticked."""
        return _start(settings, ["beat"], settings.beat_heartbeat_path)

    def children(self) -> list[int]:
        """The pool processes."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker and its pool."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
