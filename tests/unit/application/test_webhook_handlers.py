"""The webhook use cases with fakes: who may manage subscriptions, what they refuse, and
the background side (fan-out, delivery attempts, the retry sweep) over a fake clock."""

from __future__ import annotations

import json
from dataclasses import replace
from random import Random
from types import MappingProxyType
from typing import Any

import pytest

from application.commands import (
    CreateWebhook,
    DeleteWebhook,
    DeliverWebhook,
    FanOutEvent,
    FindDueDeliveries,
    GetWebhook,
    ListDeliveries,
    ListWebhooks,
    PingWebhook,
    Redeliver,
    UpdateWebhook,
)
from application.cursors import Cursors
from application.errors import Forbidden, InvalidCursor, NotFound, VersionMismatch
from application.handlers.webhooks import (
    CreateWebhookHandler,
    DeleteWebhookHandler,
    DeliverWebhookHandler,
    DueDeliveriesHandler,
    FanOutEventHandler,
    GetWebhookHandler,
    ListDeliveriesHandler,
    ListWebhooksHandler,
    PingWebhookHandler,
    RedeliverHandler,
    UpdateWebhookHandler,
)
from application.outbound import OutboundEvent
from application.webhook_views import IssuedSecret, SubscriptionView
from domain.errors import InvalidValue
from domain.values import LogSlug
from domain.webhooks import WINDOW, AfterAttempt, AttemptOutcome, DeliveryState, WebhookMessage
from tests.fakes import FakeClock, FakeReadModel
from tests.unit.application.conftest import ADMIN, AUTHOR, DECIDER, OWNER, STRANGER, VIEWER
from tests.webhook_fakes import (
    FakeTargetPolicy,
    FakeWebhookReadModel,
    FakeWebhookSender,
    FakeWebhookUnitOfWork,
    WebhookStore,
)

URL = "https://hooks.example.com/adr"
FAILING = AttemptOutcome(503, 30, "busy")
GONE = AttemptOutcome(410, 30, "gone")

CURSORS = Cursors(b"test key")


class World:
    """The handlers over one set of fakes."""

    def __init__(self, read_model: FakeReadModel, clock: FakeClock) -> None:
        self.store = WebhookStore()
        self.read_model = read_model
        self.clock = clock
        self.sender = FakeWebhookSender()
        self.policy = FakeTargetPolicy({"https://internal.example.com/": "it is private"})
        self.reads = FakeWebhookReadModel(self.store)

    def uow(self) -> FakeWebhookUnitOfWork:
        return FakeWebhookUnitOfWork(self.store)

    async def create(self, events: tuple[str, ...] = ("*",), **fields: Any) -> IssuedSecret:
        handler = CreateWebhookHandler(self.uow(), self.read_model, self.policy, self.clock)
        command = CreateWebhook(actor=OWNER, log=LOG, url=URL, events=events)
        return await handler(replace(command, **fields))

    async def update(self, **fields: Any) -> SubscriptionView | IssuedSecret:
        handler = UpdateWebhookHandler(self.uow(), self.read_model, self.policy, self.clock)
        return await handler(replace(UpdateWebhook(actor=OWNER, log=LOG, id=1), **fields))

    async def fan_out(self, event_id: str = "evt_1", type: str = "decision.accepted") -> list[int]:
        event = OutboundEvent(
            id=event_id,
            type=type,
            log=LOG.value,
            occurred_at=self.clock.now(),
            data={"decision": {"number": 7}},
        )
        return await FanOutEventHandler(self.uow(), self.clock)(FanOutEvent(event))

    async def deliver(self, delivery_id: int) -> AfterAttempt | None:
        handler = DeliverWebhookHandler(self.uow(), self.sender, self.clock, Random(7))
        return await handler(DeliverWebhook(delivery_id))

    async def due(self) -> list[int]:
        return await DueDeliveriesHandler(self.reads, self.clock)(FindDueDeliveries(limit=100))

    def answer(self, outcome: AttemptOutcome) -> None:
        self.sender.answer = lambda message: outcome


LOG = LogSlug("platform")


@pytest.fixture
def world(platform: LogSlug, read_model: FakeReadModel, clock: FakeClock) -> World:
    return World(read_model, clock)


# -- subscriptions --------------------------------------------------------------------


async def test_a_log_admin_subscribes_and_gets_the_secret_once(world: World) -> None:
    issued = await world.create(events=("decision.accepted",), description="chat")
    assert issued.secret.startswith("whsec_")
    assert issued.subscription.url == URL
    assert issued.subscription.events == ("decision.accepted",)
    listed = await ListWebhooksHandler(world.read_model, world.reads, CURSORS)(
        ListWebhooks(actor=OWNER, log=LOG)
    )
    assert [s.id for s in listed.items] == [issued.subscription.id]
    assert "secret" not in {f for f in SubscriptionView.__dataclass_fields__}


@pytest.mark.parametrize(
    ("actor", "error"),
    [(DECIDER, Forbidden), (AUTHOR, Forbidden), (VIEWER, Forbidden), (STRANGER, NotFound)],
)
async def test_only_an_admin_of_the_log_manages_its_webhooks(
    world: World, actor: object, error: type[Exception]
) -> None:
    await world.create()
    with pytest.raises(error):
        await world.create(actor=actor)
    with pytest.raises(error):
        await GetWebhookHandler(world.read_model, world.reads)(
            GetWebhook(actor=actor, log=LOG, id=1)  # type: ignore[arg-type]
        )
    with pytest.raises(error):
        await PingWebhookHandler(world.uow(), world.read_model, world.sender, world.clock)(
            PingWebhook(actor=actor, log=LOG, id=1)  # type: ignore[arg-type]
        )
    assert world.sender.sent == []


async def test_a_site_admin_manages_any_logs_webhooks(world: World) -> None:
    issued = await world.create(actor=ADMIN)
    assert issued.subscription.log == "platform"


async def test_unknown_event_types_are_refused_listing_the_known_ones(world: World) -> None:
    with pytest.raises(InvalidValue) as raised:
        await world.create(events=("decision.acepted",))
    assert raised.value.field == "events"
    assert "decision.accepted" in raised.value.message
    assert "webhook.ping" in raised.value.message
    assert world.store.subscriptions == {}


async def test_a_target_the_policy_refuses_is_refused_with_its_reason(world: World) -> None:
    with pytest.raises(InvalidValue, match="it is private") as raised:
        await world.create(url="https://internal.example.com/")
    assert raised.value.field == "url"
    await world.create()
    with pytest.raises(InvalidValue, match="it is private"):
        await world.update(url="https://internal.example.com/")


async def test_a_url_with_credentials_is_refused_before_any_lookup(world: World) -> None:
    with pytest.raises(InvalidValue, match="credentials"):
        await world.create(url="https://me:pw@hooks.example.com/")


async def test_an_update_needs_the_current_version(world: World) -> None:
    await world.create()
    changed = await world.update(description="new", expected_version=1)
    assert isinstance(changed, SubscriptionView)
    assert (changed.description, changed.version) == ("new", 2)
    with pytest.raises(VersionMismatch):
        await world.update(description="newer", expected_version=1)


async def test_rotating_the_secret_returns_the_new_one_and_signs_with_both_for_a_day(
    world: World,
) -> None:
    old = (await world.create()).secret
    rotated = await world.update(rotate_secret=True)
    assert isinstance(rotated, IssuedSecret)
    assert rotated.secret != old
    report = await PingWebhookHandler(world.uow(), world.read_model, world.sender, world.clock)(
        PingWebhook(actor=OWNER, log=LOG, id=1)
    )
    assert report.succeeded
    assert world.sender.sent[-1].secrets == (rotated.secret, old)


async def test_disabling_by_hand_cancels_pending_deliveries_and_says_who(world: World) -> None:
    await world.create()
    [pending] = await world.fan_out()
    disabled = await world.update(enabled=False)
    assert isinstance(disabled, SubscriptionView)
    assert (disabled.enabled, disabled.disabled_reason) == (False, "disabled by owner")
    assert world.store.deliveries[pending].state is DeliveryState.CANCELLED
    assert await world.deliver(pending) is None
    assert world.sender.sent == []


async def test_deleting_a_webhook_deletes_its_deliveries(world: World) -> None:
    await world.create()
    await world.fan_out()
    await DeleteWebhookHandler(world.uow(), world.read_model)(
        DeleteWebhook(actor=OWNER, log=LOG, id=1)
    )
    assert world.store.subscriptions == {}
    assert world.store.deliveries == {}
    with pytest.raises(NotFound, match="there is no webhook 1 in log 'platform'"):
        await DeleteWebhookHandler(world.uow(), world.read_model)(
            DeleteWebhook(actor=OWNER, log=LOG, id=1)
        )


# -- fan-out, delivery, retries ----------------------------------------------------------


async def test_an_event_fans_out_to_each_enabled_subscription_that_wants_it(world: World) -> None:
    await world.create(events=("decision.accepted",))
    await world.create(events=("decision.rejected",))
    await world.create(events=("*",))
    await world.create()
    await world.update(id=4, enabled=False)
    ids = await world.fan_out(type="decision.accepted")
    assert [world.store.deliveries[i].subscription_id for i in ids] == [1, 3]


async def test_fanning_out_the_same_event_twice_makes_no_second_delivery(world: World) -> None:
    await world.create()
    first = await world.fan_out("evt_1")
    again = await world.fan_out("evt_1")
    assert first == again
    assert len(world.store.deliveries) == 1


async def test_a_delivery_carries_the_event_id_and_the_standard_body(world: World) -> None:
    issued = await world.create()
    [delivery_id] = await world.fan_out("evt_9")
    assert await world.deliver(delivery_id) is AfterAttempt.DELIVERED
    [sent] = world.sender.sent
    assert (sent.id, sent.secrets, sent.url.value) == ("evt_9", (issued.secret,), URL)
    assert json.loads(sent.body) == {
        "type": "decision.accepted",
        "timestamp": "2026-01-05T09:30:00Z",
        "data": {"decision": {"number": 7}},
    }
    delivered = world.store.deliveries[delivery_id]
    assert (delivered.state, delivered.next_attempt_at) == (DeliveryState.DELIVERED, None)
    assert world.store.subscriptions[1].last_success_at == world.clock.now()


async def test_a_delivered_delivery_is_not_sent_again(world: World) -> None:
    await world.create()
    [delivery_id] = await world.fan_out()
    await world.deliver(delivery_id)
    world.clock.advance(days=1)
    assert await world.deliver(delivery_id) is None
    assert len(world.sender.sent) == 1


async def test_a_failed_attempt_is_retried_when_due_and_not_before(world: World) -> None:
    await world.create()
    world.answer(FAILING)
    [delivery_id] = await world.fan_out()
    assert await world.deliver(delivery_id) is AfterAttempt.RETRY
    assert await world.due() == []
    assert await world.deliver(delivery_id) is None  # not due: nothing sent
    assert len(world.sender.sent) == 1
    world.clock.advance(seconds=40)
    assert await world.due() == [delivery_id]
    assert await world.deliver(delivery_id) is AfterAttempt.RETRY
    assert len(world.sender.sent) == 2
    assert [a.outcome.status_code for a in world.store.attempts_of(delivery_id)] == [503, 503]


async def test_410_gone_disables_the_subscription_and_cancels_what_is_pending(
    world: World,
) -> None:
    await world.create()
    world.answer(FAILING)
    [first] = await world.fan_out("evt_1")
    [second] = await world.fan_out("evt_2")
    await world.deliver(second)
    world.answer(GONE)
    assert await world.deliver(first) is AfterAttempt.GONE
    subscription = world.store.subscriptions[1]
    assert not subscription.enabled
    assert subscription.disabled_reason is not None
    assert "410 Gone" in subscription.disabled_reason
    assert world.store.deliveries[first].state is DeliveryState.FAILED
    assert world.store.deliveries[second].state is DeliveryState.CANCELLED
    assert await world.fan_out("evt_3") == []


async def run_out_the_window(world: World, delivery_id: int) -> AfterAttempt | None:
    after = None
    for _ in range(40):
        due = await world.due()
        if delivery_id in due:
            after = await world.deliver(delivery_id)
        if world.store.deliveries[delivery_id].state is not DeliveryState.PENDING:
            return after
        next_at = world.store.deliveries[delivery_id].next_attempt_at
        assert next_at is not None
        world.clock.advance(seconds=(next_at - world.clock.now()).total_seconds())
    raise AssertionError("the delivery never settled")


async def test_a_subscription_failing_for_the_whole_window_is_disabled_saying_why(
    world: World,
) -> None:
    await world.create()
    world.answer(AttemptOutcome(None, 10_000, "", error="no complete reply within 10 s"))
    [delivery_id] = await world.fan_out()
    started = world.clock.now()
    assert await run_out_the_window(world, delivery_id) is AfterAttempt.GAVE_UP
    assert world.clock.now() == started + WINDOW
    subscription = world.store.subscriptions[1]
    assert not subscription.enabled
    reason = subscription.disabled_reason
    assert reason is not None
    assert "failed for 3 days" in reason
    assert "no complete reply within 10 s" in reason
    assert "re-enable" in reason


async def test_a_success_meanwhile_keeps_the_subscription_enabled(world: World) -> None:
    await world.create()
    world.answer(FAILING)
    [stuck] = await world.fan_out("evt_1")
    world.clock.advance(hours=1)
    world.answer(AttemptOutcome(200, 5, "ok"))
    [fine] = await world.fan_out("evt_2")
    assert await world.deliver(fine) is AfterAttempt.DELIVERED

    def fail_the_stuck_one(message: WebhookMessage) -> AttemptOutcome:
        return FAILING if message.id == "evt_1" else AttemptOutcome(200, 5, "ok")

    world.sender.answer = fail_the_stuck_one
    assert await run_out_the_window(world, stuck) is AfterAttempt.GAVE_UP
    assert world.store.subscriptions[1].enabled
    assert world.store.deliveries[stuck].state is DeliveryState.FAILED


async def test_re_enabling_clears_the_reason_and_deliveries_flow_again(world: World) -> None:
    await world.create()
    world.answer(GONE)
    [delivery_id] = await world.fan_out("evt_1")
    await world.deliver(delivery_id)
    enabled = await world.update(enabled=True)
    assert isinstance(enabled, SubscriptionView)
    assert (enabled.enabled, enabled.disabled_reason, enabled.disabled_at) == (True, None, None)
    assert len(await world.fan_out("evt_2")) == 1


async def test_the_sweep_lists_due_deliveries_most_overdue_first(world: World) -> None:
    await world.create()
    world.answer(FAILING)
    first = (await world.fan_out("evt_1"))[0]
    world.clock.advance(seconds=5)
    second = (await world.fan_out("evt_2"))[0]
    assert await world.due() == [first, second]
    with pytest.raises(InvalidValue, match="limit"):
        await DueDeliveriesHandler(world.reads, world.clock)(FindDueDeliveries(limit=0))


# -- pings and redeliveries ---------------------------------------------------------------


async def test_a_ping_is_sent_at_once_and_logged_as_a_delivery(world: World) -> None:
    await world.create(events=("decision.accepted",))
    ping = PingWebhookHandler(world.uow(), world.read_model, world.sender, world.clock)
    report = await ping(PingWebhook(actor=OWNER, log=LOG, id=1))
    assert (report.succeeded, report.delivery_state) == (True, "delivered")
    assert report.attempt.manual
    [sent] = world.sender.sent
    assert sent.id.startswith("ping_")
    assert json.loads(sent.body)["type"] == "webhook.ping"
    page = await ListDeliveriesHandler(world.read_model, world.reads, CURSORS)(
        ListDeliveries(actor=OWNER, log=LOG, id=1)
    )
    assert [(d.event_type, d.state, len(d.attempts)) for d in page.items] == [
        ("webhook.ping", "delivered", 1)
    ]


async def test_a_failed_ping_is_reported_and_not_retried(world: World) -> None:
    await world.create()
    world.answer(FAILING)
    ping = PingWebhookHandler(world.uow(), world.read_model, world.sender, world.clock)
    report = await ping(PingWebhook(actor=OWNER, log=LOG, id=1))
    assert (report.succeeded, report.delivery_state, report.attempt.status_code) == (
        False,
        "failed",
        503,
    )
    assert await world.due() == []


async def test_a_redelivery_resends_the_same_event_and_a_success_delivers_it(
    world: World,
) -> None:
    await world.create()
    world.answer(FAILING)
    [delivery_id] = await world.fan_out("evt_5")
    await world.deliver(delivery_id)
    world.answer(AttemptOutcome(202, 5, ""))
    world.clock.advance(seconds=1)
    redeliver = RedeliverHandler(world.uow(), world.read_model, world.sender, world.clock)
    report = await redeliver(Redeliver(actor=OWNER, log=LOG, id=1, delivery_id=delivery_id))
    assert (report.succeeded, report.delivery_state, report.event_id) == (
        True,
        "delivered",
        "evt_5",
    )
    first, again = world.sender.sent
    assert (again.id, again.body) == (first.id, first.body)
    assert again.timestamp > first.timestamp
    assert await world.due() == []


async def test_a_delivery_of_another_webhook_cannot_be_redelivered(world: World) -> None:
    await world.create()
    await world.create()
    [delivery_id] = [
        i for i in await world.fan_out() if world.store.deliveries[i].subscription_id == 1
    ]
    redeliver = RedeliverHandler(world.uow(), world.read_model, world.sender, world.clock)
    with pytest.raises(NotFound, match="webhook 2 of log 'platform' has no delivery"):
        await redeliver(Redeliver(actor=OWNER, log=LOG, id=2, delivery_id=delivery_id))


async def test_the_delivery_log_pages_newest_first(world: World) -> None:
    await world.create()
    ids = [(await world.fan_out(f"evt_{n}"))[0] for n in range(5)]
    handler = ListDeliveriesHandler(world.read_model, world.reads, CURSORS)
    first = await handler(ListDeliveries(actor=OWNER, log=LOG, id=1, limit=2))
    second = await handler(
        ListDeliveries(actor=OWNER, log=LOG, id=1, limit=2, cursor=first.next_cursor)
    )
    third = await handler(
        ListDeliveries(actor=OWNER, log=LOG, id=1, limit=2, cursor=second.next_cursor)
    )
    seen = [d.id for page in (first, second, third) for d in page.items]
    assert seen == sorted(ids, reverse=True)
    assert third.next_cursor is None


async def test_the_delivery_log_of_an_unknown_webhook_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        await ListDeliveriesHandler(world.read_model, world.reads, CURSORS)(
            ListDeliveries(actor=OWNER, log=LOG, id=9)
        )


async def test_a_deliver_task_for_a_vanished_delivery_does_nothing(world: World) -> None:
    assert await world.deliver(404) is None
    assert world.sender.sent == []


async def test_a_cursor_beyond_any_id_is_refused_not_sent_to_the_database(world: World) -> None:
    await world.create()
    webhooks = CURSORS.encode(("webhooks", LOG.value), 2**63)
    with pytest.raises(InvalidCursor):
        await ListWebhooksHandler(world.read_model, world.reads, CURSORS)(
            ListWebhooks(actor=OWNER, log=LOG, cursor=webhooks)
        )
    deliveries = CURSORS.encode(("deliveries", LOG.value, 1), 2**63)
    with pytest.raises(InvalidCursor):
        await ListDeliveriesHandler(world.read_model, world.reads, CURSORS)(
            ListDeliveries(actor=OWNER, log=LOG, id=1, cursor=deliveries)
        )


async def test_a_cursor_of_one_webhooks_deliveries_is_refused_for_another(world: World) -> None:
    await world.create()
    other = CURSORS.encode(("deliveries", LOG.value, 2), 1)
    with pytest.raises(InvalidCursor):
        await ListDeliveriesHandler(world.read_model, world.reads, CURSORS)(
            ListDeliveries(actor=OWNER, log=LOG, id=1, cursor=other)
        )


async def test_event_data_in_any_mapping_makes_a_json_body(world: World) -> None:
    await world.create()
    outbound = OutboundEvent(
        id="evt_m",
        type="decision.accepted",
        log=LOG.value,
        occurred_at=world.clock.now(),
        data=MappingProxyType({"tags": frozenset({"b", "a"}), "nested": MappingProxyType({})}),
    )
    [delivery_id] = await FanOutEventHandler(world.uow(), world.clock)(FanOutEvent(outbound))
    body = json.loads(world.store.deliveries[delivery_id].body)
    assert body["data"] == {"tags": ["a", "b"], "nested": {}}
