"""Webhook subscriptions and their deliveries: what goes where, and when to try again.

A delivery is one event for one subscription. It is attempted at once, then retried with
exponential backoff and jitter until it succeeds or its window (three days from its
creation) has passed. The rules here are pure: time and randomness are passed in.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from domain.errors import InvalidValue
from domain.values import LogSlug

ALL_EVENTS = "*"
URL_MAX = 2000
DESCRIPTION_MAX = 1000
# How much of a receiver's reply is kept: its first KiB.
REPLY_EXCERPT_BYTES = 1024

# The retry schedule: the first retry after FIRST_RETRY, each wait twice the one before,
# at most LONGEST_WAIT, each scaled by a random factor in [1 - JITTER, 1 + JITTER) so that
# the retries of many deliveries that failed together do not arrive together.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=8)
JITTER = 0.2
# A delivery that has failed for this long is given up (the last attempt is at its end).
WINDOW = timedelta(days=3)
# After the last attempt is claimed, when it may be claimed again if the worker making
# it died: it is bounded by the sender's timeout, so this is ample.
LEASE = timedelta(minutes=2)
# A delivery claimed this often without a recorded outcome (a worker dying on it each
# time) is given up instead of being tried for ever. The schedule itself needs about 20.
MAX_ATTEMPTS = 30
# After a secret is rotated, deliveries are signed with the old one too for this long,
# so that receivers can switch over without refusing anything.
ROTATION_OVERLAP = timedelta(hours=24)

_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f\\]")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WebhookUrl:
    """Where a subscription's deliveries go: an absolute http(s) URL, without
    credentials or fragment. Whether its host may be reached is decided at the edges,
    where names are resolved (see adapters/webhooks)."""

    value: str

    def __post_init__(self) -> None:
        _check_url(self.value)

    @property
    def scheme(self) -> str:
        return urlsplit(self.value).scheme.lower()

    def __str__(self) -> str:
        return self.value


def _check_url(url: str) -> None:
    def refuse(reason: str) -> InvalidValue:
        return InvalidValue("url", reason)

    if len(url) > URL_MAX:
        raise refuse(f"must be at most {URL_MAX} characters, not {len(url)}")
    if _CONTROL_OR_SPACE.search(url):
        raise refuse("must not contain spaces, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise refuse(f"is not a valid URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"'{scheme}'" if scheme else "no scheme"
        raise refuse(
            f"only http and https URLs can receive webhooks, not {shown}: "
            "write e.g. https://hooks.example.com/adr"
        )
    if "@" in parts.netloc:
        raise refuse(
            "must not carry credentials (user:password@): a receiver authenticates "
            "deliveries by their webhook-signature header"
        )
    host = parts.hostname
    if not host:
        raise refuse("has no host: write e.g. https://hooks.example.com/adr")
    if port == 0:
        raise refuse("port 0 cannot be connected to")
    if parts.fragment or url.endswith("#"):
        raise refuse("a #fragment is never sent to the server: leave it out")
    if ":" in host:
        # urlsplit has checked the address itself; a zone is a local interface's name.
        if "%" in host:
            raise refuse("an IPv6 zone (%...) names an interface of this machine: leave it out")
    elif _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):
        # Hex, octal and dotless forms ('0x7f.1', '2130706433') are read differently by
        # different parsers: only the canonical form is taken.
        try:
            canonical = str(ipaddress.IPv4Address(host)) == host
        except ValueError:
            canonical = False
        if not canonical:
            raise refuse(
                f"'{host}' is not a canonical IPv4 address: write four decimal numbers, "
                "e.g. 192.0.2.10, or use a host name"
            )


def event_selection(events: Iterable[str], known: Collection[str]) -> frozenset[str]:
    """The event types a subscription asks for: known types, or '*' for all of them."""
    chosen = frozenset(events)
    if not chosen:
        raise InvalidValue("events", f"name at least one event type, or '{ALL_EVENTS}' for all")
    if ALL_EVENTS in chosen:
        return frozenset({ALL_EVENTS})
    unknown = sorted(chosen - set(known))
    if unknown:
        raise InvalidValue(
            "events",
            f"unknown event types: {', '.join(unknown)}. Known types: "
            f"{', '.join(sorted(known))}; or '{ALL_EVENTS}' for all of them",
        )
    return chosen


def _description(text: str) -> str:
    if len(text) > DESCRIPTION_MAX:
        raise InvalidValue(
            "description", f"must be at most {DESCRIPTION_MAX} characters, not {len(text)}"
        )
    return text


@dataclass
class Subscription:
    """A log's webhook: which events go to which URL, signed with which secret."""

    log: LogSlug
    url: WebhookUrl
    events: frozenset[str]
    description: str
    secret: str
    created_at: datetime
    id: int | None = None
    enabled: bool = True
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    # The secret before the last rotation, still signed with until it expires.
    previous_secret: str | None = None
    previous_secret_expires_at: datetime | None = None
    # The last attempt a receiver answered with a 2xx: a subscription is disabled only
    # when none came during a failed delivery's whole window.
    last_success_at: datetime | None = None
    # Bumped by every change of its settings (the ETag); not by deliveries.
    version: int = 1

    def __post_init__(self) -> None:
        self.description = _description(self.description)

    def wants(self, event_type: str) -> bool:
        return self.enabled and (ALL_EVENTS in self.events or event_type in self.events)

    def signing_secrets(self, at: datetime) -> tuple[str, ...]:
        """The current secret, and the previous one while it overlaps."""
        expires = self.previous_secret_expires_at
        if self.previous_secret is not None and expires is not None and at < expires:
            return (self.secret, self.previous_secret)
        return (self.secret,)

    def change(
        self,
        *,
        url: WebhookUrl | None = None,
        events: frozenset[str] | None = None,
        description: str | None = None,
    ) -> None:
        if url is not None:
            self.url = url
        if events is not None:
            self.events = events
        if description is not None:
            self.description = _description(description)
        self.version += 1

    def rotate_secret(self, secret: str, at: datetime) -> None:
        self.previous_secret, self.secret = self.secret, secret
        self.previous_secret_expires_at = at + ROTATION_OVERLAP
        self.version += 1

    def disable(self, reason: str, at: datetime) -> bool:
        """Stop deliveries, saying why; False if it already was disabled."""
        if not self.enabled:
            return False
        self.enabled = False
        self.disabled_reason = reason
        self.disabled_at = at
        self.version += 1
        return True

    def enable(self) -> bool:
        if self.enabled:
            return False
        self.enabled = True
        self.disabled_reason = None
        self.disabled_at = None
        self.version += 1
        return True

    def failed_throughout(self, since: datetime) -> bool:
        """No receiver answered with success since `since`."""
        return self.last_success_at is None or self.last_success_at < since


class DeliveryState(StrEnum):
    PENDING = "pending"  # attempts go on (next_attempt_at says when)
    DELIVERED = "delivered"  # a receiver answered with a 2xx
    FAILED = "failed"  # given up: the window passed, or the receiver answered 410 Gone
    CANCELLED = "cancelled"  # its subscription was disabled before it got through


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What one request to a receiver came to."""

    status_code: int | None  # None: no reply (network error, timeout, refused target)
    duration_ms: int
    reply_excerpt: str  # the first KiB of the reply's body
    error: str | None = None  # what went wrong on the way, if anything

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        """The receiver asked for no more deliveries (410 Gone)."""
        return self.status_code == 410


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    outcome: AttemptOutcome
    manual: bool = False  # a redelivery or a ping, not the schedule


class AfterAttempt(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GAVE_UP = "gave up"  # the window passed without success
    GONE = "gone"  # 410: the subscription must be disabled now
    UNCHANGED = "unchanged"  # a manual attempt that failed leaves the schedule alone


def retry_delay(attempt: int, rand: float) -> timedelta:
    """How long to wait after the `attempt`-th attempt (from 1) failed; `rand` in [0, 1)."""
    doublings = min(attempt - 1, 20)
    base: timedelta = min(FIRST_RETRY * 2**doublings, LONGEST_WAIT)
    scaled: timedelta = base * (1 - JITTER + 2 * JITTER * rand)
    return scaled


@dataclass
class Delivery:
    subscription_id: int
    event_id: str
    event_type: str
    body: str  # exactly the bytes signed and sent (UTF-8), the same on every attempt
    created_at: datetime
    id: int | None = None
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0  # attempts claimed by the schedule (manual ones not counted)
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None

    @classmethod
    def due_now(
        cls, subscription_id: int, event_id: str, event_type: str, body: str, at: datetime
    ) -> Delivery:
        return cls(subscription_id, event_id, event_type, body, created_at=at, next_attempt_at=at)

    @classmethod
    def made_once(
        cls, subscription_id: int, event_id: str, event_type: str, body: str, attempt: Attempt
    ) -> Delivery:
        """A delivery attempted once at a caller's request (a ping), never retried."""
        succeeded = attempt.outcome.succeeded
        return cls(
            subscription_id,
            event_id,
            event_type,
            body,
            created_at=attempt.at,
            state=DeliveryState.DELIVERED if succeeded else DeliveryState.FAILED,
            delivered_at=attempt.at if succeeded else None,
        )

    @property
    def deadline(self) -> datetime:
        return self.created_at + WINDOW

    def is_due(self, now: datetime) -> bool:
        return (
            self.state is DeliveryState.PENDING
            and self.next_attempt_at is not None
            and self.next_attempt_at <= now
        )

    def claim(self, now: datetime, rand: float) -> bool:
        """Take the next scheduled attempt, due now; False if it is not due.

        The time of the attempt after this one is set now, before the request is sent,
        so a worker that dies in the middle leaves a delivery that is retried then, as
        if the attempt had failed. Past MAX_ATTEMPTS the delivery is given up instead.
        """
        if not self.is_due(now):
            return False
        if self.attempts >= MAX_ATTEMPTS:
            self._finish(DeliveryState.FAILED)
            return False
        self.attempts += 1
        if now >= self.deadline:
            self.next_attempt_at = now + LEASE
        else:
            self.next_attempt_at = min(now + retry_delay(self.attempts, rand), self.deadline)
        return True

    def record(self, attempt: Attempt) -> AfterAttempt:
        """Take an attempt's outcome into the delivery's state; say what follows."""
        outcome = attempt.outcome
        if outcome.succeeded:
            if self.state is not DeliveryState.DELIVERED:
                self._finish(DeliveryState.DELIVERED)
                self.delivered_at = attempt.at
            return AfterAttempt.DELIVERED
        if outcome.gone:
            if self.state is DeliveryState.PENDING:
                self._finish(DeliveryState.FAILED)
            return AfterAttempt.GONE
        if attempt.manual or self.state is not DeliveryState.PENDING:
            return AfterAttempt.UNCHANGED
        if attempt.at >= self.deadline:
            self._finish(DeliveryState.FAILED)
            return AfterAttempt.GAVE_UP
        return AfterAttempt.RETRY

    def cancel(self) -> bool:
        if self.state is not DeliveryState.PENDING:
            return False
        self._finish(DeliveryState.CANCELLED)
        return True

    def _finish(self, state: DeliveryState) -> None:
        self.state = state
        self.next_attempt_at = None


@dataclass(frozen=True, slots=True)
class WebhookMessage:
    """One request to a receiver, per Standard Webhooks: `id` goes in webhook-id (the
    receiver's idempotency key), `timestamp` in webhook-timestamp, and `body` is signed
    with each of `secrets` (a space-separated list in webhook-signature)."""

    url: WebhookUrl
    id: str
    timestamp: datetime
    body: str
    secrets: tuple[str, ...]
