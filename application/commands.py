"""Commands and queries: what a caller asks of the application, as plain values.

Every command names its `actor`; the handler decides whether that actor may do it.
`expected_version` carries an HTTP If-Match (None: do not check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from application.views import Actor, DecisionFilters
from domain.content import Content
from domain.decision import Changes
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
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class SetMember:
    actor: Actor
    slug: LogSlug
    username: str
    role: Role


@dataclass(frozen=True, slots=True)
class RemoveMember:
    actor: Actor
    slug: LogSlug
    username: str


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


@dataclass(frozen=True, slots=True)
class CreateToken:
    actor: Actor
    name: str


# -- queries ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetLog:
    actor: Actor
    slug: LogSlug


@dataclass(frozen=True, slots=True)
class ListLogs:
    actor: Actor
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ListMembers:
    actor: Actor
    slug: LogSlug


@dataclass(frozen=True, slots=True)
class GetDecision:
    actor: Actor
    ref: DecisionRef


@dataclass(frozen=True, slots=True)
class ListDecisions:
    actor: Actor
    log: LogSlug
    filters: DecisionFilters = field(default_factory=DecisionFilters)
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class GetHistory:
    actor: Actor
    ref: DecisionRef
    limit: int = 100
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class GetCurrent:
    actor: Actor
    ref: DecisionRef


@dataclass(frozen=True, slots=True)
class Authenticate:
    """Turn a bearer token into an actor (None: no token given)."""

    token: str | None


MAX_LIMIT = 200


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
