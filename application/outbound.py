"""Events on their way out of the registry: what the outbox relay publishes and what
webhook subscribers receive. One shape, shared by the relay and the webhook sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class OutboundEvent:
    # Stable and unique: consumers deduplicate on it (it is the webhook-id header).
    id: str
    # Dotted, past tense: "decision.accepted", "log.created", "member.set", ...
    type: str
    # The slug of the log the event belongs to.
    log: str
    occurred_at: datetime
    # JSON-ready: the log, the decision as the API shows it, and what changed.
    data: Mapping[str, object]


# Every type a subscriber may ask for. The decision.* types are the names of the domain
# events (domain/events.py); the others come from logs, members, beat jobs and pings.
EVENT_TYPES: frozenset[str] = frozenset(
    {
        "decision.proposed",
        "decision.edited",
        "decision.accepted",
        "decision.rejected",
        "decision.reopened",
        "decision.deprecated",
        "decision.superseded",
        "decision.linked",
        "decision.unlinked",
        "decision.withdrawn",
        "decision.imported",
        "decision.review_due",
        "decision.stale",
        "log.created",
        "log.updated",
        "member.set",
        "member.removed",
        "webhook.ping",
    }
)
