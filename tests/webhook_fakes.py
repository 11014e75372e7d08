"""In-memory fakes of the webhook ports, and a resolver that answers DNS from a table.

The unit of work works on a copy of the store and puts it back only on commit, so a
failed or abandoned transaction leaves the store as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from ipaddress import ip_address
from types import TracebackType
from typing import Self

from adapters.webhooks.addresses import IPAddress
from adapters.webhooks.resolver import HostResolver
from application.ports import WebhookSender
from application.webhook_views import (
    DeliveryView,
    SubscriptionView,
    attempt_view,
    subscription_view,
)
from domain.values import LogSlug
from domain.webhooks import (
    Attempt,
    AttemptOutcome,
    Delivery,
    DeliveryState,
    Subscription,
    WebhookMessage,
    WebhookUrl,
)


@dataclass
class WebhookStore:
    subscriptions: dict[int, Subscription] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    attempts: list[tuple[int, Attempt]] = field(default_factory=list)
    next_id: int = 1

    def take_id(self) -> int:
        taken, self.next_id = self.next_id, self.next_id + 1
        return taken

    def attempts_of(self, delivery_id: int) -> list[Attempt]:
        return [attempt for owner, attempt in self.attempts if owner == delivery_id]


class FakeSubscriptionRepository:
    def __init__(self, store: WebhookStore) -> None:
        self._store = store

    async def add(self, subscription: Subscription) -> int:
        subscription.id = self._store.take_id()
        self._store.subscriptions[subscription.id] = copy.deepcopy(subscription)
        return subscription.id

    async def get(self, subscription_id: int, log: LogSlug | None = None) -> Subscription | None:
        found = self._store.subscriptions.get(subscription_id)
        if found is None or (log is not None and found.log != log):
            return None
        return copy.deepcopy(found)

    async def save(self, subscription: Subscription) -> None:
        assert subscription.id is not None
        self._store.subscriptions[subscription.id] = copy.deepcopy(subscription)

    async def remove(self, subscription: Subscription) -> None:
        assert subscription.id is not None
        del self._store.subscriptions[subscription.id]
        gone = {
            i for i, d in self._store.deliveries.items() if d.subscription_id == subscription.id
        }
        for delivery_id in gone:
            del self._store.deliveries[delivery_id]
        self._store.attempts = [(i, a) for i, a in self._store.attempts if i not in gone]

    async def enabled_in(self, log: LogSlug) -> list[Subscription]:
        return [
            copy.deepcopy(s)
            for _, s in sorted(self._store.subscriptions.items())
            if s.log == log and s.enabled
        ]


class FakeDeliveryRepository:
    def __init__(self, store: WebhookStore) -> None:
        self._store = store

    async def add(self, delivery: Delivery) -> int:
        delivery.id = self._store.take_id()
        self._store.deliveries[delivery.id] = copy.deepcopy(delivery)
        return delivery.id

    async def add_missing(self, deliveries: list[Delivery]) -> None:
        existing = {(d.event_id, d.subscription_id) for d in self._store.deliveries.values()}
        for delivery in deliveries:
            if (delivery.event_id, delivery.subscription_id) not in existing:
                await self.add(delivery)

    async def pending_of_event(self, event_id: str) -> list[int]:
        return sorted(
            i
            for i, d in self._store.deliveries.items()
            if d.event_id == event_id and d.state is DeliveryState.PENDING
        )

    async def subscription_of(self, delivery_id: int) -> int | None:
        found = self._store.deliveries.get(delivery_id)
        return None if found is None else found.subscription_id

    async def get(self, delivery_id: int, subscription_id: int | None = None) -> Delivery | None:
        found = self._store.deliveries.get(delivery_id)
        if found is None or subscription_id not in (None, found.subscription_id):
            return None
        return copy.deepcopy(found)

    async def save(self, delivery: Delivery) -> None:
        assert delivery.id is not None
        self._store.deliveries[delivery.id] = copy.deepcopy(delivery)

    async def add_attempt(self, delivery_id: int, attempt: Attempt) -> None:
        self._store.attempts.append((delivery_id, attempt))

    async def cancel_pending(self, subscription_id: int) -> None:
        for delivery in self._store.deliveries.values():
            if delivery.subscription_id == subscription_id:
                delivery.cancel()


class FakeWebhookUnitOfWork:
    def __init__(self, store: WebhookStore) -> None:
        self._store = store
        self._work: WebhookStore | None = None
        self.commits = 0

    @property
    def subscriptions(self) -> FakeSubscriptionRepository:
        return FakeSubscriptionRepository(self._current())

    @property
    def deliveries(self) -> FakeDeliveryRepository:
        return FakeDeliveryRepository(self._current())

    async def __aenter__(self) -> Self:
        assert self._work is None, "already open"
        self._work = copy.deepcopy(self._store)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = None

    async def commit(self) -> None:
        work = self._current()
        self._store.__dict__.update(copy.deepcopy(work).__dict__)
        self.commits += 1

    def _current(self) -> WebhookStore:
        assert self._work is not None, "use the unit of work inside `async with`"
        return self._work


class FakeWebhookReadModel:
    def __init__(self, store: WebhookStore) -> None:
        self._store = store

    async def subscriptions(
        self, log: LogSlug, *, limit: int, after: int | None
    ) -> list[SubscriptionView]:
        found = [
            subscription_view(s)
            for i, s in sorted(self._store.subscriptions.items())
            if s.log == log and i > (after or 0)
        ]
        return found[:limit]

    async def subscription(self, log: LogSlug, subscription_id: int) -> SubscriptionView | None:
        found = self._store.subscriptions.get(subscription_id)
        return None if found is None or found.log != log else subscription_view(found)

    async def deliveries(
        self, subscription_id: int, *, limit: int, before: int | None
    ) -> list[DeliveryView]:
        found = [
            DeliveryView(
                id=i,
                event_id=d.event_id,
                event_type=d.event_type,
                state=d.state.value,
                created_at=d.created_at,
                next_attempt_at=d.next_attempt_at,
                delivered_at=d.delivered_at,
                attempts=tuple(attempt_view(a) for a in self._store.attempts_of(i)),
            )
            for i, d in sorted(self._store.deliveries.items(), reverse=True)
            if d.subscription_id == subscription_id and (before is None or i < before)
        ]
        return found[:limit]

    async def due_deliveries(self, now: datetime, limit: int) -> list[int]:
        due = [(d.next_attempt_at, i) for i, d in self._store.deliveries.items() if d.is_due(now)]
        return [i for _, i in sorted(due)][:limit]


OK = AttemptOutcome(200, 12, "ok")


class FakeWebhookSender:
    """Answers each message with `answer(message)` (200 by default), and keeps them."""

    def __init__(self, answer: Callable[[WebhookMessage], AttemptOutcome] | None = None) -> None:
        self.answer = answer or (lambda message: OK)
        self.sent: list[WebhookMessage] = []

    async def send(self, message: WebhookMessage) -> AttemptOutcome:
        self.sent.append(message)
        return self.answer(message)


class FakeTargetPolicy:
    """Refuses the URLs it is told to, with the reason given."""

    def __init__(self, refused: dict[str, str] | None = None) -> None:
        self.refused = refused or {}

    async def refusal(self, url: WebhookUrl) -> str | None:
        return self.refused.get(url.value)


class FakeResolver:
    """DNS from a table: each host's answers in turn (the last one repeats); an unknown
    host does not resolve. Keeps every question asked."""

    def __init__(self, answers: dict[str, list[list[str]]] | None = None) -> None:
        self.answers = answers or {}
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        turns = self.answers.get(host)
        if not turns:
            raise OSError(f"[Errno -2] Name or service not known: {host!r}")
        answer = turns.pop(0) if len(turns) > 1 else turns[0]
        return [ip_address(a) for a in answer]


class PublicResolver:
    """Every name resolves to one public address. Only for apps whose sender is a fake:
    nothing may be sent to it."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        return [ip_address("93.184.215.14")]


def no_webhook_traffic() -> dict[type, object]:
    """Container overrides for apps whose webhooks must reach nothing: every name
    resolves to a public address, and the sender only records."""
    return {HostResolver: PublicResolver(), WebhookSender: FakeWebhookSender()}
