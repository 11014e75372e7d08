"""How rate limits count (ADR-0022), on the in-process storage: with hits sent in
batches, a quota is exact for one process, and processes sharing the counters never
refuse early and overshoot by at most a batch each."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st
from limits.storage import storage_from_string

from entrypoints.http.rate_limits import RateLimits

TOKEN = {"headers": [(b"authorization", b"Bearer adr_secret")], "client": ("192.0.2.1", 1)}


def limits_on(storage: object, quota: int) -> RateLimits:
    return RateLimits(
        storage,  # type: ignore[arg-type]
        authenticated=f"{quota}/minute",
        anonymous="1/minute",
        sign_in_failures="1/minute",
    )


async def served(limits: RateLimits, requests: int) -> list[int]:
    """The remaining quota each served request was told."""
    remaining = []
    for _ in range(requests):
        verdict = await limits.take(TOKEN)
        if verdict.allowed:
            remaining.append(verdict.remaining)
    return remaining


@settings(max_examples=60)
@given(quota=st.integers(1, 3000), requests=st.integers(0, 250))
def test_one_process_serves_exactly_its_quota_and_counts_down(quota: int, requests: int) -> None:
    async def run() -> list[int]:
        storage = storage_from_string("async+memory://")
        return await served(limits_on(storage, quota), requests)

    remaining = asyncio.run(run())
    allowed = min(requests, quota)
    assert remaining == [quota - i for i in range(1, allowed + 1)]


@settings(max_examples=60)
@given(
    quota=st.integers(100, 2000),
    turns=st.lists(st.integers(0, 2), max_size=400),
)
def test_processes_sharing_the_counters_overshoot_by_at_most_a_batch_each(
    quota: int, turns: list[int]
) -> None:
    async def run() -> tuple[int, int]:
        storage = storage_from_string("async+memory://")
        processes = [limits_on(storage, quota) for _ in range(3)]
        allowed = 0
        for turn in turns:
            allowed += (await processes[turn].take(TOKEN)).allowed
        return allowed, processes[0].authenticated.batch

    allowed, batch = asyncio.run(run())
    assert allowed >= min(len(turns), quota)
    assert allowed <= quota + 3 * (batch - 1)
    assert batch <= max(1, quota // 100)
