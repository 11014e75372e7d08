"""Webhooks: subscriptions (admin role on the log), pings and redeliveries made at once,
and the background side that the Celery tasks call: fan an event out into deliveries,
make a delivery's next attempt, find the deliveries that are due.

A request to a receiver (up to the sender's timeout) is never made inside a database
transaction: the attempt is claimed and committed first, then sent, then recorded.
"""

from __future__ import annotations

from random import Random

from application.access import authorize
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
from application.cursors import ROW_ID, Cursors, Scope
from application.errors import NotFound, VersionMismatch
from application.handlers.queries import _check_limit, _page
from application.outbound import EVENT_TYPES
from application.ports import (
    Clock,
    ReadModel,
    WebhookReadModel,
    WebhookSender,
    WebhookTargetPolicy,
    WebhookUnitOfWork,
)
from application.views import Actor, Page, actor_name
from application.webhook_messages import new_ping_id, new_webhook_secret, webhook_body
from application.webhook_views import (
    AttemptReport,
    DeliveryView,
    IssuedSecret,
    SubscriptionView,
    attempt_report,
    subscription_view,
)
from domain.errors import InvalidValue
from domain.values import LogSlug, Role
from domain.webhooks import (
    WINDOW,
    AfterAttempt,
    Attempt,
    AttemptOutcome,
    Delivery,
    Subscription,
    WebhookMessage,
    WebhookUrl,
    event_selection,
)

PING = "webhook.ping"


async def _authorize_admin(read_model: ReadModel, actor: Actor, log: LogSlug) -> None:
    _, access = await read_model.log_access(log, actor)
    authorize(actor, access, Role.ADMIN, log)


async def _allowed_target(policy: WebhookTargetPolicy, url: WebhookUrl) -> WebhookUrl:
    refusal = await policy.refusal(url)
    if refusal is not None:
        raise InvalidValue("url", refusal)
    return url


def _after(cursors: Cursors, cursor: str | None, scope: Scope) -> int | None:
    if cursor is None:
        return None
    (key,) = cursors.decode(cursor, scope, ROW_ID)
    return int(key)


def _no_webhook(log: LogSlug, subscription_id: int) -> NotFound:
    return NotFound(f"there is no webhook {subscription_id} in log '{log}'")


async def _subscription(uow: WebhookUnitOfWork, log: LogSlug, subscription_id: int) -> Subscription:
    subscription = await uow.subscriptions.get(subscription_id, log)
    if subscription is None:
        raise _no_webhook(log, subscription_id)
    return subscription


def _described(outcome: AttemptOutcome) -> str:
    if outcome.status_code is None:
        return outcome.error or "no reply"
    return f"HTTP {outcome.status_code}"


async def _disable(
    uow: WebhookUnitOfWork, subscription: Subscription, reason: str, attempt: Attempt
) -> None:
    if subscription.disable(reason, attempt.at):
        assert subscription.id is not None
        await uow.deliveries.cancel_pending(subscription.id)


async def _settle(
    uow: WebhookUnitOfWork,
    subscription: Subscription,
    delivery: Delivery,
    attempt: Attempt,
    after: AfterAttempt,
) -> None:
    """Store the attempt and the delivery, and what they mean for the subscription:
    a success is noted, a 410 disables it, a delivery that failed for its whole window
    disables it unless another got through meanwhile."""
    assert delivery.id is not None
    await uow.deliveries.add_attempt(delivery.id, attempt)
    await uow.deliveries.save(delivery)
    at = f"{attempt.at:%Y-%m-%d %H:%M} UTC"
    if attempt.outcome.succeeded:
        if subscription.last_success_at is None or subscription.last_success_at < attempt.at:
            subscription.last_success_at = attempt.at
    elif after is AfterAttempt.GONE:
        reason = (
            f"the receiver answered 410 Gone at {at}, asking for no more deliveries; "
            "once it wants them again, re-enable the webhook (PATCH with enabled: true)"
        )
        await _disable(uow, subscription, reason, attempt)
    elif after is AfterAttempt.GAVE_UP and subscription.failed_throughout(delivery.created_at):
        reason = (
            f"every delivery failed for {WINDOW.days} days, the last at {at} "
            f"({_described(attempt.outcome)}, event {delivery.event_id}); fix the receiver, "
            "re-enable the webhook (PATCH with enabled: true) and redeliver what it missed"
        )
        await _disable(uow, subscription, reason, attempt)
    await uow.subscriptions.save(subscription)


# -- subscriptions ----------------------------------------------------------------


class CreateWebhookHandler:
    def __init__(
        self,
        uow: WebhookUnitOfWork,
        read_model: ReadModel,
        policy: WebhookTargetPolicy,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.read_model = read_model
        self.policy = policy
        self.clock = clock

    async def __call__(self, cmd: CreateWebhook) -> IssuedSecret:
        await _authorize_admin(self.read_model, cmd.actor, cmd.log)
        url = WebhookUrl(cmd.url)
        events = event_selection(cmd.events, EVENT_TYPES)
        await _allowed_target(self.policy, url)
        subscription = Subscription(
            log=cmd.log,
            url=url,
            events=events,
            description=cmd.description,
            secret=new_webhook_secret(),
            created_at=self.clock.now(),
        )
        async with self.uow:
            await self.uow.subscriptions.add(subscription)
            await self.uow.commit()
        return IssuedSecret(subscription_view(subscription), subscription.secret)


class ListWebhooksHandler:
    def __init__(self, read_model: ReadModel, webhooks: WebhookReadModel, cursors: Cursors) -> None:
        self.read_model = read_model
        self.webhooks = webhooks
        self.cursors = cursors

    async def __call__(self, query: ListWebhooks) -> Page[SubscriptionView]:
        limit = _check_limit(query.limit)
        scope: Scope = ("webhooks", query.log.value)
        after = _after(self.cursors, query.cursor, scope)
        await _authorize_admin(self.read_model, query.actor, query.log)
        rows = await self.webhooks.subscriptions(query.log, limit=limit + 1, after=after)
        return _page(rows, limit, lambda s: self.cursors.encode(scope, s.id))


class GetWebhookHandler:
    def __init__(self, read_model: ReadModel, webhooks: WebhookReadModel) -> None:
        self.read_model = read_model
        self.webhooks = webhooks

    async def __call__(self, query: GetWebhook) -> SubscriptionView:
        await _authorize_admin(self.read_model, query.actor, query.log)
        view = await self.webhooks.subscription(query.log, query.id)
        if view is None:
            raise _no_webhook(query.log, query.id)
        return view


class UpdateWebhookHandler:
    """Change a subscription's settings; rotating the secret returns the new one (the old
    one keeps signing alongside for a day); disabling cancels what is pending."""

    def __init__(
        self,
        uow: WebhookUnitOfWork,
        read_model: ReadModel,
        policy: WebhookTargetPolicy,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.read_model = read_model
        self.policy = policy
        self.clock = clock

    async def __call__(self, cmd: UpdateWebhook) -> SubscriptionView | IssuedSecret:
        await _authorize_admin(self.read_model, cmd.actor, cmd.log)
        url = None if cmd.url is None else await _allowed_target(self.policy, WebhookUrl(cmd.url))
        events = None if cmd.events is None else event_selection(cmd.events, EVENT_TYPES)
        now = self.clock.now()
        async with self.uow:
            subscription = await _subscription(self.uow, cmd.log, cmd.id)
            version = subscription.version
            if cmd.expected_version is not None and cmd.expected_version != version:
                raise VersionMismatch(f"webhook {cmd.id}", cmd.expected_version, version)
            if url is not None or events is not None or cmd.description is not None:
                subscription.change(url=url, events=events, description=cmd.description)
            if cmd.rotate_secret:
                subscription.rotate_secret(new_webhook_secret(), now)
            if cmd.enabled is True:
                subscription.enable()
            elif cmd.enabled is False and subscription.disable(
                f"disabled by {actor_name(cmd.actor)}", now
            ):
                await self.uow.deliveries.cancel_pending(cmd.id)
            if subscription.version != version:
                await self.uow.subscriptions.save(subscription)
                await self.uow.commit()
        view = subscription_view(subscription)
        return IssuedSecret(view, subscription.secret) if cmd.rotate_secret else view


class DeleteWebhookHandler:
    def __init__(self, uow: WebhookUnitOfWork, read_model: ReadModel) -> None:
        self.uow = uow
        self.read_model = read_model

    async def __call__(self, cmd: DeleteWebhook) -> None:
        await _authorize_admin(self.read_model, cmd.actor, cmd.log)
        async with self.uow:
            subscription = await _subscription(self.uow, cmd.log, cmd.id)
            await self.uow.subscriptions.remove(subscription)
            await self.uow.commit()


# -- deliveries made at a caller's request --------------------------------------


class PingWebhookHandler:
    """Send a webhook.ping at once, whatever events the subscription asks for and even
    when it is disabled (to try a receiver before re-enabling it); never retried."""

    def __init__(
        self, uow: WebhookUnitOfWork, read_model: ReadModel, sender: WebhookSender, clock: Clock
    ) -> None:
        self.uow = uow
        self.read_model = read_model
        self.sender = sender
        self.clock = clock

    async def __call__(self, cmd: PingWebhook) -> AttemptReport:
        await _authorize_admin(self.read_model, cmd.actor, cmd.log)
        async with self.uow:
            subscription = await _subscription(self.uow, cmd.log, cmd.id)
        at = self.clock.now()
        event_id = new_ping_id()
        data = {
            "log": cmd.log.value,
            "webhook": {"id": cmd.id, "url": subscription.url.value},
            "message": "A test event from adr-registry: answer with a 2xx.",
        }
        body = webhook_body(PING, at, data)
        message = WebhookMessage(
            subscription.url, event_id, at, body, subscription.signing_secrets(at)
        )
        attempt = Attempt(at, await self.sender.send(message), manual=True)
        async with self.uow:
            subscription = await _subscription(self.uow, cmd.log, cmd.id)
            delivery = Delivery.made_once(cmd.id, event_id, PING, body, attempt)
            await self.uow.deliveries.add(delivery)
            after = AfterAttempt.GONE if attempt.outcome.gone else AfterAttempt.UNCHANGED
            await _settle(self.uow, subscription, delivery, attempt, after)
            await self.uow.commit()
        return attempt_report(delivery, attempt)


class RedeliverHandler:
    """Send a delivery again at once, with its event id and body (a new timestamp and
    signature); a success marks it delivered, and a failure changes no schedule."""

    def __init__(
        self, uow: WebhookUnitOfWork, read_model: ReadModel, sender: WebhookSender, clock: Clock
    ) -> None:
        self.uow = uow
        self.read_model = read_model
        self.sender = sender
        self.clock = clock

    async def __call__(self, cmd: Redeliver) -> AttemptReport:
        await _authorize_admin(self.read_model, cmd.actor, cmd.log)
        async with self.uow:
            subscription, delivery = await self._load(cmd)
        at = self.clock.now()
        message = WebhookMessage(
            subscription.url, delivery.event_id, at, delivery.body, subscription.signing_secrets(at)
        )
        attempt = Attempt(at, await self.sender.send(message), manual=True)
        async with self.uow:
            subscription, delivery = await self._load(cmd)
            after = delivery.record(attempt)
            await _settle(self.uow, subscription, delivery, attempt, after)
            await self.uow.commit()
        return attempt_report(delivery, attempt)

    async def _load(self, cmd: Redeliver) -> tuple[Subscription, Delivery]:
        subscription = await _subscription(self.uow, cmd.log, cmd.id)
        delivery = await self.uow.deliveries.get(cmd.delivery_id, cmd.id)
        if delivery is None:
            raise NotFound(
                f"webhook {cmd.id} of log '{cmd.log}' has no delivery {cmd.delivery_id}: "
                f"see GET /v1/logs/{cmd.log}/webhooks/{cmd.id}/deliveries"
            )
        return subscription, delivery


class ListDeliveriesHandler:
    def __init__(self, read_model: ReadModel, webhooks: WebhookReadModel, cursors: Cursors) -> None:
        self.read_model = read_model
        self.webhooks = webhooks
        self.cursors = cursors

    async def __call__(self, query: ListDeliveries) -> Page[DeliveryView]:
        limit = _check_limit(query.limit)
        scope: Scope = ("deliveries", query.log.value, query.id)
        before = _after(self.cursors, query.cursor, scope)
        await _authorize_admin(self.read_model, query.actor, query.log)
        if await self.webhooks.subscription(query.log, query.id) is None:
            raise _no_webhook(query.log, query.id)
        rows = await self.webhooks.deliveries(query.id, limit=limit + 1, before=before)
        return _page(rows, limit, lambda d: self.cursors.encode(scope, d.id))


# -- the background side (Celery tasks and beat) ---------------------------------


class FanOutEventHandler:
    """One delivery per enabled subscription of the event's log that wants its type;
    idempotent: run twice, it makes no second delivery. Returns the ids of the event's
    pending deliveries, to attempt now."""

    def __init__(self, uow: WebhookUnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: FanOutEvent) -> list[int]:
        event = cmd.event
        async with self.uow:
            wanting = [
                subscription
                for subscription in await self.uow.subscriptions.enabled_in(LogSlug(event.log))
                if subscription.wants(event.type)
            ]
            if wanting:
                body = webhook_body(event.type, event.occurred_at, event.data)
                now = self.clock.now()
                await self.uow.deliveries.add_missing(
                    [
                        Delivery.due_now(s.id, event.id, event.type, body, now)
                        for s in wanting
                        if s.id is not None
                    ]
                )
            pending = await self.uow.deliveries.pending_of_event(event.id)
            await self.uow.commit()
        return pending


class DeliverWebhookHandler:
    """Make a delivery's next attempt if it is due; anything else (delivered, not due,
    claimed by another worker, deleted) does nothing, so a task may run twice.

    Returns what followed from the attempt, or None when none was made."""

    def __init__(
        self, uow: WebhookUnitOfWork, sender: WebhookSender, clock: Clock, random: Random
    ) -> None:
        self.uow = uow
        self.sender = sender
        self.clock = clock
        self.random = random

    async def __call__(self, cmd: DeliverWebhook) -> AfterAttempt | None:
        async with self.uow:
            loaded = await self._load(cmd.delivery_id)
            if loaded is None:
                return None
            subscription, delivery = loaded
            now = self.clock.now()
            before = delivery.state
            if not subscription.enabled:
                claimed = False
                delivery.cancel()
            else:
                claimed = delivery.claim(now, self.random.random())
            if claimed or delivery.state is not before:
                await self.uow.deliveries.save(delivery)
                await self.uow.commit()
            if not claimed:
                return None
        message = WebhookMessage(
            subscription.url,
            delivery.event_id,
            now,
            delivery.body,
            subscription.signing_secrets(now),
        )
        attempt = Attempt(now, await self.sender.send(message))
        async with self.uow:
            loaded = await self._load(cmd.delivery_id)
            if loaded is None:
                return None
            subscription, delivery = loaded
            after = delivery.record(attempt)
            await _settle(self.uow, subscription, delivery, attempt, after)
            await self.uow.commit()
        return after

    async def _load(self, delivery_id: int) -> tuple[Subscription, Delivery] | None:
        # The subscription first: every transaction locks in that order.
        subscription_id = await self.uow.deliveries.subscription_of(delivery_id)
        if subscription_id is None:
            return None
        subscription = await self.uow.subscriptions.get(subscription_id)
        delivery = await self.uow.deliveries.get(delivery_id)
        if subscription is None or delivery is None:
            return None
        return subscription, delivery


class DueDeliveriesHandler:
    """The deliveries whose next attempt is due: the beat sweep's work list."""

    def __init__(self, webhooks: WebhookReadModel, clock: Clock) -> None:
        self.webhooks = webhooks
        self.clock = clock

    async def __call__(self, query: FindDueDeliveries) -> list[int]:
        if query.limit < 1:
            raise InvalidValue("limit", f"must be at least 1, not {query.limit}")
        return await self.webhooks.due_deliveries(self.clock.now(), query.limit)
