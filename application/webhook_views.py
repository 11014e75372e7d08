"""What the webhook queries and commands return: plain DTOs for the entrypoints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.webhooks import Attempt, Delivery, Subscription


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    id: int
    log: str
    url: str
    events: tuple[str, ...]  # sorted
    description: str
    enabled: bool
    disabled_reason: str | None
    disabled_at: dt.datetime | None
    last_success_at: dt.datetime | None
    created_at: dt.datetime
    version: int


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    """A subscription with its signing secret: only in the reply that created or
    rotated it; the secret is never shown again."""

    subscription: SubscriptionView
    secret: str


@dataclass(frozen=True, slots=True)
class AttemptView:
    at: dt.datetime
    status_code: int | None
    duration_ms: int
    reply: str  # the first KiB of the reply's body
    error: str | None
    manual: bool


@dataclass(frozen=True, slots=True)
class DeliveryView:
    id: int
    event_id: str
    event_type: str
    state: str
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    attempts: tuple[AttemptView, ...]  # oldest first


@dataclass(frozen=True, slots=True)
class AttemptReport:
    """The outcome of an attempt made at a caller's request (a ping, a redelivery)."""

    delivery_id: int
    event_id: str
    succeeded: bool
    delivery_state: str
    attempt: AttemptView


def subscription_view(subscription: Subscription) -> SubscriptionView:
    assert subscription.id is not None, "a subscription is viewed once stored"
    return SubscriptionView(
        id=subscription.id,
        log=subscription.log.value,
        url=subscription.url.value,
        events=tuple(sorted(subscription.events)),
        description=subscription.description,
        enabled=subscription.enabled,
        disabled_reason=subscription.disabled_reason,
        disabled_at=subscription.disabled_at,
        last_success_at=subscription.last_success_at,
        created_at=subscription.created_at,
        version=subscription.version,
    )


def attempt_view(attempt: Attempt) -> AttemptView:
    outcome = attempt.outcome
    return AttemptView(
        at=attempt.at,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        reply=outcome.reply_excerpt,
        error=outcome.error,
        manual=attempt.manual,
    )


def attempt_report(delivery: Delivery, attempt: Attempt) -> AttemptReport:
    assert delivery.id is not None, "a delivery is reported once stored"
    return AttemptReport(
        delivery_id=delivery.id,
        event_id=delivery.event_id,
        succeeded=attempt.outcome.succeeded,
        delivery_state=delivery.state.value,
        attempt=attempt_view(attempt),
    )
