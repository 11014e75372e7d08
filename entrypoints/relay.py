"""When the outbox relay runs in a process: the nudge after a commit (ADR-0015).

A commit that stored events calls `nudge()`, which only sets a flag or an event: the
request that committed never waits for the broker. Then:
- in the API, `RelayLoop` runs the relay in the background of the server's event loop,
  and after a failure (broker down) tries again with backoff until it gets through;
- in a worker task or a CLI command, `PendingRelay` remembers the nudge and the caller
  relays once its own work is done.
The beat's fallback relay (every ADR_REGISTRY_OUTBOX_RELAY_EVERY_SECONDS) covers a
nudge that is lost, e.g. when a process dies between its commit and its relay.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from application.ports import OutboxSignal

log = structlog.get_logger(__name__)

_FIRST_RETRY_SECONDS = 0.5
_MAX_RETRY_SECONDS = 10.0


class PendingRelay(OutboxSignal):
    def __init__(self) -> None:
        self._pending = False

    def nudge(self) -> None:
        self._pending = True

    def take(self) -> bool:
        """Whether a nudge came since the last take."""
        pending, self._pending = self._pending, False
        return pending


class RelayLoop(OutboxSignal):
    def __init__(self, relay: Callable[[], Awaitable[int]]) -> None:
        self._relay = relay
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Let a pass under way finish (a database call cut off mid-way would outlive
        the event loop), then end; cancel it only if it takes longer than the grace."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace_seconds)
        except TimeoutError:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def nudge(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Relay on every nudge, until stopped; starts with one pass for what waits."""
        retry: float | None = None
        self._wake.set()
        while not self._stopping:
            if retry is None:
                await self._wake.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), retry)
            self._wake.clear()
            if self._stopping:
                return
            try:
                sent = await self._relay()
            except Exception as error:
                retry = min((retry or _FIRST_RETRY_SECONDS / 2) * 2, _MAX_RETRY_SECONDS)
                log.warning("outbox_relay_failed", error=str(error), retry_in_seconds=retry)
                continue
            retry = None
            if sent:
                log.debug("outbox_relayed", events=sent)
