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
