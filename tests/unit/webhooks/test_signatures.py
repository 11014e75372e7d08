"""Our signatures verify with an independent verifier: the standardwebhooks library's
Webhook.verify, and an HMAC computed here by hand from the specification. A tampered
body, a wrong secret or an old timestamp does not verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from adapters.webhooks.signer import signature, timestamp_header
from application.webhook_messages import new_webhook_secret, webhook_body
from domain.webhooks import WebhookMessage, WebhookUrl

URL = WebhookUrl("https://hooks.example.com/adr")


def message(body: str, *secrets: str, at: datetime | None = None) -> WebhookMessage:
    at = at or datetime.now(UTC)
    return WebhookMessage(URL, "evt_01J9Z8Q6F3", at, body, secrets)


def headers(signed: WebhookMessage) -> dict[str, str]:
    return {
        "webhook-id": signed.id,
        "webhook-timestamp": timestamp_header(signed),
        "webhook-signature": signature(signed),
    }


def by_hand(secret: str, signed: WebhookMessage) -> str:
    """The specification's signature, computed without the library."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{signed.id}.{timestamp_header(signed)}.{signed.body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


BODIES = st.builds(
    lambda data: webhook_body("decision.accepted", datetime.now(UTC), data),
    st.dictionaries(st.text(max_size=10), st.text(max_size=30) | st.integers(), max_size=5),
)


@settings(max_examples=50)
@given(body=BODIES)
def test_the_reference_verifier_accepts_our_signature(body: str) -> None:
    secret = new_webhook_secret()
    signed = message(body, secret)
    assert Webhook(secret).verify(body, headers(signed)) is not None


@settings(max_examples=50)
@given(body=BODIES)
def test_our_signature_is_the_hmac_the_specification_defines(body: str) -> None:
    secret = new_webhook_secret()
    signed = message(body, secret)
    assert signature(signed) == by_hand(secret, signed)


def test_a_secret_is_whsec_and_32_random_bytes_in_base64() -> None:
    secret = new_webhook_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert new_webhook_secret() != secret


@settings(max_examples=50)
@given(body=BODIES, flip=st.integers(min_value=0))
def test_a_tampered_body_does_not_verify(body: str, flip: int) -> None:
    secret = new_webhook_secret()
    signed = message(body, secret)
    position = flip % len(body)
    tampered = body[:position] + chr(ord(body[position]) ^ 1) + body[position + 1 :]
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret).verify(tampered, headers(signed))


def test_another_secret_does_not_verify() -> None:
    signed = message('{"type":"webhook.ping"}', new_webhook_secret())
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(new_webhook_secret()).verify(signed.body, headers(signed))


def test_an_old_timestamp_does_not_verify() -> None:
    secret = new_webhook_secret()
    signed = message('{"type":"webhook.ping"}', secret, at=datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(signed.body, headers(signed))


def test_a_timestamp_changed_after_signing_does_not_verify() -> None:
    secret = new_webhook_secret()
    signed = message('{"type":"webhook.ping"}', secret)
    forged = headers(signed) | {"webhook-timestamp": str(int(signed.timestamp.timestamp()) + 1)}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret).verify(signed.body, forged)


def test_while_a_rotated_secret_overlaps_both_secrets_verify() -> None:
    new, old = new_webhook_secret(), new_webhook_secret()
    signed = message('{"type":"webhook.ping"}', new, old)
    assert len(signature(signed).split(" ")) == 2
    for secret in (new, old):
        Webhook(secret).verify(signed.body, headers(signed))


def test_a_timestamp_in_another_zone_is_signed_as_the_same_instant() -> None:
    secret = new_webhook_secret()
    now = datetime.now(UTC)
    elsewhere = now.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert signature(message("{}", secret, at=now)) == signature(
        message("{}", secret, at=elsewhere)
    )
