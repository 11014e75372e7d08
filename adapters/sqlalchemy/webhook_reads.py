"""The read side of webhooks: prebuilt Core selects into the DTOs of
application.webhook_views, each on a connection of its own with no transaction (see
`engine.for_reads`), keyset-paginated along an index.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import for_reads
from adapters.sqlalchemy.tables import (
    logs,
    webhook_attempts,
    webhook_deliveries,
    webhook_subscriptions,
)
from application.ports import WebhookReadModel
from application.webhook_views import AttemptView, DeliveryView, SubscriptionView
from domain.values import LogSlug
from domain.webhooks import DeliveryState

_subs = webhook_subscriptions
_deliveries = webhook_deliveries
_attempts = webhook_attempts
# Larger than any id: the first page of a list that runs newest first.
_NO_ID_ABOVE = 2**63 - 1

_SUBSCRIPTION_VIEW: Select[Any] = select(
    _subs.c.id,
    logs.c.slug,
    _subs.c.url,
    _subs.c.events,
    _subs.c.description,
    _subs.c.enabled,
    _subs.c.disabled_reason,
    _subs.c.disabled_at,
    _subs.c.last_success_at,
    _subs.c.created_at,
    _subs.c.version,
).join(logs, logs.c.id == _subs.c.log_id)
_SUBSCRIPTIONS: Select[Any] = (
    _SUBSCRIPTION_VIEW.where(logs.c.slug == bindparam("slug"), _subs.c.id > bindparam("after"))
    .order_by(_subs.c.id)
    .limit(bindparam("limit"))
)
_SUBSCRIPTION: Select[Any] = _SUBSCRIPTION_VIEW.where(
    logs.c.slug == bindparam("slug"), _subs.c.id == bindparam("id")
)
_DELIVERIES: Select[Any] = (
    select(
        _deliveries.c.id,
        _deliveries.c.event_id,
        _deliveries.c.event_type,
        _deliveries.c.state,
        _deliveries.c.created_at,
        _deliveries.c.next_attempt_at,
        _deliveries.c.delivered_at,
    )
    .where(
        _deliveries.c.subscription_id == bindparam("subscription_id"),
        _deliveries.c.id < bindparam("before"),
    )
    .order_by(_deliveries.c.id.desc())
    .limit(bindparam("limit"))
)
_ATTEMPTS: Select[Any] = (
    select(
        _attempts.c.delivery_id,
        _attempts.c.at,
        _attempts.c.status_code,
        _attempts.c.duration_ms,
        _attempts.c.reply,
        _attempts.c.error,
        _attempts.c.manual,
    )
    .where(_attempts.c.delivery_id.in_(bindparam("delivery_ids", expanding=True)))
    .order_by(_attempts.c.delivery_id, _attempts.c.id)
)
_DUE = (
    select(_deliveries.c.id)
    .where(
        _deliveries.c.next_attempt_at <= bindparam("now"),
        _deliveries.c.state == DeliveryState.PENDING.value,
    )
    .order_by(_deliveries.c.next_attempt_at)
    .limit(bindparam("limit"))
)


class SqlAlchemyWebhookReadModel(WebhookReadModel):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = for_reads(engine)

    async def subscriptions(
        self, log: LogSlug, *, limit: int, after: int | None
    ) -> list[SubscriptionView]:
        params = {"slug": log.value, "after": 0 if after is None else after, "limit": limit}
        async with self._engine.connect() as connection:
            rows = (await connection.execute(_SUBSCRIPTIONS, params)).all()
        return [_subscription_view(row) for row in rows]

    async def subscription(self, log: LogSlug, subscription_id: int) -> SubscriptionView | None:
        params = {"slug": log.value, "id": subscription_id}
        async with self._engine.connect() as connection:
            row = (await connection.execute(_SUBSCRIPTION, params)).one_or_none()
        return None if row is None else _subscription_view(row)

    async def deliveries(
        self, subscription_id: int, *, limit: int, before: int | None
    ) -> list[DeliveryView]:
        params = {
            "subscription_id": subscription_id,
            "before": _NO_ID_ABOVE if before is None else before,
            "limit": limit,
        }
        async with self._engine.connect() as connection:
            rows = (await connection.execute(_DELIVERIES, params)).all()
            attempts: dict[int, list[AttemptView]] = defaultdict(list)
            if rows:
                ids = [row.id for row in rows]
                for attempt in await connection.execute(_ATTEMPTS, {"delivery_ids": ids}):
                    attempts[attempt.delivery_id].append(_attempt_view(attempt))
        return [
            DeliveryView(
                id=row.id,
                event_id=row.event_id,
                event_type=row.event_type,
                state=row.state,
                created_at=row.created_at,
                next_attempt_at=row.next_attempt_at,
                delivered_at=row.delivered_at,
                attempts=tuple(attempts[row.id]),
            )
            for row in rows
        ]

    async def due_deliveries(self, now: datetime, limit: int) -> list[int]:
        async with self._engine.connect() as connection:
            result = await connection.execute(_DUE, {"now": now, "limit": limit})
            return list(result.scalars())


def _subscription_view(row: Row[Any]) -> SubscriptionView:
    return SubscriptionView(
        id=row.id,
        log=row.slug,
        url=row.url,
        events=tuple(row.events),
        description=row.description,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        disabled_at=row.disabled_at,
        last_success_at=row.last_success_at,
        created_at=row.created_at,
        version=row.version,
    )


def _attempt_view(row: Row[Any]) -> AttemptView:
    return AttemptView(
        at=row.at,
        status_code=row.status_code,
        duration_ms=row.duration_ms,
        reply=row.reply,
        error=row.error,
        manual=row.manual,
    )
