"""The ports: what the use cases need from the world, as Protocols.

Adapters subclass these explicitly so mypy checks them where they are defined; test
fakes stay structural.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from application.parsed_files import ParsedFile
from application.views import (
    Actor,
    DecisionFilters,
    DecisionSummary,
    DecisionView,
    HistoryEntry,
    LintProblem,
    LogAccess,
    LogDecisions,
    LogView,
    MemberView,
)
from domain.decision import Decision
from domain.events import DecisionEvent
from domain.log import Log
from domain.user import AccessToken, User
from domain.values import DecisionNumber, DecisionRef, LogSlug


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
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

    async def count(self) -> int: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the context without commit rolls back."""

    @property
    def logs(self) -> LogRepository: ...

    @property
    def decisions(self) -> DecisionRepository: ...

    @property
    def users(self) -> UserRepository: ...

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

    async def actor_for_token(self, secret_hash: str) -> Actor | None: ...

    async def log_access(self, slug: LogSlug, username: str | None) -> LogAccess | None: ...

    async def log_accesses(
        self, slugs: Collection[LogSlug], username: str | None
    ) -> dict[LogSlug, LogAccess]: ...

    async def log(self, slug: LogSlug) -> LogView | None: ...

    async def logs(self, actor: Actor, *, limit: int, after: LogSlug | None) -> list[LogView]:
        """Logs the actor may read (public, a member of, or all for an admin), by slug."""
        ...

    async def members(self, slug: LogSlug) -> list[MemberView]: ...

    async def decision(
        self, ref: DecisionRef, username: str | None
    ) -> tuple[LogAccess | None, DecisionView | None]:
        """The log's access for `username` and the decision, in one round trip."""
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
