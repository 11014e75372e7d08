"""Webhooks over HTTP, delivering to a real receiver on 127.0.0.1: subscriptions and their
secret, bad input, pings, the background handlers the worker calls, the delivery log,
redelivery, and 410 Gone disabling a subscription with the reason shown.

Names resolve through a fake resolver (no DNS); 127.0.0.1 is allowed by the setting, as
in local development. Nothing is sent anywhere else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from standardwebhooks.webhooks import Webhook

from adapters.webhooks.resolver import HostResolver
from application.commands import DeliverWebhook, FanOutEvent, FindDueDeliveries
from application.handlers.webhooks import (
    DeliverWebhookHandler,
    DueDeliveriesHandler,
    FanOutEventHandler,
)
from application.outbound import EVENT_TYPES, OutboundEvent
from domain.webhooks import AfterAttempt
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import MAX_BODY_BYTES, ON_SQLITE, Team, assert_problem
from tests.webhook_fakes import FakeResolver
from tests.webhook_receiver import Receiver

pytestmark = ON_SQLITE

TIMEOUT = 1.0
HOOKS = "/v1/logs/platform/webhooks"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        webhook_allow_hosts="127.0.0.1",
        webhook_timeout_seconds=TIMEOUT,
    )


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver(
        {
            "receiver.test": [["127.0.0.1"]],
            "metadata.example.com": [["169.254.169.254"]],
            "hooks.example.com": [["93.184.215.14"]],
        }
    )


@pytest.fixture
async def app(settings: Settings, resolver: FakeResolver) -> AsyncIterator[FastAPI]:
    app = create_app(settings, overrides={HostResolver: resolver})
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver() as receiver:
        yield receiver


async def subscribe(
    client: httpx.AsyncClient, team: Team, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    reply = await client.post(
        HOOKS, json={"url": url, "events": events or ["*"]}, headers=team.owner
    )
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


def event(event_id: str = "evt_1", type: str = "decision.accepted") -> OutboundEvent:
    return OutboundEvent(
        id=event_id,
        type=type,
        log="platform",
        occurred_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        data={"log": {"slug": "platform"}, "decision": {"number": 7, "status": "accepted"}},
    )


async def fan_out_and_deliver(app: FastAPI, outbound: OutboundEvent) -> list[AfterAttempt | None]:
    """What the worker does with an event from the outbox."""
    services = app.state.services
    ids = await services.get(FanOutEventHandler)(FanOutEvent(outbound))
    return [await services.get(DeliverWebhookHandler)(DeliverWebhook(i)) for i in ids]


# -- subscriptions -------------------------------------------------------------------


async def test_a_subscription_shows_its_secret_once_and_never_again(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        HOOKS,
        json={
            "url": "https://hooks.example.com/adr",
            "events": ["decision.accepted"],
            "description": "chat",
        },
        headers=team.owner,
    )
    assert reply.status_code == 201, reply.text
    created = reply.json()
    assert created["secret"].startswith("whsec_")
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["location"] == f"{HOOKS}/{created['id']}"
    assert reply.headers["etag"] == '"1"'
    assert created | {"secret": "…"} == {
        "id": created["id"],
        "log": "platform",
        "url": "https://hooks.example.com/adr",
        "events": ["decision.accepted"],
        "description": "chat",
        "enabled": True,
        "disabled_reason": None,
        "disabled_at": None,
        "last_success_at": None,
        "created_at": created["created_at"],
        "version": 1,
        "secret": "…",
    }
    one = await client.get(f"{HOOKS}/{created['id']}", headers=team.owner)
    listed = await client.get(HOOKS, headers=team.owner)
    assert one.status_code == listed.status_code == 200
    assert "secret" not in one.json()
    assert [item for item in listed.json()["items"] if "secret" in item] == []
    assert created["secret"] not in one.text + listed.text


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example.com/adr", "only http and https"),
        ("https://user:pw@hooks.example.com/adr", "must not carry credentials"),
        ("http://10.0.0.8/hook", "'10.0.0.8' is a private address"),
        ("http://[::1]:9/hook", "loopback"),
        ("http://metadata.example.com/latest", "resolves to 169.254.169.254, a cloud metadata"),
        ("http://unknown.example.com/", "does not resolve"),
        ("http://2130706433/", "not a canonical IPv4 address"),
    ],
)
async def test_a_url_that_may_not_receive_webhooks_gets_422_naming_the_reason(
    client: httpx.AsyncClient, team: Team, url: str, reason: str
) -> None:
    reply = await client.post(HOOKS, json={"url": url, "events": ["*"]}, headers=team.owner)
    problem = assert_problem(reply, 422, "validation-error")
    assert reason in problem["detail"]
    assert problem["errors"][0]["loc"] == ["url"]
    assert (await client.get(HOOKS, headers=team.owner)).json()["items"] == []


async def test_unknown_event_types_get_422_listing_the_known_ones(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        HOOKS,
        json={"url": "https://hooks.example.com/adr", "events": ["decision.acceptd"]},
        headers=team.owner,
    )
    problem = assert_problem(reply, 422, "validation-error")
    assert "unknown event types: decision.acceptd" in problem["detail"]
    assert all(known in problem["detail"] for known in EVENT_TYPES)
    assert problem["errors"][0]["loc"] == ["events"]


async def test_a_change_needs_if_match_and_rotating_shows_the_new_secret_once(
    client: httpx.AsyncClient, team: Team
) -> None:
    created = await subscribe(client, team, "https://hooks.example.com/adr")
    one = f"{HOOKS}/{created['id']}"
    missing = await client.patch(one, json={"description": "x"}, headers=team.owner)
    assert_problem(missing, 428, "if-match-required")
    changed = await client.patch(
        one,
        json={"events": ["decision.rejected", "decision.accepted"], "description": "ops"},
        headers=team.owner | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["decision.accepted", "decision.rejected"]
    assert "secret" not in changed.json()
    assert changed.headers["etag"] == '"2"'
    stale = await client.patch(
        one, json={"rotate_secret": True}, headers=team.owner | {"If-Match": '"1"'}
    )
    assert_problem(stale, 412, "version-mismatch")
    rotated = await client.patch(
        one, json={"rotate_secret": True}, headers=team.owner | {"If-Match": '"2"'}
    )
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != created["secret"]
    assert rotated.headers["cache-control"] == "no-store"
    null = await client.patch(one, json={"url": None}, headers=team.owner | {"If-Match": '"3"'})
    assert_problem(null, 422, "validation-error")


async def test_a_deleted_webhook_is_gone(client: httpx.AsyncClient, team: Team) -> None:
    created = await subscribe(client, team, "https://hooks.example.com/adr")
    one = f"{HOOKS}/{created['id']}"
    assert (await client.delete(one, headers=team.owner)).status_code == 204
    assert_problem(await client.get(one, headers=team.owner), 404, "not-found")
    assert_problem(await client.delete(one, headers=team.owner), 404, "not-found")


async def test_a_webhook_of_another_log_is_not_found_here(
    client: httpx.AsyncClient, team: Team
) -> None:
    created = await subscribe(client, team, "https://hooks.example.com/adr")
    reply = await client.post(
        "/v1/logs", json={"slug": "other", "title": "Other"}, headers=team.owner
    )
    assert reply.status_code == 201
    elsewhere = await client.get(f"/v1/logs/other/webhooks/{created['id']}", headers=team.owner)
    assert_problem(elsewhere, 404, "not-found")


# -- deliveries to a real receiver --------------------------------------------------------


async def test_a_ping_reaches_the_receiver_signed_and_is_logged(
    client: httpx.AsyncClient, team: Team, receiver: Receiver
) -> None:
    created = await subscribe(client, team, receiver.url("/status/200", "receiver.test"))
    reply = await client.post(f"{HOOKS}/{created['id']}/ping", headers=team.owner)
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert (report["succeeded"], report["delivery_state"]) == (True, "delivered")
    assert report["attempt"]["status_code"] == 200
    assert report["attempt"]["reply"] == "status 200"
    [request] = receiver.received
    assert request.headers["host"] == f"receiver.test:{receiver.port}"
    assert request.headers["webhook-id"] == report["event_id"]
    payload = Webhook(created["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "webhook.ping"
    assert payload["data"]["log"] == "platform"
    log = (await client.get(f"{HOOKS}/{created['id']}/deliveries", headers=team.owner)).json()
    [delivery] = log["items"]
    assert (delivery["id"], delivery["event_type"], delivery["state"]) == (
        report["delivery_id"],
        "webhook.ping",
        "delivered",
    )
    assert delivery["attempts"] == [report["attempt"]]


async def test_an_event_is_delivered_by_the_worker_handlers_once(
    app: FastAPI, client: httpx.AsyncClient, team: Team, receiver: Receiver
) -> None:
    created = await subscribe(client, team, receiver.url("/status/204"), ["decision.accepted"])
    await subscribe(client, team, receiver.url("/status/204"), ["decision.rejected"])
    assert await fan_out_and_deliver(app, event("evt_1")) == [AfterAttempt.DELIVERED]
    # The same event again (a redelivered task): nothing is sent twice.
    assert await fan_out_and_deliver(app, event("evt_1")) == []
    [request] = receiver.received
    assert request.headers["webhook-id"] == "evt_1"
    assert Webhook(created["secret"]).verify(request.body, request.headers) == {
        "type": "decision.accepted",
        "timestamp": "2026-01-05T09:30:00Z",
        "data": {"log": {"slug": "platform"}, "decision": {"number": 7, "status": "accepted"}},
    }
    hook = (await client.get(f"{HOOKS}/{created['id']}", headers=team.owner)).json()
    assert hook["last_success_at"] is not None


async def test_a_failure_is_retried_by_the_sweep_and_logged_with_each_attempt(
    app: FastAPI, client: httpx.AsyncClient, team: Team, receiver: Receiver
) -> None:
    created = await subscribe(client, team, receiver.url("/status/503"))
    assert await fan_out_and_deliver(app, event()) == [AfterAttempt.RETRY]
    due = await app.state.services.get(DueDeliveriesHandler)(FindDueDeliveries(limit=10))
    assert due == []  # the next attempt is some 30 s away
    log = (await client.get(f"{HOOKS}/{created['id']}/deliveries", headers=team.owner)).json()
    [delivery] = log["items"]
    assert delivery["state"] == "pending"
    assert delivery["next_attempt_at"] is not None
    [attempt] = delivery["attempts"]
    assert (attempt["status_code"], attempt["reply"], attempt["manual"]) == (
        503,
        "status 503",
        False,
    )
    assert attempt["duration_ms"] >= 0


async def test_a_redelivery_after_the_receiver_is_fixed_delivers(
    app: FastAPI, client: httpx.AsyncClient, team: Team, receiver: Receiver
) -> None:
    created = await subscribe(client, team, receiver.url("/status/500"))
    await fan_out_and_deliver(app, event("evt_7"))
    one = f"{HOOKS}/{created['id']}"
    fixed = await client.patch(
        one, json={"url": receiver.url("/status/200")}, headers=team.owner | {"If-Match": '"1"'}
    )
    assert fixed.status_code == 200, fixed.text
    [delivery] = (await client.get(f"{one}/deliveries", headers=team.owner)).json()["items"]
    reply = await client.post(f"{one}/deliveries/{delivery['id']}/redeliver", headers=team.owner)
    assert reply.status_code == 200, reply.text
    assert (reply.json()["succeeded"], reply.json()["delivery_state"]) == (True, "delivered")
    first, again = receiver.received
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == "evt_7"
    assert first.body == again.body
    missing = await client.post(f"{one}/deliveries/999/redeliver", headers=team.owner)
    assert_problem(missing, 404, "not-found")


async def test_410_gone_disables_the_webhook_with_the_reason_shown(
    app: FastAPI, client: httpx.AsyncClient, team: Team, receiver: Receiver
) -> None:
    created = await subscribe(client, team, receiver.url("/status/410"))
    assert await fan_out_and_deliver(app, event("evt_1")) == [AfterAttempt.GONE]
    hook = (await client.get(f"{HOOKS}/{created['id']}", headers=team.owner)).json()
    assert hook["enabled"] is False
    assert "410 Gone" in hook["disabled_reason"]
    assert hook["version"] == 2
    assert await fan_out_and_deliver(app, event("evt_2")) == []
    assert len(receiver.received) == 1
    enabled = await client.patch(
        f"{HOOKS}/{created['id']}", json={"enabled": True}, headers=team.owner | {"If-Match": '"2"'}
    )
    assert (enabled.json()["enabled"], enabled.json()["disabled_reason"]) == (True, None)


async def test_a_ping_to_a_receiver_that_hangs_costs_one_timeout(
    client: httpx.AsyncClient, team: Team, receiver: Receiver
) -> None:
    created = await subscribe(client, team, receiver.url("/hang"))
    reply = await client.post(f"{HOOKS}/{created['id']}/ping", headers=team.owner)
    assert reply.status_code == 200, reply.text
    attempt = reply.json()["attempt"]
    assert (reply.json()["succeeded"], attempt["status_code"]) == (False, None)
    assert attempt["error"] == f"no complete reply within {TIMEOUT:g} s"
    assert TIMEOUT * 1000 <= attempt["duration_ms"] < (TIMEOUT + 1) * 1000


async def test_a_ping_is_not_redirected(
    client: httpx.AsyncClient, team: Team, receiver: Receiver
) -> None:
    created = await subscribe(client, team, receiver.url("/redirect"))
    reply = await client.post(f"{HOOKS}/{created['id']}/ping", headers=team.owner)
    assert (reply.json()["succeeded"], reply.json()["attempt"]["status_code"]) == (False, 302)
    assert [r.path for r in receiver.received] == ["/redirect"]


async def test_a_target_that_turned_private_is_refused_at_delivery(
    client: httpx.AsyncClient, team: Team, resolver: FakeResolver
) -> None:
    resolver.answers["rebind.example.com"] = [["93.184.215.14"], ["10.0.0.7"]]
    created = await subscribe(client, team, "https://rebind.example.com/adr")
    reply = await client.post(f"{HOOKS}/{created['id']}/ping", headers=team.owner)
    attempt = reply.json()["attempt"]
    assert attempt["status_code"] is None
    assert attempt["error"].startswith("not sent: 'rebind.example.com' resolves to 10.0.0.7")
