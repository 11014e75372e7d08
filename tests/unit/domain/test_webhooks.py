"""The rules of webhook subscriptions and deliveries: URLs, event selections, the retry
schedule over the three-day window, and what success, failure and 410 do."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.values import LogSlug
from domain.webhooks import (
    FIRST_RETRY,
    JITTER,
    LEASE,
    LONGEST_WAIT,
    MAX_ATTEMPTS,
    ROTATION_OVERLAP,
    WINDOW,
    AfterAttempt,
    Attempt,
    AttemptOutcome,
    Delivery,
    DeliveryState,
    Subscription,
    WebhookUrl,
    event_selection,
    retry_delay,
)

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
FAILED = AttemptOutcome(503, 20, "busy")
OK = AttemptOutcome(204, 20, "")
GONE = AttemptOutcome(410, 20, "gone")
NO_REPLY = AttemptOutcome(None, 10_000, "", error="no complete reply within 10 s")


# -- URLs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/adr",
        "http://hooks.example.com:8080/adr?team=platform",
        "https://192.0.2.10/hook",
        "https://[2001:db8::1]:8443/hook",
        "HTTPS://Hooks.Example.com/",
    ],
)
def test_an_http_or_https_url_with_a_host_is_a_webhook_url(url: str) -> None:
    assert WebhookUrl(url).value == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example.com/adr", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://127.0.0.1:6379/_INFO", "only http and https"),
        ("hooks.example.com/adr", "only http and https URLs can receive webhooks, not no scheme"),
        ("https://user:secret@hooks.example.com/", "must not carry credentials"),
        ("https://token@hooks.example.com/", "must not carry credentials"),
        ("https:///adr", "has no host"),
        ("https://hooks.example.com:0/", "port 0"),
        ("https://hooks.example.com:99999/", "is not a valid URL"),
        ("https://hooks.example.com/adr#top", "fragment"),
        ("https://hooks.example.com/a b", "spaces"),
        ("https://hooks.example.com\\@127.0.0.1/", "backslashes"),
        ("http://2130706433/", "not a canonical IPv4 address"),
        ("http://0x7f.1/", "not a canonical IPv4 address"),
        ("http://0177.0.0.1/", "not a canonical IPv4 address"),
        ("http://127.1/", "not a canonical IPv4 address"),
        ("http://[fe80::1%25eth0]/", "IPv6 zone"),
        ("http://[fe80::zz]/", "is not a valid URL"),
        ("https://hooks.example.com/" + "a" * 2000, "at most 2000 characters"),
    ],
)
def test_a_url_that_cannot_receive_webhooks_is_refused_naming_the_reason(
    url: str, reason: str
) -> None:
    with pytest.raises(InvalidValue, match=reason) as raised:
        WebhookUrl(url)
    assert raised.value.field == "url"


# -- event selections -----------------------------------------------------------

KNOWN = frozenset({"decision.accepted", "decision.rejected", "log.created"})


def test_a_subscription_asks_for_known_event_types() -> None:
    chosen = event_selection(["decision.accepted", "log.created"], KNOWN)
    assert chosen == {"decision.accepted", "log.created"}


def test_the_wildcard_stands_for_every_type() -> None:
    assert event_selection(["*", "decision.accepted"], KNOWN) == {"*"}


def test_unknown_event_types_are_refused_listing_the_known_ones() -> None:
    with pytest.raises(InvalidValue) as raised:
        event_selection(["decision.acepted", "decision.accepted"], KNOWN)
    message = raised.value.message
    assert "unknown event types: decision.acepted" in message
    assert "decision.accepted, decision.rejected, log.created" in message


def test_a_subscription_asks_for_something() -> None:
    with pytest.raises(InvalidValue, match="at least one event type"):
        event_selection([], KNOWN)


# -- subscriptions -----------------------------------------------------------------


def subscription(**fields: object) -> Subscription:
    values: dict[str, object] = {
        "log": LogSlug("platform"),
        "url": WebhookUrl("https://hooks.example.com/adr"),
        "events": frozenset({"decision.accepted"}),
        "description": "",
        "secret": "whsec_one",
        "created_at": T0,
        "id": 1,
    }
    values.update(fields)
    return Subscription(**values)  # type: ignore[arg-type]


def test_an_enabled_subscription_wants_the_types_it_names_or_all_with_the_wildcard() -> None:
    named = subscription()
    assert named.wants("decision.accepted")
    assert not named.wants("decision.rejected")
    assert subscription(events=frozenset({"*"})).wants("decision.rejected")
    named.disable("by ann", T0)
    assert not named.wants("decision.accepted")


def test_a_rotated_secret_signs_alongside_the_new_one_for_a_day() -> None:
    hook = subscription()
    hook.rotate_secret("whsec_two", T0)
    assert hook.signing_secrets(T0) == ("whsec_two", "whsec_one")
    assert hook.signing_secrets(T0 + ROTATION_OVERLAP) == ("whsec_two",)


def test_disabling_keeps_the_reason_until_re_enabled_and_bumps_the_version() -> None:
    hook = subscription()
    assert hook.disable("the receiver answered 410 Gone", T0)
    assert not hook.disable("again", T0)
    assert (hook.enabled, hook.disabled_reason, hook.version) == (
        False,
        "the receiver answered 410 Gone",
        2,
    )
    assert hook.enable()
    assert (hook.enabled, hook.disabled_reason, hook.disabled_at, hook.version) == (
        True,
        None,
        None,
        3,
    )


# -- the retry schedule ----------------------------------------------------------------


@given(attempt=st.integers(1, 1000), rand=st.floats(0, 1, exclude_max=True))
def test_each_wait_doubles_from_the_first_retry_up_to_the_longest_wait_with_jitter(
    attempt: int, rand: float
) -> None:
    base = min(FIRST_RETRY * 2 ** min(attempt - 1, 20), LONGEST_WAIT)
    delay = retry_delay(attempt, rand)
    assert base * (1 - JITTER) <= delay <= base * (1 + JITTER)


def delivery() -> Delivery:
    return Delivery.due_now(1, "evt_1", "decision.accepted", "{}", T0)


def run_until_settled(
    rands: list[float], outcome: AttemptOutcome, until: datetime | None = None
) -> tuple[Delivery, list[datetime], AfterAttempt]:
    """Attempt whenever due, each with `outcome`, until the delivery settles (or `until`)."""
    item = delivery()
    times: list[datetime] = []
    after = AfterAttempt.RETRY
    turn = 0
    while item.state is DeliveryState.PENDING:
        assert item.next_attempt_at is not None
        now = item.next_attempt_at
        if until is not None and now > until:
            break
        assert item.claim(now, rands[turn % len(rands)])
        turn += 1
        times.append(now)
        after = item.record(Attempt(now, outcome))
    return item, times, after


@settings(max_examples=50)
@given(rands=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=30))
def test_a_delivery_that_keeps_failing_is_tried_for_three_days_then_given_up(
    rands: list[float],
) -> None:
    item, times, after = run_until_settled(rands, FAILED)
    assert after is AfterAttempt.GAVE_UP
    assert item.state is DeliveryState.FAILED
    assert item.next_attempt_at is None
    # The first at once, the last at the window's end, none after it.
    assert times[0] == T0
    assert times[-1] == T0 + WINDOW
    assert all(later > earlier for earlier, later in itertools.pairwise(times))
    assert 15 <= len(times) <= 25


@settings(max_examples=25)
@given(
    rands=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=30),
    hours=st.integers(0, 71),
)
def test_a_success_within_the_window_ends_the_retries(rands: list[float], hours: int) -> None:
    until = T0 + timedelta(hours=hours)
    item, _, _ = run_until_settled(rands, FAILED, until=until)
    assert item.is_due(now := item.next_attempt_at or until)
    assert item.claim(now, rands[0])
    assert item.record(Attempt(now, OK)) is AfterAttempt.DELIVERED
    assert (item.state, item.delivered_at, item.next_attempt_at) == (
        DeliveryState.DELIVERED,
        now,
        None,
    )
    assert not item.claim(now + WINDOW, 0.5)


def test_410_gone_ends_the_delivery_at_once() -> None:
    item = delivery()
    assert item.claim(T0, 0.5)
    assert item.record(Attempt(T0, GONE)) is AfterAttempt.GONE
    assert item.state is DeliveryState.FAILED


def test_a_delivery_is_claimed_only_when_due_and_only_once() -> None:
    item = delivery()
    assert item.claim(T0, 0.5)
    assert item.attempts == 1
    assert item.next_attempt_at is not None
    assert item.next_attempt_at > T0
    assert not item.claim(T0, 0.5)


def test_the_last_attempt_is_leased_so_that_a_worker_dying_on_it_gets_it_retried() -> None:
    item = delivery()
    end = T0 + WINDOW
    item.next_attempt_at = end
    assert item.claim(end, 0.5)
    assert item.next_attempt_at == end + LEASE


def test_a_delivery_whose_attempts_never_finish_is_given_up_after_max_attempts() -> None:
    item = delivery()
    now = T0
    claims = 0
    while item.claim(now, 0.0):
        claims += 1
        assert item.next_attempt_at is not None
        now = item.next_attempt_at  # the worker died: no outcome is ever recorded
    assert claims == MAX_ATTEMPTS
    assert item.state is DeliveryState.FAILED


def test_a_manual_attempt_that_fails_changes_no_schedule() -> None:
    item = delivery()
    assert item.claim(T0, 0.5)
    scheduled = item.next_attempt_at
    after = item.record(Attempt(T0 + WINDOW * 2, NO_REPLY, manual=True))
    assert after is AfterAttempt.UNCHANGED
    assert (item.state, item.next_attempt_at) == (DeliveryState.PENDING, scheduled)


def test_a_manual_success_delivers_even_a_failed_delivery() -> None:
    item, _, _ = run_until_settled([0.5], FAILED)
    later = T0 + WINDOW * 2
    assert item.record(Attempt(later, OK, manual=True)) is AfterAttempt.DELIVERED
    assert (item.state, item.delivered_at) == (DeliveryState.DELIVERED, later)


def test_only_a_pending_delivery_can_be_cancelled() -> None:
    pending, delivered = delivery(), delivery()
    delivered.claim(T0, 0.5)
    delivered.record(Attempt(T0, OK))
    assert pending.cancel()
    assert pending.state is DeliveryState.CANCELLED
    assert not delivered.cancel()
    assert delivered.state is DeliveryState.DELIVERED


def test_a_ping_is_delivered_or_failed_at_once_never_pending() -> None:
    ok = Delivery.made_once(1, "ping_1", "webhook.ping", "{}", Attempt(T0, OK, manual=True))
    failed = Delivery.made_once(1, "ping_2", "webhook.ping", "{}", Attempt(T0, NO_REPLY))
    assert (ok.state, ok.delivered_at, ok.next_attempt_at) == (DeliveryState.DELIVERED, T0, None)
    assert (failed.state, failed.next_attempt_at) == (DeliveryState.FAILED, None)


_URL_PARTS = st.sampled_from(
    [
        "http://",
        "https://",
        "HTTP://",
        "ftp://",
        "//",
        "",
        "u:p@",
        "@",
        "[",
        "]",
        "::1",
        ":",
        "%",
        "#",
        "?",
        "/",
        "\\",
        " ",
        "\x00",
        "0x7f",
        "127.0.0.1",
        "hooks.example.com",
        "8080",
        ".",
        "ü",
    ]
)


@settings(max_examples=300)
@given(parts=st.lists(_URL_PARTS | st.text(max_size=5), max_size=8))
def test_any_text_is_a_webhook_url_or_refused_with_a_reason(parts: list[str]) -> None:
    text = "".join(parts)
    refusal: InvalidValue | None = None
    try:
        url = WebhookUrl(text)
    except InvalidValue as refused:
        refusal = refused
    if refusal is not None:
        assert (refusal.field, bool(refusal.message)) == ("url", True)
        return
    parts_of = urlsplit(text)
    assert url.scheme in ("http", "https")
    assert parts_of.hostname
    assert "@" not in parts_of.netloc
    assert not parts_of.fragment
