"""How an event becomes a row of the history, which is also the outbox (ADR-0015)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from application.views import DecisionView
from domain.events import DecisionEvent, LogEvent


def new_event_id() -> str:
    """Stable and unique: what consumers deduplicate on (the webhook-id)."""
    return f"evt_{uuid.uuid4().hex}"


def outbound_data(
    log: str, decision: DecisionView | None, changes: dict[str, object], actor: str
) -> dict[str, Any]:
    """What the relay publishes: the log, the decision as the API shows it (orjson
    renders the view exactly as the HTTP replies do), what changed and who did it."""
    data: dict[str, Any] = {"log": log, "actor": actor, "changes": changes}
    if decision is not None:
        data["decision"] = orjson.loads(orjson.dumps(decision))
    return data


def decision_event_row(
    event: DecisionEvent, decision: DecisionView | None, *, dedup_key: str | None = None
) -> dict[str, Any]:
    details = event.details()
    return {
        "log_slug": event.ref.log.value,
        "number": event.ref.number.value,
        "version": event.version,
        "event": event.name,
        "actor": event.actor,
        "at": event.at,
        "details": details,
        "event_id": new_event_id(),
        "data": outbound_data(event.ref.log.value, decision, details, event.actor),
        "dedup_key": dedup_key,
    }


def log_event_row(event: LogEvent) -> dict[str, Any]:
    """A log's own event: in the history of its log, with no decision number."""
    details = event.details()
    return {
        "log_slug": event.log.value,
        "number": None,
        "version": event.version,
        "event": event.name,
        "actor": event.actor,
        "at": event.at,
        "details": details,
        "event_id": new_event_id(),
        "data": outbound_data(event.log.value, None, details, event.actor),
        "dedup_key": None,
    }
