"""What happened to a decision. Each event is one entry of its history."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import ClassVar

from domain.links import LinkKind
from domain.values import DecisionRef, LogSlug, Role, Visibility


@dataclass(frozen=True, kw_only=True)
class DecisionEvent:
    name: ClassVar[str]
    ref: DecisionRef
    actor: str
    at: datetime
    version: int

    def details(self) -> dict[str, object]:
        """The event's own fields as JSON-ready values: what changed."""
        base = {f.name for f in dataclasses.fields(DecisionEvent)}
        return {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in base
        }


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, DecisionRef):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, kw_only=True)
class DecisionProposed(DecisionEvent):
    name = "decision.proposed"
    title: str


@dataclass(frozen=True, kw_only=True)
class DecisionEdited(DecisionEvent):
    name = "decision.edited"
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DecisionAccepted(DecisionEvent):
    name = "decision.accepted"
    supersedes: tuple[DecisionRef, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DecisionRejected(DecisionEvent):
    name = "decision.rejected"


@dataclass(frozen=True, kw_only=True)
class DecisionReopened(DecisionEvent):
    name = "decision.reopened"


@dataclass(frozen=True, kw_only=True)
class DecisionDeprecated(DecisionEvent):
    name = "decision.deprecated"


@dataclass(frozen=True, kw_only=True)
class DecisionSuperseded(DecisionEvent):
    name = "decision.superseded"
    successors: tuple[DecisionRef, ...]


@dataclass(frozen=True, kw_only=True)
class DecisionLinked(DecisionEvent):
    name = "decision.linked"
    kind: LinkKind
    target: DecisionRef


@dataclass(frozen=True, kw_only=True)
class DecisionUnlinked(DecisionEvent):
    name = "decision.unlinked"
    kind: LinkKind
    target: DecisionRef


@dataclass(frozen=True, kw_only=True)
class DecisionWithdrawn(DecisionEvent):
    name = "decision.withdrawn"


@dataclass(frozen=True, kw_only=True)
class DecisionImported(DecisionEvent):
    name = "decision.imported"
    status: str
    source: str


# -- notices: raised by beat jobs; they change nothing, so they carry the version seen --


@dataclass(frozen=True, kw_only=True)
class DecisionReviewDue(DecisionEvent):
    name = "decision.review_due"
    review_by: date


@dataclass(frozen=True, kw_only=True)
class DecisionStale(DecisionEvent):
    name = "decision.stale"
    untouched_since: datetime
    stale_after_days: int


# -- what happened to a log: its settings and who has which role ---------------------


@dataclass(frozen=True, kw_only=True)
class LogEvent:
    name: ClassVar[str]
    log: LogSlug
    actor: str
    at: datetime
    # The log's version this event made.
    version: int

    def details(self) -> dict[str, object]:
        """The event's own fields as JSON-ready values: what changed."""
        base = {f.name for f in dataclasses.fields(LogEvent)}
        return {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in base
        }


@dataclass(frozen=True, kw_only=True)
class LogCreated(LogEvent):
    name = "log.created"
    title: str
    visibility: Visibility


@dataclass(frozen=True, kw_only=True)
class LogUpdated(LogEvent):
    name = "log.updated"
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class MemberSet(LogEvent):
    name = "member.set"
    username: str
    role: Role


@dataclass(frozen=True, kw_only=True)
class MemberRemoved(LogEvent):
    name = "member.removed"
    username: str
