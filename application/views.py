"""Plain read DTOs: what queries return and what the entrypoints serialise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from application.content_json import content_to_json
from domain.decision import Decision
from domain.log import Log
from domain.user import TokenScope
from domain.values import Role, Visibility

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling: a user, or anonymous (username None), and what the credentials
    they came with allow (a read-only token reads only)."""

    username: str | None
    is_admin: bool = False
    scope: TokenScope = TokenScope.READ_WRITE

    @property
    def is_anonymous(self) -> bool:
        return self.username is None


ANONYMOUS = Actor(username=None)
# The trusted local operator: the CLI on the server's own machine.
OPERATOR = Actor(username=None, is_admin=True)


def actor_name(actor: Actor) -> str:
    """How an actor is named in history."""
    return actor.username or ("operator" if actor.is_admin else "anonymous")


@dataclass(frozen=True, slots=True)
class LogAccess:
    """What the authorization rules need to know of a log for one caller."""

    visibility: Visibility
    role: Role | None


@dataclass(frozen=True, slots=True)
class LogDecisions:
    """A log's title and every decision in it by number, with one caller's access."""

    access: LogAccess
    title: str
    decisions: tuple[Decision, ...]
    # Links left out of `decisions`: they name logs the caller may not read.
    hidden_links: int = 0


@dataclass(frozen=True, slots=True)
class SourceView:
    """A log's git source as the API shows it (never with credentials: the registry
    keeps those in its settings, not with the log)."""

    url: str
    branch: str
    path: str


@dataclass(frozen=True, slots=True)
class LogView:
    slug: str
    title: str
    description: str
    visibility: Visibility
    version: int
    stale_after_days: int
    source: SourceView | None = None


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
    # Links left out of `links`: they name logs the caller may not read.
    hidden_links: int = 0


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
class IssuedToken:
    """A new personal access token; `token` is the secret, shown this once."""

    id: str
    username: str
    name: str
    token: str
    scope: TokenScope
    created_at: dt.datetime
    expires_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TokenView:
    """A personal access token as listed: never its secret. `last_used_at` is at most
    a minute behind (ADR-0021); None if never used."""

    id: str
    username: str
    name: str
    scope: TokenScope
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A signed bearer token from sign-in (OAuth2's access token), valid `expires_in` s."""

    access_token: str
    expires_in: int
    scope: TokenScope = TokenScope.READ_WRITE
    token_type: str = "bearer"


@dataclass(frozen=True, slots=True)
class MarkdownFile:
    name: str
    text: str
    # Links left out of the file: they name logs the caller may not read.
    hidden_links: int = 0


@dataclass(frozen=True, slots=True)
class LintProblem:
    file: str
    line: int
    rule: str
    severity: str  # 'error' or 'warning'
    message: str


@dataclass(frozen=True, slots=True)
class FileReport:
    """What an import did with one file."""

    file: str
    outcome: str  # created, updated, unchanged, error (or skipped: valid, but not written)
    number: int | None = None
    problems: tuple[LintProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportReport:
    log: str
    files: tuple[FileReport, ...]

    @property
    def ok(self) -> bool:
        return all(f.outcome != "error" for f in self.files)


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


def log_view(log: Log) -> LogView:
    return LogView(
        slug=log.slug.value,
        title=log.title,
        description=log.description,
        visibility=log.visibility,
        version=log.version,
        stale_after_days=log.stale_after_days,
        source=None
        if log.source is None
        else SourceView(url=log.source.url, branch=log.source.branch, path=log.source.path),
    )


def decision_view(decision: Decision) -> DecisionView:
    return DecisionView(
        log=decision.ref.log.value,
        number=decision.ref.number.value,
        title=decision.title,
        status=decision.status.value,
        date=decision.date,
        decision_makers=decision.decision_makers,
        consulted=decision.consulted,
        informed=decision.informed,
        tags=tuple(sorted(decision.tags)),
        content=content_to_json(decision.content),
        links=tuple(
            LinkView(kind=link.kind.value, target=str(link.target))
            for link in sorted(decision.links, key=lambda k: (k.kind.value, k.target))
        ),
        review_by=decision.review_by,
        version=decision.version,
    )


def decision_summary(decision: Decision) -> DecisionSummary:
    return DecisionSummary(
        log=decision.ref.log.value,
        number=decision.ref.number.value,
        title=decision.title,
        status=decision.status.value,
        date=decision.date,
        tags=tuple(sorted(decision.tags)),
        review_by=decision.review_by,
        version=decision.version,
    )


# -- search -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchFilters:
    log: str | None = None
    status: str | None = None
    tag: str | None = None
    person: str | None = None  # in decision_makers, consulted or informed
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    log: str
    number: int
    title: str
    status: str
    date: dt.date
    # HTML: <mark> around what matched, everything else escaped.
    snippet: str
    # Higher is better; comparable only within one search.
    score: float


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class SearchFacets:
    """How many matches have each status, tag and log; the largest counts first."""

    status: tuple[FacetCount, ...] = ()
    tag: tuple[FacetCount, ...] = ()
    log: tuple[FacetCount, ...] = ()


@dataclass(frozen=True, slots=True)
class RankedHit:
    hit: SearchHit
    # The hit's place in the ranking: by score, then by row id (for the cursor).
    row_id: int


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of hits, and the count and facets of every match."""

    hits: list[RankedHit]
    total: int
    facets: SearchFacets


@dataclass(frozen=True, slots=True)
class SearchPage:
    items: list[SearchHit]
    total: int
    facets: SearchFacets
    next_cursor: str | None
