"""The write side of webhooks: subscriptions and deliveries, in one transaction per unit
of work. Rows are locked as they are read (FOR UPDATE on PostgreSQL; on SQLite the unit
of work holds the write lock from its first statement), so a read-modify-write never
loses a concurrent change.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sqlalchemy.tables import (
    logs,
    webhook_attempts,
    webhook_deliveries,
    webhook_subscriptions,
)
from application.ports import (
    WebhookDeliveryRepository,
    WebhookSubscriptionRepository,
    WebhookUnitOfWork,
)
from domain.values import LogSlug
from domain.webhooks import Attempt, Delivery, DeliveryState, Subscription, WebhookUrl

_subs = webhook_subscriptions
_deliveries = webhook_deliveries

_SUBSCRIPTION = select(_subs, logs.c.slug).join(logs, logs.c.id == _subs.c.log_id)
_GET_SUBSCRIPTION = _SUBSCRIPTION.where(_subs.c.id == bindparam("id")).with_for_update(of=_subs)
_GET_SUBSCRIPTION_IN_LOG = _GET_SUBSCRIPTION.where(logs.c.slug == bindparam("slug"))
_ENABLED_IN = _SUBSCRIPTION.where(logs.c.slug == bindparam("slug"), _subs.c.enabled).order_by(
    _subs.c.id
)
_INSERT_SUBSCRIPTION = (
    insert(_subs)
    .values(log_id=select(logs.c.id).where(logs.c.slug == bindparam("slug")).scalar_subquery())
    .returning(_subs.c.id)
)
_SETTINGS = (
    "url",
    "events",
    "description",
    "secret",
    "previous_secret",
    "previous_secret_expires_at",
    "enabled",
    "disabled_reason",
    "disabled_at",
    "last_success_at",
    "version",
)
# Bound as s_<column>: a bind parameter may not take the name of a column it sets.
_UPDATE_SUBSCRIPTION = (
    update(_subs)
    .where(_subs.c.id == bindparam("subscription_id"))
    .values({name: bindparam(f"s_{name}") for name in _SETTINGS})
)
_DELETE_SUBSCRIPTION = delete(_subs).where(_subs.c.id == bindparam("id"))

_INSERT_DELIVERY = insert(_deliveries).returning(_deliveries.c.id)
_NEW_DELIVERY = {
    dialect: module.insert(_deliveries).on_conflict_do_nothing(
        index_elements=[_deliveries.c.event_id, _deliveries.c.subscription_id]
    )
    for dialect, module in (("postgresql", postgresql), ("sqlite", sqlite))
}
_PENDING_OF_EVENT = (
    select(_deliveries.c.id)
    .where(
        _deliveries.c.event_id == bindparam("event_id"),
        _deliveries.c.state == DeliveryState.PENDING.value,
    )
    .order_by(_deliveries.c.id)
)
_SUBSCRIPTION_OF = select(_deliveries.c.subscription_id).where(_deliveries.c.id == bindparam("id"))
_GET_DELIVERY = select(_deliveries).where(_deliveries.c.id == bindparam("id")).with_for_update()
_GET_DELIVERY_OF = _GET_DELIVERY.where(
    _deliveries.c.subscription_id == bindparam("subscription_id")
)
_UPDATE_DELIVERY = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("delivery_id"))
    .values(
        state=bindparam("d_state"),
        attempts=bindparam("d_attempts"),
        next_attempt_at=bindparam("d_next_attempt_at"),
        delivered_at=bindparam("d_delivered_at"),
    )
)
_CANCEL_PENDING = (
    update(_deliveries)
    .where(
        _deliveries.c.subscription_id == bindparam("c_subscription_id"),
        _deliveries.c.state == DeliveryState.PENDING.value,
    )
    .values(state=DeliveryState.CANCELLED.value, next_attempt_at=None)
)
_INSERT_ATTEMPT = insert(webhook_attempts)


def _subscription_columns(subscription: Subscription) -> dict[str, Any]:
    return {
        "url": subscription.url.value,
        "events": sorted(subscription.events),
        "description": subscription.description,
        "secret": subscription.secret,
        "previous_secret": subscription.previous_secret,
        "previous_secret_expires_at": subscription.previous_secret_expires_at,
        "enabled": subscription.enabled,
        "disabled_reason": subscription.disabled_reason,
        "disabled_at": subscription.disabled_at,
        "last_success_at": subscription.last_success_at,
        "created_at": subscription.created_at,
        "version": subscription.version,
    }


def _subscription_from_row(row: Row[Any]) -> Subscription:
    return Subscription(
        id=row.id,
        log=LogSlug(row.slug),
        url=WebhookUrl(row.url),
        events=frozenset(row.events),
        description=row.description,
        secret=row.secret,
        previous_secret=row.previous_secret,
        previous_secret_expires_at=row.previous_secret_expires_at,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        disabled_at=row.disabled_at,
        last_success_at=row.last_success_at,
        created_at=row.created_at,
        version=row.version,
    )


def _delivery_row(delivery: Delivery) -> dict[str, Any]:
    return {
        "subscription_id": delivery.subscription_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "body": delivery.body,
        "state": delivery.state.value,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
    }


def _delivery_from_row(row: Row[Any]) -> Delivery:
    return Delivery(
        id=row.id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        body=row.body,
        created_at=row.created_at,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
    )


def _storable(text: str) -> str:
    """Text PostgreSQL can store: it refuses NUL characters, which a reply may hold."""
    return text.replace("\x00", "\ufffd")


class SqlAlchemyWebhookSubscriptionRepository(WebhookSubscriptionRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, subscription: Subscription) -> int:
        result = await self._connection.execute(
            _INSERT_SUBSCRIPTION,
            {"slug": subscription.log.value, **_subscription_columns(subscription)},
        )
        subscription.id = result.scalar_one()
        return subscription.id

    async def get(self, subscription_id: int, log: LogSlug | None = None) -> Subscription | None:
        if log is None:
            result = await self._connection.execute(_GET_SUBSCRIPTION, {"id": subscription_id})
        else:
            result = await self._connection.execute(
                _GET_SUBSCRIPTION_IN_LOG, {"id": subscription_id, "slug": log.value}
            )
        row = result.one_or_none()
        return None if row is None else _subscription_from_row(row)

    async def save(self, subscription: Subscription) -> None:
        columns = _subscription_columns(subscription)
        await self._connection.execute(
            _UPDATE_SUBSCRIPTION,
            {"subscription_id": subscription.id, **{f"s_{n}": columns[n] for n in _SETTINGS}},
        )

    async def remove(self, subscription: Subscription) -> None:
        await self._connection.execute(_DELETE_SUBSCRIPTION, {"id": subscription.id})

    async def enabled_in(self, log: LogSlug) -> list[Subscription]:
        result = await self._connection.execute(_ENABLED_IN, {"slug": log.value})
        return [_subscription_from_row(row) for row in result]


class SqlAlchemyWebhookDeliveryRepository(WebhookDeliveryRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, delivery: Delivery) -> int:
        result = await self._connection.execute(_INSERT_DELIVERY, _delivery_row(delivery))
        delivery.id = result.scalar_one()
        return delivery.id

    async def add_missing(self, deliveries: list[Delivery]) -> None:
        if deliveries:
            statement = _NEW_DELIVERY[self._connection.dialect.name]
            await self._connection.execute(statement, [_delivery_row(d) for d in deliveries])

    async def pending_of_event(self, event_id: str) -> list[int]:
        result = await self._connection.execute(_PENDING_OF_EVENT, {"event_id": event_id})
        return list(result.scalars())

    async def subscription_of(self, delivery_id: int) -> int | None:
        result = await self._connection.execute(_SUBSCRIPTION_OF, {"id": delivery_id})
        subscription_id: int | None = result.scalar_one_or_none()
        return subscription_id

    async def get(self, delivery_id: int, subscription_id: int | None = None) -> Delivery | None:
        if subscription_id is None:
            result = await self._connection.execute(_GET_DELIVERY, {"id": delivery_id})
        else:
            result = await self._connection.execute(
                _GET_DELIVERY_OF, {"id": delivery_id, "subscription_id": subscription_id}
            )
        row = result.one_or_none()
        return None if row is None else _delivery_from_row(row)

    async def save(self, delivery: Delivery) -> None:
        await self._connection.execute(
            _UPDATE_DELIVERY,
            {
                "delivery_id": delivery.id,
                "d_state": delivery.state.value,
                "d_attempts": delivery.attempts,
                "d_next_attempt_at": delivery.next_attempt_at,
                "d_delivered_at": delivery.delivered_at,
            },
        )

    async def add_attempt(self, delivery_id: int, attempt: Attempt) -> None:
        outcome = attempt.outcome
        await self._connection.execute(
            _INSERT_ATTEMPT,
            {
                "delivery_id": delivery_id,
                "at": attempt.at,
                "status_code": outcome.status_code,
                "duration_ms": outcome.duration_ms,
                "reply": _storable(outcome.reply_excerpt),
                "error": None if outcome.error is None else _storable(outcome.error),
                "manual": attempt.manual,
            },
        )

    async def cancel_pending(self, subscription_id: int) -> None:
        await self._connection.execute(_CANCEL_PENDING, {"c_subscription_id": subscription_id})


@dataclass(frozen=True, slots=True)
class _Open:
    connection: AsyncConnection
    subscriptions: SqlAlchemyWebhookSubscriptionRepository
    deliveries: SqlAlchemyWebhookDeliveryRepository


class SqlAlchemyWebhookUnitOfWork(WebhookUnitOfWork):
    """One transaction; leaving without commit rolls back. It can be opened again after
    it is left (a handler does so around a request to a receiver)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._open: _Open | None = None

    @property
    def subscriptions(self) -> SqlAlchemyWebhookSubscriptionRepository:
        return self._current().subscriptions

    @property
    def deliveries(self) -> SqlAlchemyWebhookDeliveryRepository:
        return self._current().deliveries

    async def __aenter__(self) -> Self:
        if self._open is not None:
            raise RuntimeError("this unit of work is already open")
        connection = await self._engine.connect()
        self._open = _Open(
            connection,
            SqlAlchemyWebhookSubscriptionRepository(connection),
            SqlAlchemyWebhookDeliveryRepository(connection),
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        opened, self._open = self._current(), None
        # Closing rolls back whatever was not committed.
        await opened.connection.close()

    async def commit(self) -> None:
        await self._current().connection.commit()

    def _current(self) -> _Open:
        if self._open is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._open
