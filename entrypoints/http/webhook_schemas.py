"""The JSON shapes of the webhook routes: request bodies (strict) and replies (for the
OpenAPI document; replies are serialised straight from application.webhook_views)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from application.outbound import EVENT_TYPES
from domain.webhooks import ALL_EVENTS, DESCRIPTION_MAX, REPLY_EXCERPT_BYTES, URL_MAX

EventType = Annotated[
    str,
    Field(
        max_length=64,
        description=f"An event type, or '{ALL_EVENTS}' for all of them.",
        json_schema_extra={"enum": [ALL_EVENTS, *sorted(EVENT_TYPES)]},
    ),
]
WebhookUrlField = Annotated[
    str,
    Field(
        min_length=1,
        max_length=URL_MAX,
        description="Where deliveries are POSTed: http or https, no credentials, a host that "
        "resolves to public addresses only.",
        examples=["https://hooks.example.com/adr"],
    ),
]
Events = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=len(EVENT_TYPES) + 1,
        description=f"The event types to deliver, or ['{ALL_EVENTS}'].",
    ),
]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX)]

_WEBHOOK_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "log": "platform",
    "url": "https://hooks.example.com/adr",
    "events": ["decision.accepted", "decision.superseded"],
    "description": "Architecture channel",
    "enabled": True,
    "disabled_reason": None,
    "disabled_at": None,
    "last_success_at": "2026-01-05T09:31:02Z",
    "created_at": "2026-01-05T09:30:00Z",
    "version": 1,
}
_SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
_ATTEMPT_EXAMPLE: dict[str, Any] = {
    "at": "2026-01-05T09:31:02Z",
    "status_code": 200,
    "duration_ms": 84,
    "reply": '{"ok": true}',
    "error": None,
    "manual": False,
}


def _examples(*examples: Any) -> dict[str, Any]:
    return {"examples": list(examples)}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookCreate(_Input):
    url: WebhookUrlField
    events: Events
    description: Description = ""

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "url": "https://hooks.example.com/adr",
                "events": ["decision.accepted", "decision.superseded"],
                "description": "Architecture channel",
            },
            {"url": "https://ci.example.com/hooks/adr", "events": [ALL_EVENTS]},
        )
    )


class WebhookUpdate(_Input):
    """Each field given changes that setting; a field left out is kept."""

    url: WebhookUrlField | SkipJsonSchema[None] = None
    events: Events | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    enabled: bool | SkipJsonSchema[None] = Field(
        default=None,
        description="true re-enables a disabled webhook; false disables it (what is still "
        "pending is cancelled).",
    )
    rotate_secret: bool = Field(
        default=False,
        description="Make a new secret and return it, this once. Deliveries are signed with "
        "the old one too for 24 hours, so receivers can switch without refusing any.",
    )

    @field_validator("url", "events", "description", "enabled", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null: leave the field out to keep its current value")
        return value

    model_config = ConfigDict(
        json_schema_extra=_examples({"enabled": True}, {"rotate_secret": True})
    )


class Webhook(BaseModel):
    id: int
    log: str
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why it was disabled (410 Gone, three days of failures, by whom)."
    )
    disabled_at: dt.datetime | None
    last_success_at: dt.datetime | None = Field(
        description="When a receiver last answered a delivery with a 2xx."
    )
    created_at: dt.datetime
    version: int = Field(description="Also the ETag; send it as If-Match to change the webhook.")

    model_config = ConfigDict(json_schema_extra=_examples(_WEBHOOK_EXAMPLE))


class WebhookWithSecret(Webhook):
    secret: str = Field(
        description="Verifies the webhook-signature header of each delivery (Standard "
        "Webhooks). Shown this once: store it now."
    )

    model_config = ConfigDict(
        json_schema_extra=_examples(_WEBHOOK_EXAMPLE | {"secret": _SECRET_EXAMPLE})
    )


class WebhookUpdated(Webhook):
    secret: str | SkipJsonSchema[None] = Field(
        default=None,
        description="Only when rotate_secret was true: the new secret, shown this once.",
    )

    model_config = ConfigDict(json_schema_extra=_examples(_WEBHOOK_EXAMPLE | {"version": 2}))


class Attempt(BaseModel):
    at: dt.datetime
    status_code: int | None = Field(description="null when no reply came (see error).")
    duration_ms: int
    reply: str = Field(description=f"The first {REPLY_EXCERPT_BYTES} bytes of the reply's body.")
    error: str | None = Field(description="What went wrong on the way: refused, timed out, ...")
    manual: bool = Field(description="A ping or a redelivery, not the retry schedule.")

    model_config = ConfigDict(json_schema_extra=_examples(_ATTEMPT_EXAMPLE))


class Delivery(BaseModel):
    id: int
    event_id: str = Field(description="Sent as webhook-id: the receiver's idempotency key.")
    event_type: str
    state: Literal["pending", "delivered", "failed", "cancelled"] = Field(
        description="pending: retries go on; delivered: a 2xx came; failed: given up after "
        "three days, or 410 Gone; cancelled: the webhook was disabled first."
    )
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    attempts: list[Attempt] = Field(description="Oldest first.")

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "id": 41,
                "event_id": "evt_01J9Z8Q6F3",
                "event_type": "decision.accepted",
                "state": "delivered",
                "created_at": "2026-01-05T09:31:00Z",
                "next_attempt_at": None,
                "delivered_at": "2026-01-05T09:31:02Z",
                "attempts": [_ATTEMPT_EXAMPLE],
            }
        )
    )


class AttemptReport(BaseModel):
    delivery_id: int
    event_id: str
    succeeded: bool = Field(description="The receiver answered with a 2xx.")
    delivery_state: Literal["pending", "delivered", "failed", "cancelled"]
    attempt: Attempt

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "delivery_id": 42,
                "event_id": "ping_5f0c2a9d4e1b7c3a8d6e0f12",
                "succeeded": True,
                "delivery_state": "delivered",
                "attempt": _ATTEMPT_EXAMPLE | {"manual": True},
            }
        )
    )
