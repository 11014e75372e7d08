"""An OutboundEvent as the JSON of a task message, and back: one format for the relay
that publishes it and the worker task that receives it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from application.outbound import OutboundEvent

# The task each published event becomes: the relay sends it, the worker's fan-out task
# takes it (named here so that neither side imports the other).
FAN_OUT_TASK = "adr_registry.fan_out_event"


def event_to_message(event: OutboundEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "log": event.log,
        "occurred_at": event.occurred_at.isoformat(),
        "data": dict(event.data),
    }


def event_from_message(message: Mapping[str, Any]) -> OutboundEvent:
    return OutboundEvent(
        id=str(message["id"]),
        type=str(message["type"]),
        log=str(message["log"]),
        occurred_at=datetime.fromisoformat(str(message["occurred_at"])),
        data=dict(message["data"]),
    )
