"""When the relay runs: on each nudge, again after a failure, and never in the request."""

from __future__ import annotations

import asyncio

from entrypoints.relay import PendingRelay, RelayLoop


async def test_a_nudge_wakes_the_relay_and_a_failure_is_retried_without_one() -> None:
    outcomes: list[str] = ["fail", "ok", "ok"]
    calls: list[str] = []
    called = asyncio.Event()

    async def relay() -> int:
        outcome = outcomes.pop(0) if outcomes else "ok"
        calls.append(outcome)
        called.set()
        if outcome == "fail":
            raise ConnectionError("broker down")
        return 1

    loop = RelayLoop(relay)
    loop.start()
    async with asyncio.timeout(5):
        # The first pass (for what waited before the start) fails; the retry succeeds
        # with no nudge at all.
        for _ in range(2):
            await called.wait()
            called.clear()
        assert calls == ["fail", "ok"]
        await asyncio.sleep(0.05)
        assert len(calls) == 2, "without a nudge or a failure it sleeps"
        loop.nudge()
        await called.wait()
        assert calls == ["fail", "ok", "ok"]
    await loop.stop()


async def test_stopping_lets_the_pass_under_way_finish() -> None:
    finished = asyncio.Event()

    async def slow_relay() -> int:
        await asyncio.sleep(0.1)
        finished.set()
        return 0

    loop = RelayLoop(slow_relay)
    loop.start()
    await asyncio.sleep(0.01)
    await loop.stop()
    assert finished.is_set()


def test_a_pending_relay_remembers_a_nudge_until_it_is_taken() -> None:
    pending = PendingRelay()
    assert not pending.take()
    pending.nudge()
    pending.nudge()
    assert pending.take()
    assert not pending.take()
