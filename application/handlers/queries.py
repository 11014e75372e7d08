"""Read use cases: they go through the read model into DTOs, never loading aggregates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from application.access import authorize, can, require_signed_in, require_write_scope
from application.authentication import Caller, authenticate, verified
from application.commands import (
    MAX_LIMIT,
    CheckRole,
    GetCurrent,
    GetDecision,
    GetHistory,
    GetLog,
    ListDecisions,
    ListLogs,
    ListMembers,
    ListTokens,
    SearchDecisions,
)
from application.cursors import NUMBER, ROW_ID, SCORE, SLUG, TOKEN_ID, VERSION, Cursors, Scope
from application.errors import Forbidden, NotFound
from application.ports import DecisionSearch, ReadModel
from application.search_query import check_search_text, parse_search
from application.views import (
    Actor,
    DecisionSummary,
    DecisionView,
    HistoryEntry,
    LogView,
    MemberView,
    Page,
    SearchFacets,
    SearchFilters,
    SearchPage,
    TokenView,
)
from application.visible_links import (
    history_targets,
    readable_through_reads,
    view_for_reader,
    visible_history,
)
from domain.errors import InvalidValue
from domain.values import DecisionNumber, LogSlug, Role, tag_of

# How many values each facet of a search counts, the largest counts first.
FACET_SIZE = 20

T = TypeVar("T")


# Events one version may hold: its change and the notices raised while it stood.
_VERSION_AT_MOST = 1000


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue("limit", f"must be between 1 and {MAX_LIMIT}, not {limit}")
    return limit


def check_filter_text(field: str, value: str | None) -> str | None:
    """A text filter, refused when it holds a NUL (no database stores one)."""
    if value is not None and "\x00" in value:
        raise InvalidValue(field, "must not contain NUL characters")
    return value


def _page(rows: Sequence[T], limit: int, cursor: Callable[[T], str]) -> Page[T]:
    """Rows were fetched with limit + 1: the extra one only says there is a next page."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return Page(items=items, next_cursor=cursor(items[-1]) if more else None)


async def authorize_read(read_model: ReadModel, caller: Caller, slug: LogSlug) -> Actor:
    """The caller, once it may read the log: authenticated in the access query itself."""
    found, access = await read_model.log_access(slug, caller)
    actor = verified(caller, found)
    authorize(actor, access, Role.VIEWER, slug)
    return actor


class CheckRoleHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: CheckRole) -> Actor:
        """The caller, once it may act with the role on the log; raises as `authorize`."""
        found, access = await self.read_model.log_access(query.slug, query.caller)
        actor = verified(query.caller, found)
        if query.writes:
            require_write_scope(actor)
        authorize(actor, access, query.role, query.slug)
        return actor


class GetLogHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: GetLog) -> LogView:
        await authorize_read(self.read_model, query.caller, query.slug)
        log = await self.read_model.log(query.slug)
        if log is None:
            raise NotFound(f"there is no log '{query.slug}'")
        return log


class ListLogsHandler:
    _SCOPE: Scope = ("logs",)

    def __init__(self, read_model: ReadModel, cursors: Cursors) -> None:
        self.read_model = read_model
        self.cursors = cursors

    async def __call__(self, query: ListLogs) -> Page[LogView]:
        limit = _check_limit(query.limit)
        after = None
        if query.cursor is not None:
            (slug,) = self.cursors.decode(query.cursor, self._SCOPE, SLUG)
            after = LogSlug(slug)
        actor = await authenticate(self.read_model, query.caller)
        rows = await self.read_model.logs(actor, limit=limit + 1, after=after)
        return _page(rows, limit, lambda log: self.cursors.encode(self._SCOPE, log.slug))


class ListTokensHandler:
    """A user's personal access tokens, never their secrets: one's own, or anyone's for
    a site admin."""

    def __init__(self, read_model: ReadModel, cursors: Cursors) -> None:
        self.read_model = read_model
        self.cursors = cursors

    async def __call__(self, query: ListTokens) -> Page[TokenView]:
        actor = query.actor
        require_signed_in(actor)
        username = actor.username if query.username is None else query.username
        if username != actor.username and not actor.is_admin:
            raise Forbidden("only a site admin may list another user's tokens")
        if username is None:
            raise NotFound("the operator has no tokens of its own: name a user")
        limit = _check_limit(query.limit)
        scope: Scope = ("tokens", username)
        after = None
        if query.cursor is not None:
            (after,) = self.cursors.decode(query.cursor, scope, TOKEN_ID)
        rows = await self.read_model.tokens(username, limit=limit + 1, after=after)
        return _page(rows, limit, lambda token: self.cursors.encode(scope, token.id))


class ListMembersHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: ListMembers) -> list[MemberView]:
        await authorize_read(self.read_model, query.caller, query.slug)
        return await self.read_model.members(query.slug)


class GetDecisionHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: GetDecision) -> DecisionView:
        found, access, view = await self.read_model.decision(query.ref, query.caller)
        actor = verified(query.caller, found)
        authorize(actor, access, Role.VIEWER, query.ref.log)
        if view is None:
            raise NotFound(
                f"there is no decision {query.ref.number.value} in log '{query.ref.log}'"
            )
        return await view_for_reader(self.read_model, actor, view)


class ListDecisionsHandler:
    """A log's decisions by number, filtered; with `q`, only those the search matches."""

    def __init__(self, read_model: ReadModel, search: DecisionSearch, cursors: Cursors) -> None:
        self.read_model = read_model
        self.search = search
        self.cursors = cursors

    async def __call__(self, query: ListDecisions) -> Page[DecisionSummary]:
        limit = _check_limit(query.limit)
        filters = query.filters
        check_filter_text("tag", filters.tag)
        check_filter_text("person", filters.person)
        text = None if query.q is None else parse_search(check_search_text(query.q))
        await authorize_read(self.read_model, query.caller, query.log)
        scope: Scope = (
            "decisions",
            query.log.value,
            filters.status,
            filters.tag,
            filters.person,
            None if filters.review_due is None else filters.review_due.isoformat(),
            None if text is None else str(text),
        )
        after = None
        if query.cursor is not None:
            (number,) = self.cursors.decode(query.cursor, scope, NUMBER)
            after = DecisionNumber(number)
        if text is None:
            rows = await self.read_model.decisions(query.log, filters, limit=limit + 1, after=after)
        elif text.matches_nothing:
            rows = []
        else:
            rows = await self.search.decisions(
                query.log, text, filters, limit=limit + 1, after=after
            )
        return _page(rows, limit, lambda d: self.cursors.encode(scope, d.number))


class GetHistoryHandler:
    def __init__(self, read_model: ReadModel, cursors: Cursors) -> None:
        self.read_model = read_model
        self.cursors = cursors

    async def __call__(self, query: GetHistory) -> Page[HistoryEntry]:
        limit = _check_limit(query.limit)
        actor = await authorize_read(self.read_model, query.caller, query.ref.log)
        scope: Scope = ("history", query.ref.log.value, query.ref.number.value)
        after = None
        if query.cursor is not None:
            (after,) = self.cursors.decode(query.cursor, scope, VERSION)
        rows = await self.read_model.history(query.ref, limit=limit + 1, after_version=after)
        if not rows and after is None:
            raise NotFound(
                f"there is no decision {query.ref.number.value} in log '{query.ref.log}'"
            )
        page = await self._whole_versions(query, rows, limit, scope)
        own = query.ref.log
        readable = await readable_through_reads(
            self.read_model, actor, own, history_targets(page.items, own)
        )
        return Page(visible_history(page.items, own, readable), page.next_cursor)

    async def _whole_versions(
        self, query: GetHistory, rows: list[HistoryEntry], limit: int, scope: Scope
    ) -> Page[HistoryEntry]:
        """A page never ends inside a version: the beat's notices (review due, stale)
        carry the version they saw, beside the change that made it, and the cursor is a
        version. A version cut by the limit goes to the next page whole, or, when it
        alone is longer than a page, makes this page on its own."""
        if len(rows) <= limit or rows[limit].version != rows[limit - 1].version:
            return _page(rows, limit, lambda e: self.cursors.encode(scope, e.version))
        cut = rows[limit - 1].version
        kept = [e for e in rows[:limit] if e.version != cut]
        if kept:
            return Page(items=kept, next_cursor=self.cursors.encode(scope, kept[-1].version))
        group = await self.read_model.history(
            query.ref, limit=_VERSION_AT_MOST + 1, after_version=cut - 1
        )
        whole = [e for e in group if e.version == cut]
        more = len(group) > len(whole)
        return Page(items=whole, next_cursor=self.cursors.encode(scope, cut) if more else None)


class GetCurrentHandler:
    """The decisions in force along supersession, among those the actor may read."""

    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: GetCurrent) -> list[DecisionSummary]:
        actor = await authorize_read(self.read_model, query.caller, query.ref.log)
        current = await self.read_model.current(query.ref)
        if not current:
            raise NotFound(
                f"there is no decision {query.ref.number.value} in log '{query.ref.log}'"
            )
        slugs = {LogSlug(d.log) for d in current}
        accesses = await self.read_model.log_accesses(slugs, actor.username)
        readable = {s.value for s in slugs if can(actor, accesses.get(s), Role.VIEWER)}
        return [d for d in current if d.log in readable]


class SearchDecisionsHandler:
    """Full text across every log the actor may read: ranked hits, total and facets."""

    def __init__(self, read_model: ReadModel, search: DecisionSearch, cursors: Cursors) -> None:
        self.read_model = read_model
        self.search = search
        self.cursors = cursors

    async def __call__(self, query: SearchDecisions) -> SearchPage:
        limit = _check_limit(query.limit)
        text = parse_search(check_search_text(query.q))
        filters = _search_filters(query.filters)
        if filters.log is not None:
            actor = await authorize_read(self.read_model, query.caller, LogSlug(filters.log))
        else:
            actor = await authenticate(self.read_model, query.caller)
        scope: Scope = (
            "search",
            str(text),
            filters.log,
            filters.status,
            filters.tag,
            filters.person,
            None if filters.date_from is None else filters.date_from.isoformat(),
            None if filters.date_to is None else filters.date_to.isoformat(),
        )
        after = None
        if query.cursor is not None:
            score, row_id = self.cursors.decode(query.cursor, scope, SCORE, ROW_ID)
            after = (score, row_id)
        if text.matches_nothing:
            return SearchPage(items=[], total=0, facets=SearchFacets(), next_cursor=None)
        results = await self.search.search(
            text, actor, filters, limit=limit + 1, after=after, facet_size=FACET_SIZE
        )
        ranked = results.hits[:limit]
        next_cursor = None
        if len(results.hits) > limit:
            last = ranked[-1]
            next_cursor = self.cursors.encode(scope, last.hit.score, last.row_id)
        return SearchPage(
            items=[r.hit for r in ranked],
            total=results.total,
            facets=results.facets,
            next_cursor=next_cursor,
        )


def _search_filters(filters: SearchFilters) -> SearchFilters:
    """The filters, checked; a tag as tags are stored (lowercase, dashes)."""
    check_filter_text("person", filters.person)
    tag = check_filter_text("tag", filters.tag)
    if tag is not None:
        try:
            tag = tag_of(tag)
        except InvalidValue as error:
            raise InvalidValue("tag", error.message) from None
    if filters.log is not None:
        LogSlug(filters.log)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidValue("date_from", "must be on or before date_to")
    return SearchFilters(
        log=filters.log,
        status=filters.status,
        tag=tag,
        person=filters.person,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
