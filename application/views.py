"""Plain read DTOs: what queries return and what the entrypoints serialise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from domain.values import Role, Visibility

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling: a user, or anonymous (username None)."""

    username: str | None
    is_admin: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.username is None


ANONYMOUS = Actor(username=None)


@dataclass(frozen=True, slots=True)
class LogAccess:
    """What the authorization rules need to know of a log for one caller."""

    visibility: Visibility
    role: Role | None


@dataclass(frozen=True, slots=True)
class LogView:
    slug: str
    title: str
    description: str
    visibility: Visibility
    version: int


@dataclass(frozen=True, slots=True)
class MemberView:
    username: str
    role: Role


@dataclass(frozen=True, slots=True)
class LinkView:
    kind: str
    target: str  # 'log/number'


@dataclass(frozen=True, slots=True)
class DecisionView:
    log: str
    number: int
    title: str
    status: str
    date: dt.date
    decision_makers: tuple[str, ...]
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    tags: tuple[str, ...]  # sorted
    content: dict[str, Any]  # the JSON form of application.content_json
    links: tuple[LinkView, ...]  # sorted by kind, then target
    review_by: dt.date | None
    version: int


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    log: str
    number: int
    title: str
    status: str
    date: dt.date
    tags: tuple[str, ...]
    review_by: dt.date | None
    version: int


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    version: int
    event: str  # e.g. 'decision.accepted'
    actor: str
    at: dt.datetime
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class DecisionFilters:
    status: str | None = None
    tag: str | None = None
    person: str | None = None  # in decision_makers, consulted or informed
    review_due: dt.date | None = None  # accepted with review_by on or before this day
