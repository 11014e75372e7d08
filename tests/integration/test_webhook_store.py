"""The webhook repository and reads on SQLite and PostgreSQL: subscriptions round-trip,
fan-out is idempotent in the database, the sweep finds what is due, the delivery log
pages with its attempts, and a concurrent claim is taken once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from random import Random

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.webhook_reads import SqlAlchemyWebhookReadModel
from adapters.sqlalchemy.webhook_repository import SqlAlchemyWebhookUnitOfWork
from application.commands import DeliverWebhook
from application.handlers.webhooks import DeliverWebhookHandler
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
from tests.fakes import FakeClock
from tests.integration.conftest import AT, Registry


def subscription(log: LogSlug, **fields: object) -> Subscription:
    values: dict[str, object] = {
        "log": log,
        "url": WebhookUrl("https://hooks.example.com/adr"),
        "events": frozenset({"decision.accepted", "decision.rejected"}),
        "description": "chat",
        "secret": "whsec_c2VjcmV0",
        "created_at": AT,
    }
    values.update(fields)
    return Subscription(**values)  # type: ignore[arg-type]


async def store(engine: AsyncEngine, *subscriptions: Subscription) -> list[int]:
    async with SqlAlchemyWebhookUnitOfWork(engine) as uow:
        ids = [await uow.subscriptions.add(s) for s in subscriptions]
        await uow.commit()
    return ids


async def fan_out(engine: AsyncEngine, event_id: str, *subscription_ids: int) -> list[int]:
    async with SqlAlchemyWebhookUnitOfWork(engine) as uow:
        await uow.deliveries.add_missing(
            [
                Delivery.due_now(i, event_id, "decision.accepted", '{"a":1}', AT)
                for i in subscription_ids
            ]
        )
        pending = await uow.deliveries.pending_of_event(event_id)
        await uow.commit()
    return pending


async def test_a_subscription_round_trips_with_every_setting(
    engine: AsyncEngine, registry: Registry
) -> None:
    log = await registry.log("platform")
    original = subscription(
        log,
        enabled=False,
        disabled_reason="the receiver answered 410 Gone",
        disabled_at=AT,
        previous_secret="whsec_b2xk",
        previous_secret_expires_at=AT + timedelta(days=1),
        last_success_at=AT,
        version=4,
    )
    [subscription_id] = await store(engine, original)
    async with SqlAlchemyWebhookUnitOfWork(engine) as uow:
        loaded = await uow.subscriptions.get(subscription_id, log)
        assert await uow.subscriptions.get(subscription_id, LogSlug("other")) is None
    assert loaded == original


async def test_saving_changes_settings_and_removing_cascades(
    engine: AsyncEngine, registry: Registry
) -> None:
    log = await registry.log("platform")
    [subscription_id] = await store(engine, subscription(log))
    [delivery_id] = await fan_out(engine, "evt_1", subscription_id)
    async with SqlAlchemyWebhookUnitOfWork(engine) as uow:
        loaded = await uow.subscriptions.get(subscription_id)
        assert loaded is not None
        loaded.change(events=frozenset({"*"}), description="all")
        loaded.disable("disabled by ann", AT)
        await uow.subscriptions.save(loaded)
        await uow.deliveries.cancel_pending(subscription_id)
        await uow.commit()
    async with SqlAlchemyWebhookUnitOfWork(engine) as uow:
        again = await uow.subscriptions.get(subscription_id)
        assert again == loaded
        cancelled = await uow.deliveries.get(delivery_id)
        assert cancelled is not None
        assert cancelled.state is DeliveryState.CANCELLED
        assert cancelled.next_attempt_at is None
        assert await uow.subscriptions.enabled_in(log) == []
        await uow.subscriptions.remove(again)
        await uow.commit()
    async with SqlAlchemyWebhookUnitOfWork(engine) as uow:
        assert await uow.deliveries.get(delivery_id) is None


async def test_fanning_out_an_event_twice_stores_one_delivery_per_subscription(
    engine: AsyncEngine, registry: Registry
) -> None:
    log = await registry.log("platform")
    first, second = await store(engine, subscription(log), subscription(log))
    ids = await fan_out(engine, "evt_1", first, second)
    assert await fan_out(engine, "evt_1", first, second) == ids
    assert len(ids) == 2


async def test_concurrent_fan_outs_of_one_event_store_it_once(
    engine: AsyncEngine, registry: Registry
) -> None:
    log = await registry.log("platform")
    [subscription_id] = await store(engine, subscription(log))
    results = await asyncio.gather(*(fan_out(engine, "evt_1", subscription_id) for _ in range(5)))
    assert len({tuple(r) for r in results}) == 1


async def test_the_sweep_finds_pending_deliveries_that_are_due_most_overdue_first(
    engine: AsyncEngine, registry: Registry
) -> None:
    log = await registry.log("platform")
    [subscription_id] = await store(engine, subscription(log))
    ids = [(await fan_out(engine, f"evt_{n}", subscription_id))[0] for n in range(4)]
    async with SqlAlchemyWebhookUnitOfWork(engine) as uow:
        for offset, delivery_id in zip((30, 10, 20, 0), ids, strict=True):
            delivery = await uow.deliveries.get(delivery_id)
            assert delivery is not None
            delivery.next_attempt_at = AT + timedelta(seconds=offset)
            if offset == 0:
                delivery.state = DeliveryState.DELIVERED
            await uow.deliveries.save(delivery)
        await uow.commit()
    reads = SqlAlchemyWebhookReadModel(engine)
    assert await reads.due_deliveries(AT + timedelta(seconds=20), 10) == [ids[1], ids[2]]
    assert await reads.due_deliveries(AT + timedelta(hours=1), 2) == [ids[1], ids[2]]


async def test_the_delivery_log_pages_newest_first_with_each_attempt(
    engine: AsyncEngine, registry: Registry
) -> None:
    log = await registry.log("platform")
    [subscription_id] = await store(engine, subscription(log))
    ids = [(await fan_out(engine, f"evt_{n}", subscription_id))[0] for n in range(3)]
    reply = "\x00 binary \ufffd" + "z" * 1000
    async with SqlAlchemyWebhookUnitOfWork(engine) as uow:
        await uow.deliveries.add_attempt(ids[0], Attempt(AT, AttemptOutcome(503, 12, reply)))
        late = AT + timedelta(seconds=30)
        timeout = AttemptOutcome(None, 10_000, "", error="no complete reply within 10 s")
        await uow.deliveries.add_attempt(ids[0], Attempt(late, timeout, manual=True))
        await uow.commit()
    reads = SqlAlchemyWebhookReadModel(engine)
    first = await reads.deliveries(subscription_id, limit=2, before=None)
    assert [d.id for d in first] == [ids[2], ids[1]]
    [oldest] = await reads.deliveries(subscription_id, limit=2, before=ids[1])
    assert oldest.id == ids[0]
    assert [(a.status_code, a.error, a.manual) for a in oldest.attempts] == [
        (503, None, False),
        (None, "no complete reply within 10 s", True),
    ]
    # PostgreSQL refuses NUL in text: it is kept as a replacement character.
    assert oldest.attempts[0].reply == "\ufffd binary \ufffd" + "z" * 1000
    assert oldest.attempts[0].at == AT


async def test_the_subscription_list_pages_by_id_within_its_log(
    engine: AsyncEngine, registry: Registry
) -> None:
    log = await registry.log("platform")
    other = await registry.log("other")
    ids = await store(engine, subscription(log), subscription(other), subscription(log))
    reads = SqlAlchemyWebhookReadModel(engine)
    page = await reads.subscriptions(log, limit=10, after=None)
    assert [s.id for s in page] == [ids[0], ids[2]]
    assert [s.id for s in await reads.subscriptions(log, limit=10, after=ids[0])] == [ids[2]]
    assert await reads.subscription(other, ids[0]) is None
    view = await reads.subscription(log, ids[0])
    assert view is not None
    assert (view.events, view.log, view.enabled) == (
        ("decision.accepted", "decision.rejected"),
        "platform",
        True,
    )


class SlowSender:
    """Answers 200 after a moment, counting what it sends."""

    def __init__(self) -> None:
        self.sent: list[WebhookMessage] = []

    async def send(self, message: WebhookMessage) -> AttemptOutcome:
        self.sent.append(message)
        await asyncio.sleep(0.05)
        return AttemptOutcome(200, 50, "")


async def test_two_workers_given_the_same_delivery_send_it_once(
    engine: AsyncEngine, registry: Registry
) -> None:
    log = await registry.log("platform")
    [subscription_id] = await store(engine, subscription(log))
    [delivery_id] = await fan_out(engine, "evt_1", subscription_id)
    sender = SlowSender()
    clock = FakeClock(AT)

    def worker() -> DeliverWebhookHandler:
        return DeliverWebhookHandler(SqlAlchemyWebhookUnitOfWork(engine), sender, clock, Random(1))

    results = await asyncio.gather(*(worker()(DeliverWebhook(delivery_id)) for _ in range(4)))
    assert len(sender.sent) == 1
    assert sorted(r is not None for r in results) == [False, False, False, True]
    async with SqlAlchemyWebhookUnitOfWork(engine) as uow:
        delivered = await uow.deliveries.get(delivery_id)
        loaded = await uow.subscriptions.get(subscription_id)
    assert delivered is not None
    assert loaded is not None
    assert (delivered.state, delivered.attempts, delivered.delivered_at) == (
        DeliveryState.DELIVERED,
        1,
        AT,
    )
    assert loaded.last_success_at == AT
