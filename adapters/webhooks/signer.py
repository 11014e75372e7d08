"""Standard Webhooks signatures, made with the reference library `standardwebhooks`."""

from __future__ import annotations

from datetime import UTC

from standardwebhooks.webhooks import Webhook

from domain.webhooks import WebhookMessage


def signature(message: WebhookMessage) -> str:
    """The webhook-signature header: 'v1,<base64 HMAC-SHA256 of id.timestamp.body>' for
    each secret, separated by spaces (two while a rotated secret overlaps)."""
    # The library reads the time as UTC without converting: hand it UTC.
    at = message.timestamp.astimezone(UTC)
    return " ".join(
        Webhook(secret).sign(message.id, at, message.body) for secret in message.secrets
    )


def timestamp_header(message: WebhookMessage) -> str:
    """The webhook-timestamp header: whole seconds since the epoch, as signed."""
    return str(int(message.timestamp.timestamp()))
