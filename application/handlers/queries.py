"""Read use cases: they go through the read model into DTOs, never loading aggregates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from application.access import authorize, can
from application.authentication import Caller, authenticate, verified
from application.commands import (
    MAX_LIMIT,
    GetCurrent,
    GetDecision,
    GetHistory,
    GetLog,
    ListDecisions,
    ListLogs,
    ListMembers,
)
from application.cursors import decode_int_cursor, decode_str_cursor, encode_cursor
from application.errors import NotFound
from application.ports import ReadModel
from application.views import (
    Actor,
    DecisionSummary,
    DecisionView,
    HistoryEntry,
    LogView,
    MemberView,
    Page,
)
from domain.errors import InvalidValue
from domain.values import DecisionNumber, LogSlug, Role

T = TypeVar("T")


# Events one version may hold: its change and the notices raised while it stood.
_VERSION_AT_MOST = 1000


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue("limit", f"must be between 1 and {MAX_LIMIT}, not {limit}")
    return limit


def _page(rows: Sequence[T], limit: int, key: Callable[[T], str | int]) -> Page[T]:
    """Rows were fetched with limit + 1: the extra one only says there is a next page."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor(key(items[-1])) if more else None)


async def _authorize_read(read_model: ReadModel, caller: Caller, slug: LogSlug) -> Actor:
    """The caller, once it may read the log: authenticated in the access query itself."""
    found, access = await read_model.log_access(slug, caller)
    actor = verified(caller, found)
    authorize(actor, access, Role.VIEWER, slug)
    return actor


class GetLogHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: GetLog) -> LogView:
        await _authorize_read(self.read_model, query.caller, query.slug)
        log = await self.read_model.log(query.slug)
        if log is None:
            raise NotFound(f"there is no log '{query.slug}'")
        return log


class ListLogsHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: ListLogs) -> Page[LogView]:
        limit = _check_limit(query.limit)
        after = None if query.cursor is None else LogSlug(decode_str_cursor(query.cursor))
        actor = await authenticate(self.read_model, query.caller)
        rows = await self.read_model.logs(actor, limit=limit + 1, after=after)
        return _page(rows, limit, lambda log: log.slug)


class ListMembersHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: ListMembers) -> list[MemberView]:
        await _authorize_read(self.read_model, query.caller, query.slug)
        return await self.read_model.members(query.slug)


class GetDecisionHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: GetDecision) -> DecisionView:
        found, access, view = await self.read_model.decision(query.ref, query.caller)
        authorize(verified(query.caller, found), access, Role.VIEWER, query.ref.log)
        if view is None:
            raise NotFound(
                f"there is no decision {query.ref.number.value} in log '{query.ref.log}'"
            )
        return view


class ListDecisionsHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: ListDecisions) -> Page[DecisionSummary]:
        limit = _check_limit(query.limit)
        after = None
        if query.cursor is not None:
            after = DecisionNumber(decode_int_cursor(query.cursor))
        await _authorize_read(self.read_model, query.caller, query.log)
        rows = await self.read_model.decisions(
            query.log, query.filters, limit=limit + 1, after=after
        )
        return _page(rows, limit, lambda d: d.number)


class GetHistoryHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: GetHistory) -> Page[HistoryEntry]:
        limit = _check_limit(query.limit)
        after = None if query.cursor is None else decode_int_cursor(query.cursor)
        await _authorize_read(self.read_model, query.caller, query.ref.log)
        rows = await self.read_model.history(query.ref, limit=limit + 1, after_version=after)
        if not rows and after is None:
            raise NotFound(
                f"there is no decision {query.ref.number.value} in log '{query.ref.log}'"
            )
        return await self._whole_versions(query, rows, limit)

    async def _whole_versions(
        self, query: GetHistory, rows: list[HistoryEntry], limit: int
    ) -> Page[HistoryEntry]:
        """A page never ends inside a version: the beat's notices (review due, stale)
        carry the version they saw, beside the change that made it, and the cursor is a
        version. A version cut by the limit goes to the next page whole, or, when it
        alone is longer than a page, makes this page on its own."""
        if len(rows) <= limit or rows[limit].version != rows[limit - 1].version:
            return _page(rows, limit, lambda e: e.version)
        cut = rows[limit - 1].version
        kept = [e for e in rows[:limit] if e.version != cut]
        if kept:
            return Page(items=kept, next_cursor=encode_cursor(kept[-1].version))
        group = await self.read_model.history(
            query.ref, limit=_VERSION_AT_MOST + 1, after_version=cut - 1
        )
        whole = [e for e in group if e.version == cut]
        more = len(group) > len(whole)
        return Page(items=whole, next_cursor=encode_cursor(cut) if more else None)


class GetCurrentHandler:
    """The decisions in force along supersession, among those the actor may read."""

    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: GetCurrent) -> list[DecisionSummary]:
        actor = await _authorize_read(self.read_model, query.caller, query.ref.log)
        current = await self.read_model.current(query.ref)
        if not current:
            raise NotFound(
                f"there is no decision {query.ref.number.value} in log '{query.ref.log}'"
            )
        slugs = {LogSlug(d.log) for d in current}
        accesses = await self.read_model.log_accesses(slugs, actor.username)
        readable = {s.value for s in slugs if can(actor, accesses.get(s), Role.VIEWER)}
        return [d for d in current if d.log in readable]
