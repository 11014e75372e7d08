"""The ports: what the use cases need from the world, as Protocols.

Adapters subclass these explicitly so mypy checks them where they are defined; test
fakes stay structural.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from application.audit_views import AuditEntryView, AuditFilters
from application.authentication import Caller, Credentials, SignedToken
from application.git_views import GitSnapshot, Reservation, SourceFile, SyncOutcome, SyncView
from application.outbound import OutboundEvent
from application.parsed_files import ParsedFile
from application.search_query import SearchQuery
from application.views import (
    Actor,
    DecisionFilters,
    DecisionSummary,
    DecisionView,
    FileReport,
    HistoryEntry,
    IssuedSession,
    LintProblem,
    LogAccess,
    LogDecisions,
    LogView,
    MemberView,
    SearchFilters,
    SearchResults,
    TokenView,
)
from application.webhook_views import DeliveryView, SubscriptionView
from domain.audit import AuditRecord
from domain.decision import Decision
from domain.events import DecisionEvent
from domain.git_source import GitSource
from domain.log import Log
from domain.user import AccessToken, TokenScope, User
from domain.values import DecisionNumber, DecisionRef, LogSlug
from domain.webhooks import (
    Attempt,
    AttemptOutcome,
    Delivery,
    Subscription,
    WebhookMessage,
    WebhookUrl,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SessionTokens(Protocol):
    """Short-lived signed bearer tokens (JWTs) issued on sign-in."""

    def issue(self, username: str, now: datetime, scope: TokenScope) -> IssuedSession: ...

    def verified(self, token: str) -> SignedToken:
        """The token's user if its signature and claims hold now; NotAuthenticated if not."""
        ...


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id). Async: hashing takes tens of milliseconds
    of CPU, which must not stall the event loop."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; for None, spends the same time and answers False,
        so that an unknown username cannot be told apart by how long the reply takes."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with weaker parameters than the current ones."""
        ...


class LogRepository(Protocol):
    async def get(self, slug: LogSlug) -> Log | None: ...

    async def add(self, log: Log) -> None: ...

    async def next_number(self, slug: LogSlug) -> DecisionNumber:
        """Take the log's next decision number, atomically: concurrent callers get
        consecutive numbers, and a rolled-back transaction gives its number back."""
        ...

    async def reserve_through(self, slug: LogSlug, number: DecisionNumber) -> None:
        """Make sure `next_number` will never hand out `number` or anything below it."""
        ...

    async def source_file(self, ref: DecisionRef) -> str | None:
        """The file of the log's git folder that holds the decision, if a sync saw one."""
        ...


class DecisionRepository(Protocol):
    async def get(self, ref: DecisionRef) -> Decision | None:
        """The aggregate, tracked: changes to it are saved on commit."""
        ...

    async def add(self, decision: Decision) -> None: ...

    async def remove(self, decision: Decision) -> None:
        """Delete a withdrawn proposal; its number stays retired."""
        ...

    async def list_in(self, log: LogSlug) -> list[Decision]:
        """Every decision of a log, by number, tracked like `get` (one query)."""
        ...

    async def retired_numbers(self, log: LogSlug) -> set[DecisionNumber]:
        """Numbers of withdrawn proposals: they have a history and stay retired."""
        ...

    async def aliases(self, log: LogSlug) -> dict[str, DecisionNumber]:
        """The log's aliases (the slugs of day-named files imported into it), with the
        number each was given."""
        ...

    async def add_alias(self, log: LogSlug, alias: str, number: DecisionNumber) -> None:
        """Record, for good, that `alias` names decision `number` of the log."""
        ...


class UserRepository(Protocol):
    async def get(self, username: str) -> User | None: ...

    async def add(self, user: User) -> None: ...

    async def add_token(self, token: AccessToken) -> None: ...

    async def remove_token(self, token_id: str, username: str | None) -> bool:
        """Delete the token with that id, if `username` owns it (any owner for None);
        whether there was one."""
        ...

    async def update(self, user: User) -> None:
        """Store the user's password hash, admin flag and disabled flag."""
        ...

    async def count(self) -> int: ...


class AuditTrail(Protocol):
    async def record(self, entry: AuditRecord) -> None:
        """Add the entry to the unit of work's transaction: it is kept only if that
        commits."""
        ...


class AuditReader(Protocol):
    async def entries(
        self, filters: AuditFilters, *, after: int | None, limit: int
    ) -> list[AuditEntryView]:
        """The entries that match, newest first, those older than the entry `after`."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the context without commit rolls back."""

    @property
    def logs(self) -> LogRepository: ...

    @property
    def decisions(self) -> DecisionRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def audit(self) -> AuditTrail: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Save every tracked change and its events (the history) atomically.

        Raises VersionMismatch when another transaction changed a record first."""
        ...

    def collect_events(self) -> list[DecisionEvent]:
        """The events committed by this unit of work, oldest first, once."""
        ...


class ReadModel(Protocol):
    """Queries straight into DTOs: never loads aggregates."""

    async def actor_for(self, credentials: Credentials) -> Actor | None:
        """The user the credentials name, if they are valid (application.authentication)."""
        ...

    async def tokens(self, username: str, *, limit: int, after: str | None) -> list[TokenView]:
        """The user's personal access tokens by id, after `after`; never their secrets."""
        ...

    async def password_of(self, username: str) -> tuple[Actor, str] | None:
        """An enabled user with a password, and its hash; None for anyone else."""
        ...

    async def log_access(
        self, slug: LogSlug, caller: Caller
    ) -> tuple[Actor | None, LogAccess | None]:
        """Whom the caller's credentials name (as `actor_for`) and the log's access for
        that caller, in one round trip; no access when there is no such log."""
        ...

    async def log_accesses(
        self, slugs: Collection[LogSlug], username: str | None
    ) -> dict[LogSlug, LogAccess]: ...

    async def log(self, slug: LogSlug) -> LogView | None: ...

    async def logs(self, actor: Actor, *, limit: int, after: LogSlug | None) -> list[LogView]:
        """Logs the actor may read (public, a member of, or all for an admin), by slug."""
        ...

    async def members(self, slug: LogSlug) -> list[MemberView]: ...

    async def decision(
        self, ref: DecisionRef, caller: Caller
    ) -> tuple[Actor | None, LogAccess | None, DecisionView | None]:
        """As `log_access`, and the decision, in one round trip."""
        ...

    async def decisions(
        self,
        slug: LogSlug,
        filters: DecisionFilters,
        *,
        limit: int,
        after: DecisionNumber | None,
    ) -> list[DecisionSummary]:
        """Decisions of a log matching `filters`, by number, after `after`."""
        ...

    async def status_counts(self, slug: LogSlug) -> dict[str, int]:
        """How many decisions of the log have each status (statuses with none left out)."""
        ...

    async def recently_decided(self, slug: LogSlug, *, limit: int) -> list[DecisionSummary]:
        """The log's accepted decisions, the latest decided first."""
        ...

    async def history(
        self, ref: DecisionRef, *, limit: int, after_version: int | None
    ) -> list[HistoryEntry]:
        """A decision's events, oldest first."""
        ...

    async def current(self, ref: DecisionRef) -> list[DecisionSummary]:
        """The decisions in force along supersession from `ref` (see
        domain.supersession.current), by log and number."""
        ...


class DecisionReader(Protocol):
    """Whole decisions for the reads that need every field: a decision as a MADR file,
    a log's export, its link graph.

    The MADR codec renders `Decision` aggregates, so these are built from rows as the
    repository builds them, but untracked: nothing saves them, and reading them opens no
    write transaction (on SQLite, takes no write lock). Each method is one statement.
    Every other read goes through `ReadModel`, into DTOs.
    """

    async def decision(
        self, ref: DecisionRef, username: str | None
    ) -> tuple[LogAccess | None, Decision | None]:
        """The log's access for `username` and the decision."""
        ...

    async def log_decisions(self, slug: LogSlug, username: str | None) -> LogDecisions | None:
        """The log's access for `username`, its title and its decisions by number;
        None when there is no such log."""
        ...


class DecisionSearch(Protocol):
    """The full-text index of decisions, kept in the same transaction as every write.

    `query` never `matches_nothing` here: the handlers answer such queries themselves.
    """

    async def search(
        self,
        query: SearchQuery,
        actor: Actor,
        filters: SearchFilters,
        *,
        limit: int,
        after: tuple[float, int] | None,
        facet_size: int,
    ) -> SearchResults:
        """Matches in every log the actor may read (public ones, those they have a role
        in, all for an admin), best first: by score, then row id, both descending; after
        `after` (a score and row id). Total and facets count every match; each facet
        gives its `facet_size` largest counts."""
        ...

    async def decisions(
        self,
        slug: LogSlug,
        query: SearchQuery,
        filters: DecisionFilters,
        *,
        limit: int,
        after: DecisionNumber | None,
    ) -> list[DecisionSummary]:
        """Like ReadModel.decisions, keeping only the decisions that match `query`."""
        ...

    async def rebuild(self) -> int:
        """Index every decision again, from scratch; returns how many there are."""
        ...


class MadrCodec(Protocol):
    """Reads and writes MADR files."""

    def parse(self, text: str, *, filename: str, log: LogSlug, today: date) -> ParsedFile:
        """The decision a file holds; raises InvalidMadr naming the file and line."""
        ...

    def not_a_decision(self, filename: str) -> str | None:
        """Why a file of an ADR folder holds no decision (a README, a template), or None."""
        ...

    def render(self, decision: Decision) -> str:
        """The decision as a canonical MADR 4 file."""
        ...

    def lint(self, files: Mapping[str, str]) -> list[LintProblem]:
        """Every problem of every file, by file and line; stores nothing."""
        ...


class HealthProbe(Protocol):
    async def check(self) -> dict[str, str]:
        """Each dependency's state: 'ok' or what is wrong."""
        ...


# -- webhooks -------------------------------------------------------------------


class WebhookSender(Protocol):
    async def send(self, message: WebhookMessage) -> AttemptOutcome:
        """POST one signed message and report what came of it.

        Never raises for what the receiver or the network does: a refused target, a
        timeout or a broken connection is an outcome with `error` set."""
        ...


class WebhookTargetPolicy(Protocol):
    async def refusal(self, url: WebhookUrl) -> str | None:
        """Why deliveries to `url` would be refused (its host resolves to a private
        address, say), or None if it may be called."""
        ...


class WebhookSubscriptionRepository(Protocol):
    async def add(self, subscription: Subscription) -> int:
        """Store a new subscription; returns its id (also set on it)."""
        ...

    async def get(self, subscription_id: int, log: LogSlug | None = None) -> Subscription | None:
        """The subscription (in `log`, when given), locked until the commit."""
        ...

    async def save(self, subscription: Subscription) -> None: ...

    async def remove(self, subscription: Subscription) -> None:
        """Delete it with its deliveries and their attempts."""
        ...

    async def enabled_in(self, log: LogSlug) -> list[Subscription]: ...


class WebhookDeliveryRepository(Protocol):
    async def add(self, delivery: Delivery) -> int:
        """Store one delivery; returns its id (also set on it)."""
        ...

    async def add_missing(self, deliveries: list[Delivery]) -> None:
        """Store those deliveries whose (event, subscription) has none yet."""
        ...

    async def pending_of_event(self, event_id: str) -> list[int]:
        """Ids of the event's deliveries that are still pending."""
        ...

    async def subscription_of(self, delivery_id: int) -> int | None:
        """The id of the delivery's subscription, without locking anything."""
        ...

    async def get(self, delivery_id: int, subscription_id: int | None = None) -> Delivery | None:
        """The delivery (of that subscription, when given), locked until the commit."""
        ...

    async def save(self, delivery: Delivery) -> None: ...

    async def add_attempt(self, delivery_id: int, attempt: Attempt) -> None: ...

    async def cancel_pending(self, subscription_id: int) -> None:
        """Cancel every pending delivery of the subscription."""
        ...


class WebhookUnitOfWork(Protocol):
    """One transaction over subscriptions and deliveries. Lock subscriptions before
    deliveries (as `get` does), so that two transactions never wait on each other."""

    @property
    def subscriptions(self) -> WebhookSubscriptionRepository: ...

    @property
    def deliveries(self) -> WebhookDeliveryRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class WebhookReadModel(Protocol):
    async def subscriptions(
        self, log: LogSlug, *, limit: int, after: int | None
    ) -> list[SubscriptionView]:
        """A log's subscriptions, by id."""
        ...

    async def subscription(self, log: LogSlug, subscription_id: int) -> SubscriptionView | None: ...

    async def deliveries(
        self, subscription_id: int, *, limit: int, before: int | None
    ) -> list[DeliveryView]:
        """A subscription's deliveries, newest first, each with its attempts."""
        ...

    async def due_deliveries(self, now: datetime, limit: int) -> list[int]:
        """Ids of pending deliveries whose next attempt is due, the most overdue first."""


# -- background work: the outbox, the broker, beat notices --------------------------


class OutboxClaim(Protocol):
    @property
    def events(self) -> Sequence[OutboundEvent]:
        """Unsent events, oldest first, held by this relay while the claim lasts."""
        ...

    async def mark_sent(self, count: int) -> None:
        """Mark the first `count` events sent: the broker confirmed them."""
        ...


class Outbox(Protocol):
    """The stored events on their way out (ADR-0015)."""

    def claim(self, limit: int) -> AbstractAsyncContextManager[OutboxClaim]:
        """Up to `limit` unsent events that no other relay holds. What the claim does
        not mark sent stays unsent, for the next relay."""
        ...

    async def unsent(self) -> int:
        """How many events wait."""
        ...


@dataclass(frozen=True, slots=True)
class Published:
    """How many events (in order) the broker confirmed, and why it stopped short."""

    confirmed: int
    error: str | None = None


class EventPublisher(Protocol):
    async def publish(self, events: Sequence[OutboundEvent]) -> Published:
        """Hand the events to the broker in order; returns after its confirms."""
        ...


class OutboxSignal(Protocol):
    def nudge(self) -> None:
        """Events were just committed: relay them soon. Returns at once, never fails."""
        ...


@dataclass(frozen=True, slots=True)
class Notice:
    """A beat job's event, stored once per `key` however often the job runs."""

    event: DecisionEvent
    key: str
    decision: DecisionView


class Notices(Protocol):
    async def due_for_review(self, on: date, limit: int) -> list[DecisionView]:
        """Accepted decisions whose review_by is on or before `on` and that have no
        notice for that day yet (see application.handlers.notices.review_key)."""
        ...

    async def stale_proposals(
        self, now: datetime, limit: int
    ) -> list[tuple[DecisionView, datetime, int]]:
        """Proposals untouched longer than their log's stale_after_days, each with when
        it was last touched and that setting, that have no notice for this period yet
        (see application.handlers.notices.stale_key)."""
        ...

    async def add(self, notices: Sequence[Notice]) -> int:
        """Store each notice with its event unless its key is stored; returns how many
        were new."""
        ...


@dataclass(frozen=True, slots=True)
class BacklogView:
    """Work waiting in the database, for operators' metrics."""

    unsent_events: int
    oldest_unsent_at: datetime | None
    deliveries_by_state: Mapping[str, int]


class Backlog(Protocol):
    """What the outbox and the webhook delivery log hold, read on each metrics scrape."""

    async def read(self) -> BacklogView: ...


_A = TypeVar("_A")
_R = TypeVar("_R")


class CpuBoundWork(Protocol):
    """Where CPU-bound work (parsing uploaded files) runs: off the event loop, so one
    request's files never stall the others, and within a time budget."""

    async def run(self, work: Callable[[_A], _R], argument: _A) -> _R:
        """`work(argument)`'s result; raises WorkTooLong past the budget. `work` is a
        module-level function and `argument` picklable: it may run in another process."""
        ...


# -- git sync ----------------------------------------------------------------------


class GitRepositories(Protocol):
    async def snapshot(self, log: LogSlug, source: GitSource) -> GitSnapshot:
        """The source folder at its branch's head (with the log's credentials, if the
        operator set some); GitSourceUnavailable, with a reason, when it cannot be read."""
        ...


class GitSourcePolicy(Protocol):
    async def refusal(self, url: str) -> str | None:
        """Why the registry may not read a repository at `url`, or None if it may: only
        http(s) remotes that pass the SSRF guard, and local paths where the operator
        allows them."""
        ...


class GitSyncs(Protocol):
    """The record of syncs, the files they saw, and the per-log lease."""

    async def request(self, log: LogSlug, at: datetime) -> int:
        """Record a queued sync of the log; its id."""
        ...

    async def get(self, sync_id: int) -> SyncView | None: ...

    async def recent(self, log: LogSlug, *, limit: int, before: int | None) -> list[SyncView]:
        """The log's syncs, newest first, with ids below `before` when given."""
        ...

    async def start(self, sync_id: int, at: datetime) -> SyncView | None:
        """Mark the sync running; None when it has already finished (a redelivery)."""
        ...

    async def finish(
        self,
        sync_id: int,
        at: datetime,
        outcome: SyncOutcome,
        *,
        commit: str | None = None,
        author: str | None = None,
        reason: str | None = None,
        files: Sequence[FileReport] = (),
    ) -> None: ...

    async def last_imported_commit(self, log: LogSlug) -> str | None:
        """The commit of the log's last sync that imported or found nothing new."""
        ...

    async def files(self, log: LogSlug) -> list[SourceFile]: ...

    async def save_files(self, log: LogSlug, files: Sequence[SourceFile]) -> None:
        """Replace the log's record of its source files with `files`."""
        ...

    async def acquire(self, log: LogSlug, holder: str, *, now: datetime, until: datetime) -> bool:
        """Take the log's sync lease unless another holder has it and it has not expired;
        atomic across processes."""
        ...

    async def release(self, log: LogSlug, holder: str) -> None: ...

    async def synced_logs(self) -> list[LogSlug]:
        """The logs that have a git source."""
        ...


class SyncQueue(Protocol):
    async def enqueue(self, sync_id: int) -> None:
        """Hand the sync to a worker."""
        ...


class NumberReservations(Protocol):
    async def reserve(
        self, log: LogSlug, *, by: str, file_slug: str, at: datetime, until: datetime
    ) -> Reservation:
        """Take the log's next number (as a proposal would: concurrent callers get
        distinct ones, never given out again) and hold it until `until`; the file name
        is the number and `file_slug`."""
        ...

    async def of(self, log: LogSlug) -> dict[int, Reservation]:
        """The log's reservations by number, used, live and expired."""
        ...

    async def use(self, log: LogSlug, number: int, file: str) -> None:
        """Record that `file` took reserved `number`."""
        ...
