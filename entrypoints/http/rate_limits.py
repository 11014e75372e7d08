"""Rate limits (ADR-0022): per credential or per client address on every request, and a
stricter count of failed sign-ins per username and per address.

Counters are the `limits` library's fixed windows, in the storage every API process
shares (Redis) or, for the one embedded process, in memory. A request is counted before
routing, so a refused one costs one counter and never a database query. A process sends
a key's hits in small batches (see `Quota.batch`): a request that might be refused is
always sent, so the shared count decides every refusal; one process counts exactly, and
each of several may let through at most one batch more than the quota.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.client_address import client_address
from entrypoints.http.problems import (
    TOO_MANY_REQUESTS,
    ProblemError,
    problem_response,
    problem_responses,
)
from entrypoints.settings import Settings

log = structlog.get_logger(__name__)

# Probes and scrapes are never limited: an orchestrator must always see the process.
UNLIMITED_PATHS = frozenset(("/healthz", "/readyz", "/metrics"))
# A page's stylesheet, script and the docs' assets are fixed files served from memory:
# a page view counts once, not once per file it names.
UNLIMITED_PREFIXES = ("/static/", "/docs-assets/")


def _unlimited(path: str) -> bool:
    return path in UNLIMITED_PATHS or path.startswith(UNLIMITED_PREFIXES)


# A process sends the hits of one key to the storage in batches of up to 1% of the quota
# (at most this many), and at least this often: a round trip to Redis costs a good part
# of serving a read, and the memory storage starts a task of its own on every count; a
# batch makes either rare on the hot path.
_MAX_BATCH = 16
_MAX_DELAY_SECONDS = 1.0
# Keys with hits not yet sent, beyond which the stale ones are dropped (a bounded loss
# of at most a batch each, rather than memory that grows with every address seen).
_MAX_PENDING_KEYS = 10_000


@dataclass(frozen=True, slots=True)
class Quota:
    """One limit, how it is named in the RateLimit headers, and how many of its hits a
    process may hold before sending them to the storage."""

    name: str
    item: RateLimitItem
    batch: int
    # RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers): quota and window.
    policy: str
    # A caller's storage key is the library's `key_for(caller)`, put together from
    # these two parts worked out once, rather than per request.
    key_around: tuple[str, str]

    @classmethod
    def of(cls, name: str, rate: str, *, batched: bool) -> Quota:
        item = parse(rate)
        batch = max(1, min(_MAX_BATCH, item.amount // 100)) if batched else 1
        policy = f'"{name}";q={item.amount};w={item.get_expiry()}'
        before, after = item.key_for("\0").split("\0")
        return cls(name, item, batch, policy, (before, after))

    def key(self, caller: str) -> str:
        return self.key_around[0] + caller + self.key_around[1]


@dataclass(slots=True)
class _Batch:
    """A key's hits not yet sent, its count as the storage last answered, and until when
    the storage has refused it (monotonic seconds)."""

    unsent: int
    known: int
    sent_at: float
    refused_until: float = 0.0


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    quota: Quota
    remaining: int
    # Seconds until the window resets; known only when a request is refused (it costs
    # the storage a second question, which a served request does not pay for).
    reset: int | None = None

    def headers(self) -> dict[str, str]:
        current = f'"{self.quota.name}";r={self.remaining}'
        if self.reset is not None:
            current += f";t={self.reset}"
        headers = {"RateLimit-Policy": self.quota.policy, "RateLimit": current}
        if not self.allowed and self.reset is not None:
            headers["Retry-After"] = str(self.reset)
        return headers


class RateLimits:
    """The quotas and the storage that counts them."""

    def __init__(
        self,
        storage: Storage,
        *,
        authenticated: str,
        anonymous: str,
        sign_in_failures: str,
    ) -> None:
        self.storage = storage
        self.authenticated = Quota.of("token", authenticated, batched=True)
        self.anonymous = Quota.of("address", anonymous, batched=True)
        # Failures are few and each one matters: never batched.
        self.sign_in_failures = Quota.of("sign-in", sign_in_failures, batched=False)
        self._batches: dict[str, _Batch] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits | None:
        """None when rate limits are off."""
        if not settings.rate_limit_enabled:
            return None
        return cls(
            storage_of(settings.rate_limit_storage_url),
            authenticated=settings.rate_limit_authenticated,
            anonymous=settings.rate_limit_anonymous,
            sign_in_failures=settings.rate_limit_sign_in_failures,
        )

    async def take(self, scope: Scope) -> Verdict:
        """Count the request against its caller's quota: its credential's when it
        presents one (hashed: the storage never holds a secret), else its address's."""
        credential = _authorization(scope)
        if credential is None:
            quota, key = self.anonymous, f"address/{client_address(scope)}"
        else:
            digest = hashlib.blake2b(credential, digest_size=16).hexdigest()
            quota, key = self.authenticated, f"token/{digest}"
        return await self._hit(quota, key)

    async def sign_in_refusal(self, username: str, address: str) -> Verdict | None:
        """The refusal, when the username or the address has failed too often."""
        quota = self.sign_in_failures
        for key in _sign_in_keys(quota, username, address):
            try:
                if await self.storage.get(key) >= quota.item.amount:
                    return Verdict(False, quota, 0, await self._reset(key))
            except StorageError as error:
                _unavailable(error)
                return None
        return None

    async def sign_in_failed(self, username: str, address: str) -> None:
        quota = self.sign_in_failures
        for key in _sign_in_keys(quota, username, address):
            try:
                await self.storage.incr(key, quota.item.get_expiry())
            except StorageError as error:
                _unavailable(error)

    async def _hit(self, quota: Quota, key: str) -> Verdict:
        key = quota.key(key)
        amount = quota.item.amount
        now = time.monotonic()
        batch = self._batches.get(key)
        if batch is not None and now < batch.refused_until:
            # Refused by the shared count already: until its window ends, again here,
            # without a round trip.
            return Verdict(False, quota, 0, math.ceil(batch.refused_until - now))
        if (
            batch is not None
            and batch.unsent + 1 < quota.batch
            and now - batch.sent_at < _MAX_DELAY_SECONDS
            and batch.known + batch.unsent + 1 <= amount
        ):
            # Held for the next send; a request that could be refused is always sent, so
            # the shared count decides every refusal.
            batch.unsent += 1
            return Verdict(True, quota, amount - batch.known - batch.unsent)
        hits = 1
        if batch is not None:
            # Taken now: hits held while this one is on its way go with the next send.
            hits, batch.unsent = hits + batch.unsent, 0
        try:
            count = await self.storage.incr(key, quota.item.get_expiry(), amount=hits)
            if batch is not None:
                batch.known, batch.sent_at = count, now
            else:
                batch = self._hold(key, _Batch(0, count, now))
            if count <= amount:
                return Verdict(True, quota, amount - count)
            reset = await self._reset(key)
            if batch is not None:
                batch.refused_until = now + reset
            return Verdict(False, quota, 0, reset)
        except StorageError as error:
            # Open, not closed: an outage of the counters must not take the API down.
            _unavailable(error)
            return Verdict(True, quota, amount)

    def _hold(self, key: str, batch: _Batch) -> _Batch:
        self._batches[key] = batch
        if len(self._batches) > _MAX_PENDING_KEYS:
            stale = batch.sent_at - _MAX_DELAY_SECONDS
            self._batches = {
                k: b
                for k, b in self._batches.items()
                if b.sent_at > stale or b.refused_until > batch.sent_at
            }
        return batch

    async def _reset(self, key: str) -> int:
        return max(1, math.ceil(await self.storage.get_expiry(key) - time.time()))


def too_many_sign_ins(refusal: Verdict) -> ProblemError:
    return ProblemError(
        TOO_MANY_REQUESTS,
        "too many failed sign-ins for this username or from this address: try again in "
        f"{refusal.reset} seconds",
        headers=refusal.headers(),
    )


def _sign_in_keys(quota: Quota, username: str, address: str) -> tuple[str, str]:
    # Usernames are compared as the sign-in compares them; a long one is hashed so that
    # a caller cannot make the storage hold large keys.
    name = hashlib.blake2b(username.strip().lower().encode(), digest_size=16).hexdigest()
    return quota.item.key_for("sign-in/user", name), quota.item.key_for("sign-in/address", address)


def _unavailable(error: StorageError) -> None:
    log.error("rate_limit_storage_unavailable", error=str(error.storage_error))


def storage_of(url: str) -> Storage:
    """The counters' storage: Redis at `url` (a redis URL, as the settings check), or
    this process's memory when `url` is empty."""
    if not url:
        storage = storage_from_string("async+memory://")
    else:
        # Wrapped, so that an outage is one exception type the limits can let through;
        # redis-py with hiredis costs less per call than the default client (coredis).
        storage = storage_from_string(
            f"async+{url}", wrap_exceptions=True, implementation="redispy"
        )
    assert isinstance(storage, Storage), "an async+ scheme gives an async storage"
    return storage


def _authorization(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return bytes(value)
    return None


def rate_limits_of(request: Request) -> RateLimits | None:
    limits: RateLimits | None = request.app.state.rate_limits
    return limits


class RateLimitMiddleware:
    """Count each request before it is routed; refuse it with 429 when over quota, and
    tell every caller its quota in the RateLimit headers."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _unlimited(scope["path"]):
            await self.app(scope, receive, send)
            return
        verdict = await self.limits.take(scope)
        if not verdict.allowed:
            response = problem_response(
                TOO_MANY_REQUESTS,
                f"this {'token' if verdict.quota is self.limits.authenticated else 'address'} "
                f"has sent more than {verdict.quota.item.amount} requests in "
                f"{verdict.quota.item.get_expiry()} seconds: try again in {verdict.reset} "
                "seconds",
                instance=scope["path"],
                headers=verdict.headers(),
            )
            await response(scope, receive, send)
            return
        # A served reply's headers, as bytes straight away (the hot path).
        quota = verdict.quota
        extra = (
            (b"ratelimit-policy", quota.policy.encode()),
            (b"ratelimit", f'"{quota.name}";r={verdict.remaining}'.encode()),
        )

        async def send_with_quota(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_quota)


def document_rate_limits(openapi: dict[str, Any]) -> None:
    """Every operation but the probes may answer 429."""
    for path, operations in openapi["paths"].items():
        if path in UNLIMITED_PATHS:
            continue
        for operation in operations.values():
            operation.setdefault("responses", {}).setdefault("429", _TOO_MANY)


_TOO_MANY = problem_responses(429)[429] | {
    "headers": {
        "Retry-After": {
            "description": "Seconds until the quota allows a request again.",
            "schema": {"type": "integer"},
        },
        "RateLimit": {
            "description": "The quota left (`r`) and the seconds until it resets (`t`).",
            "schema": {"type": "string"},
        },
        "RateLimit-Policy": {
            "description": "The quota (`q`) per window of `w` seconds.",
            "schema": {"type": "string"},
        },
    }
}
