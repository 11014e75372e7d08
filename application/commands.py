"""Commands and queries: what a caller asks of the application, as plain values.

Every command names its `actor`; the handler decides whether that actor may do it.
Queries name their `caller` instead, whose credentials the read that answers them
checks in the same statement (application.authentication).
`expected_version` carries an HTTP If-Match (None: do not check).
`origin` is the client address a command came from, for the audit trail (None from the
CLI).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from application.audit_views import AuditFilters
from application.authentication import Caller
from application.outbound import OutboundEvent
from application.views import Actor, DecisionFilters, SearchFilters
from domain.content import Content
from domain.decision import Changes
from domain.git_source import GitSource
from domain.links import LinkKind
from domain.values import DecisionRef, LogSlug, Role, Visibility

# -- logs and members ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateLog:
    actor: Actor
    slug: LogSlug
    title: str
    description: str = ""
    visibility: Visibility = Visibility.PRIVATE


@dataclass(frozen=True, slots=True)
class UpdateLog:
    actor: Actor
    slug: LogSlug
    title: str | None = None
    description: str | None = None
    visibility: Visibility | None = None
    stale_after_days: int | None = None
    expected_version: int | None = None
    # With change_source, `source` replaces the log's git source (None detaches it).
    change_source: bool = False
    source: GitSource | None = None


@dataclass(frozen=True, slots=True)
class SetMember:
    actor: Actor
    slug: LogSlug
    username: str
    role: Role
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class RemoveMember:
    actor: Actor
    slug: LogSlug
    username: str
    origin: str | None = None


# -- decisions ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposeDecision:
    actor: Actor
    log: LogSlug
    title: str
    content: Content = field(default_factory=Content)
    decision_makers: tuple[str, ...] = ()
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    review_by: dt.date | None = None
    supersedes: tuple[DecisionRef, ...] = ()


@dataclass(frozen=True, slots=True)
class EditDecision:
    actor: Actor
    ref: DecisionRef
    changes: Changes
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class WithdrawDecision:
    actor: Actor
    ref: DecisionRef
    expected_version: int | None = None


class LifecycleStep(StrEnum):
    """A step a decider takes on one decision. Superseding, which names the successors,
    is `SupersedeDecision`."""

    ACCEPT = "accept"
    REJECT = "reject"
    REOPEN = "reopen"
    DEPRECATE = "deprecate"


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    actor: Actor
    ref: DecisionRef
    step: LifecycleStep
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class SupersedeDecision:
    actor: Actor
    ref: DecisionRef
    by: tuple[DecisionRef, ...]
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class LinkDecisions:
    actor: Actor
    ref: DecisionRef
    kind: LinkKind
    target: DecisionRef


@dataclass(frozen=True, slots=True)
class UnlinkDecisions:
    actor: Actor
    ref: DecisionRef
    kind: LinkKind
    target: DecisionRef


# -- users and tokens ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateUser:
    """Create a user with a first token. Run by the CLI (trusted) or by a site admin."""

    actor: Actor
    username: str
    is_admin: bool = False
    token_name: str = "cli"
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class CreatePasswordUser:
    """Create a user who signs in with a password (and makes tokens once signed in)."""

    actor: Actor
    username: str
    password: str
    is_admin: bool = False
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class SetPassword:
    """Set a user's password: a site admin for anyone, a user for themself given the
    current one (`current_password`, which an admin need not give)."""

    actor: Actor
    username: str
    password: str
    current_password: str | None = None


@dataclass(frozen=True, slots=True)
class SetUserDisabled:
    """Disable a user (their tokens and sign-ins stop working at once) or enable again."""

    actor: Actor
    username: str
    disabled: bool = True
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class SignIn:
    """Check a username and password; the same use case for the API and the web page."""

    username: str
    password: str
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class RequestSessionToken:
    """OAuth2's password grant: a username and password for a short-lived bearer JWT,
    limited to `scope` (OAuth2's space-separated words; None: read write)."""

    username: str
    password: str
    scope: str | None = None
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class CreateToken:
    """A personal access token for the actor: `scope` as OAuth2 writes it (None: read
    write); it expires `expires_in_days` from now, or at `expires_at`, or by default."""

    actor: Actor
    name: str
    scope: str | None = None
    expires_in_days: int | None = None
    expires_at: dt.datetime | None = None
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class RevokeToken:
    """Delete one of the actor's tokens, or anyone's for a site admin."""

    actor: Actor
    token_id: str
    origin: str | None = None


# -- queries ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadAudit:
    """The audit trail, newest first: site admins only."""

    actor: Actor
    filters: AuditFilters = field(default_factory=AuditFilters)
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class GetLog:
    caller: Caller
    slug: LogSlug


@dataclass(frozen=True, slots=True)
class CheckRole:
    """Whether the caller may act with `role` on the log, asked before costly work (an
    upload read and parsed) so that a caller who may not do it is refused first."""

    caller: Caller
    slug: LogSlug
    role: Role
    # For a write: the caller's token needs the write scope too.
    writes: bool = True


@dataclass(frozen=True, slots=True)
class ListTokens:
    """The actor's tokens, or `username`'s for a site admin."""

    actor: Actor
    username: str | None = None
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ListLogs:
    caller: Caller
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ListMembers:
    caller: Caller
    slug: LogSlug


@dataclass(frozen=True, slots=True)
class GetDecision:
    caller: Caller
    ref: DecisionRef


@dataclass(frozen=True, slots=True)
class ListDecisions:
    caller: Caller
    log: LogSlug
    filters: DecisionFilters = field(default_factory=DecisionFilters)
    limit: int = 50
    cursor: str | None = None
    # Search-box text: only the decisions it matches (application.search_query).
    q: str | None = None


@dataclass(frozen=True, slots=True)
class GetHistory:
    caller: Caller
    ref: DecisionRef
    limit: int = 100
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class GetLogOverview:
    """A log at a glance: counts by status, what is due for review on `today`, and what
    was decided last."""

    caller: Caller
    slug: LogSlug
    today: dt.date
    limit: int = 5


@dataclass(frozen=True, slots=True)
class GetLinkGraph:
    actor: Actor
    log: LogSlug


@dataclass(frozen=True, slots=True)
class GetCurrent:
    caller: Caller
    ref: DecisionRef


@dataclass(frozen=True, slots=True)
class Authenticate:
    """Turn what a caller presents into an actor (see application.authentication)."""

    caller: Caller


MAX_LIMIT = 200


# -- search -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchDecisions:
    """Full text across every log the caller may read (application.search_query)."""

    caller: Caller
    q: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ReindexSearch:
    """Rebuild the search index from the decisions. For the operator (CLI)."""

    actor: Actor


# -- MADR in and out ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportDecisions:
    """Files as (name, bytes). Atomic: write nothing unless every file is valid.

    `update`: a file may rewrite the decision that has its number even when their
    titles and content differ (else that is reported as a taken number).
    `authoritative`: the files come from the log's declared source of truth (its synced
    git repository), so they win over the lifecycle. Only the git sync sets it.
    `progress`, when given, is called once for each file read.
    """

    actor: Actor
    log: LogSlug
    files: tuple[tuple[str, bytes], ...]
    atomic: bool = True
    update: bool = False
    authoritative: bool = False
    progress: Callable[[], None] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class LintFiles:
    files: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, slots=True)
class ExportLog:
    actor: Actor
    log: LogSlug


@dataclass(frozen=True, slots=True)
class RenderDecision:
    actor: Actor
    ref: DecisionRef


@dataclass(frozen=True, slots=True)
class DrawGraph:
    actor: Actor
    log: LogSlug
    format: str  # 'mermaid' or 'dot'


# -- webhooks -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateWebhook:
    actor: Actor
    log: LogSlug
    url: str
    events: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class ListWebhooks:
    actor: Actor
    log: LogSlug
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class GetWebhook:
    actor: Actor
    log: LogSlug
    id: int


@dataclass(frozen=True, slots=True)
class UpdateWebhook:
    """Each field given changes that setting; `enabled` True re-enables a disabled one."""

    actor: Actor
    log: LogSlug
    id: int
    url: str | None = None
    events: tuple[str, ...] | None = None
    description: str | None = None
    enabled: bool | None = None
    rotate_secret: bool = False
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class DeleteWebhook:
    actor: Actor
    log: LogSlug
    id: int


@dataclass(frozen=True, slots=True)
class PingWebhook:
    actor: Actor
    log: LogSlug
    id: int


@dataclass(frozen=True, slots=True)
class ListDeliveries:
    actor: Actor
    log: LogSlug
    id: int
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Redeliver:
    actor: Actor
    log: LogSlug
    id: int
    delivery_id: int


# Background work (Celery tasks and beat), with no actor: the system acts.


@dataclass(frozen=True, slots=True)
class FanOutEvent:
    """Make one delivery of `event` for each enabled subscription that wants it."""

    event: OutboundEvent


@dataclass(frozen=True, slots=True)
class DeliverWebhook:
    """Make the delivery's next attempt, if it is due."""

    delivery_id: int


@dataclass(frozen=True, slots=True)
class FindDueDeliveries:
    limit: int = 500


# -- background work (the worker and beat) -----------------------------------------


@dataclass(frozen=True, slots=True)
class RelayOutbox:
    """Publish the events that wait in the outbox, `batch` at a time, at most `limit`."""

    batch: int = 100
    limit: int = 10_000


@dataclass(frozen=True, slots=True)
class SweepReviews:
    """Raise decision.review_due for accepted decisions past their review_by day."""

    limit: int = 1000


@dataclass(frozen=True, slots=True)
class SweepStaleProposals:
    """Raise decision.stale for proposals untouched longer than their log allows."""

    limit: int = 1000


# -- git sync -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestSync:
    """Queue a sync of a log with a git source."""

    actor: Actor
    log: LogSlug


@dataclass(frozen=True, slots=True)
class RunSync:
    """A worker runs a queued sync."""

    sync_id: int


@dataclass(frozen=True, slots=True)
class SyncAllLogs:
    """The beat queues a sync of every log with a git source."""


@dataclass(frozen=True, slots=True)
class GetSync:
    actor: Actor
    log: LogSlug
    id: int


@dataclass(frozen=True, slots=True)
class ListSyncs:
    actor: Actor
    log: LogSlug
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ReserveNumber:
    """Hold the log's next number for a decision that will arrive through git."""

    actor: Actor
    log: LogSlug
    title: str | None = None


@dataclass(frozen=True, slots=True)
class GetDrift:
    actor: Actor
    log: LogSlug
