"""Rate limit counters in a real Redis (ADR-0022): shared by processes, batched on the
hot path, strict for failed sign-ins, and open when Redis is down."""

from __future__ import annotations

import uuid

import pytest
from structlog.testing import capture_logs

from entrypoints.http.rate_limits import RateLimits, storage_of
from tests.services import redis_url_or_skip


@pytest.fixture
def redis_url() -> str:
    return redis_url_or_skip()


def on(url: str, *, authenticated: str = "1000/minute") -> RateLimits:
    return RateLimits(
        storage_of(url),
        authenticated=authenticated,
        anonymous="3/minute",
        sign_in_failures="2/minute",
    )


def caller() -> dict[str, object]:
    """A request from a token no earlier run used (the counters outlive a test)."""
    token = f"Bearer adr_{uuid.uuid4().hex}".encode()
    return {"headers": [(b"authorization", token)], "client": ("192.0.2.1", 1)}


async def test_hits_reach_redis_in_batches_of_a_hundredth_of_the_quota(redis_url: str) -> None:
    limits, request = on(redis_url), caller()
    assert limits.authenticated.batch == 10
    for _ in range(15):
        assert (await limits.take(request)).allowed
    (key,) = [k for k in limits._batches]
    # The first hit, then the next ten together; the last four are held.
    assert await limits.storage.get(key) == 11


async def test_processes_share_the_quota_and_a_refusal_is_the_shared_count(
    redis_url: str,
) -> None:
    one, two, request = on(redis_url), on(redis_url), caller()
    quota = one.anonymous.item.amount
    anonymous = {"headers": [], "client": (f"2001:db8::{uuid.uuid4().hex[:4]}", 1)}
    verdicts = [await (one if i % 2 else two).take(anonymous) for i in range(quota + 1)]
    assert [v.allowed for v in verdicts] == [True] * quota + [False]
    refused = verdicts[-1]
    assert refused.reset is not None
    assert 0 < refused.reset <= 60
    assert (await one.take(request)).allowed


async def test_failed_sign_ins_lock_the_username_for_every_process(redis_url: str) -> None:
    one, two = on(redis_url), on(redis_url)
    username = f"user-{uuid.uuid4().hex[:8]}"
    await one.sign_in_failed(username, "192.0.2.10")
    assert await two.sign_in_refusal(username, "192.0.2.11") is None
    await two.sign_in_failed(username, "192.0.2.11")
    refusal = await one.sign_in_refusal(username, "192.0.2.12")
    assert refusal is not None
    assert refusal.headers()["Retry-After"] == str(refusal.reset)


async def test_an_unreachable_redis_lets_requests_through_and_says_so() -> None:
    limits = on("redis://127.0.0.1:1/0")
    with capture_logs() as logs:
        assert (await limits.take(caller())).allowed
        assert await limits.sign_in_refusal("ann", "192.0.2.1") is None
        await limits.sign_in_failed("ann", "192.0.2.1")
    assert {entry["event"] for entry in logs} == {"rate_limit_storage_unavailable"}


async def test_a_refused_caller_is_refused_again_without_a_round_trip(redis_url: str) -> None:
    limits, request = on(redis_url, authenticated="100/minute"), caller()
    verdicts = [await limits.take(request) for _ in range(101)]
    assert [v.allowed for v in verdicts].count(True) == 100
    (key,) = list(limits._batches)
    counted = await limits.storage.get(key)
    for _ in range(20):
        again = await limits.take(request)
        assert not again.allowed
        assert again.reset is not None
        assert again.reset > 0
    assert await limits.storage.get(key) == counted
