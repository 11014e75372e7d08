"""What a webhook delivery carries: its JSON body, and the secrets and ids it is sent with."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping, Set
from datetime import UTC, date, datetime

SECRET_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: 'whsec_' and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_ping_id() -> str:
    return "ping_" + secrets.token_hex(12)


def timestamp_text(at: datetime) -> str:
    """RFC 3339 in UTC, e.g. 2026-01-05T09:30:00Z."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def webhook_body(event_type: str, occurred_at: datetime, data: Mapping[str, object]) -> str:
    """The body every receiver gets: {"type", "timestamp", "data"}, compact JSON."""
    return json.dumps(
        {"type": event_type, "timestamp": timestamp_text(occurred_at), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        default=_json_value,
    )


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return timestamp_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Set):
        return sorted(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON: events carry JSON-ready data")
