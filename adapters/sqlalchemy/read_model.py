"""The read side: one Core select per query, straight into the DTOs of application.views.

Every query is a single prebuilt statement, run on the driver's own connection (see
`driver_reads`), index-backed, with keyset pagination. The statements that check a
caller's access also authenticate the caller (see `credentials`): one statement serves
a request to read a decision, whoever asks.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, literal_column, or_, select, true
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.credentials import CALLER_KINDS, CALLER_WIDTH, PASSWORD_OF, caller_lookup
from adapters.sqlalchemy.driver_reads import DriverReads, Row
from adapters.sqlalchemy.engine import for_reads
from adapters.sqlalchemy.tables import (
    access_tokens,
    decision_events,
    decision_links,
    decision_people,
    decision_tags,
    decisions,
    log_members,
    logs,
)
from adapters.sqlalchemy.token_use import TokenUseStamps
from application.authentication import Caller, Credentials, token_expired
from application.ports import Clock, ReadModel
from application.views import (
    Actor,
    DecisionFilters,
    DecisionSummary,
    DecisionView,
    HistoryEntry,
    LinkView,
    LogAccess,
    LogView,
    MemberView,
    SourceView,
    TokenView,
)
from domain.lifecycle import Status
from domain.links import LinkKind
from domain.user import TokenScope
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility

# The log's id by slug, for the tables keyed by it: `log_id = (SELECT ...)` lets each
# query walk its (log_id, ...) index instead of joining logs to every row.
_LOG_ID = select(logs.c.id).where(logs.c.slug == bindparam("slug")).scalar_subquery()

# A log with a given user's role in it, if any; a NULL username matches no member.
_LOGS_WITH_ROLE = logs.outerjoin(
    log_members,
    and_(log_members.c.log_id == logs.c.id, log_members.c.username == bindparam("username")),
)
_LOG_ACCESSES = (
    select(logs.c.slug, logs.c.visibility, log_members.c.role)
    .select_from(_LOGS_WITH_ROLE)
    .where(logs.c.slug.in_(bindparam("slugs", expanding=True)))
)


def _with_caller(caller: Select[Any, Any], *columns: Any, decision: bool = False) -> Select[Any]:
    """Whom the caller's credentials name, the log's visibility and their role in it (and
    the decision): exactly one row, whether or not the caller, the log or the decision
    exists, so that one statement answers every case."""
    found = caller.subquery("caller")
    one = select(literal_column("1").label("one")).subquery("one")
    joined = (
        one.outerjoin(found, true())
        .outerjoin(logs, logs.c.slug == bindparam("slug"))
        .outerjoin(
            log_members,
            and_(log_members.c.log_id == logs.c.id, log_members.c.username == found.c.username),
        )
    )
    if decision:
        joined = joined.outerjoin(
            decisions,
            and_(decisions.c.log_id == logs.c.id, decisions.c.number == bindparam("number")),
        )
    return select(*found.c, logs.c.visibility, log_members.c.role, *columns).select_from(joined)


# Where the columns after the caller's are, in the rows of `_with_caller`.
_VISIBILITY, _ROLE, _ASKED = CALLER_WIDTH, CALLER_WIDTH + 1, CALLER_WIDTH + 2


# Keyed by the caller's kind of credentials (see credentials.CALLER_KINDS).
_ACCESS = {kind: _with_caller(kind) for kind in CALLER_KINDS}
_DECISION = {
    kind: _with_caller(
        kind,
        decisions.c.number,
        decisions.c.title,
        decisions.c.status,
        decisions.c.date,
        decisions.c.decision_makers,
        decisions.c.consulted,
        decisions.c.informed,
        decisions.c.tags,
        decisions.c.content,
        decisions.c.links,
        decisions.c.review_by,
        decisions.c.version,
        decision=True,
    )
    for kind in CALLER_KINDS
}

_LOG_VIEW = select(
    logs.c.slug,
    logs.c.title,
    logs.c.description,
    logs.c.visibility,
    logs.c.version,
    logs.c.stale_after_days,
    logs.c.source_url,
    logs.c.source_branch,
    logs.c.source_path,
)
_LOG = _LOG_VIEW.where(logs.c.slug == bindparam("slug"))
# Keyset pagination: `after` is '' for the first page, which sorts before every slug.
_ALL_LOGS = (
    _LOG_VIEW.where(logs.c.slug > bindparam("after"))
    .order_by(logs.c.slug)
    .limit(bindparam("limit"))
)
_READABLE_LOGS = _ALL_LOGS.where(
    or_(
        logs.c.visibility == Visibility.PUBLIC.value,
        exists().where(
            log_members.c.log_id == logs.c.id, log_members.c.username == bindparam("username")
        ),
    )
)

# A user's tokens by id (keyset); never the secret's hash.
_TOKENS = (
    select(
        access_tokens.c.id,
        access_tokens.c.username,
        access_tokens.c.name,
        access_tokens.c.scope,
        access_tokens.c.created_at,
        access_tokens.c.expires_at,
        access_tokens.c.last_used_at,
    )
    .where(
        access_tokens.c.username == bindparam("username"),
        access_tokens.c.id > bindparam("after"),
    )
    .order_by(access_tokens.c.id)
    .limit(bindparam("limit"))
)

_MEMBERS = (
    select(log_members.c.username, log_members.c.role)
    .where(log_members.c.log_id == _LOG_ID)
    .order_by(log_members.c.username)
)

_SUMMARY = select(
    logs.c.slug,
    decisions.c.number,
    decisions.c.title,
    decisions.c.status,
    decisions.c.date,
    decisions.c.tags,
    decisions.c.review_by,
    decisions.c.version,
).join(logs, logs.c.id == decisions.c.log_id)

_HISTORY = (
    select(
        decision_events.c.version,
        decision_events.c.event,
        decision_events.c.actor,
        decision_events.c.at,
        decision_events.c.details,
    )
    .where(
        decision_events.c.log_slug == bindparam("slug"),
        decision_events.c.number == bindparam("number"),
        decision_events.c.version > bindparam("after"),
    )
    # Notices carry the version they saw: within a version, the change comes first.
    .order_by(decision_events.c.version, decision_events.c.id)
    .limit(bindparam("limit"))
)


def _current_statement() -> Select[Any]:
    """Every decision reachable from the start along superseded-by links, that is itself
    not superseded: the same ends as domain.supersession.current."""
    superseded_by = LinkKind.SUPERSEDED_BY.value
    reach = (
        select(decisions.c.id)
        .join(logs, logs.c.id == decisions.c.log_id)
        .where(logs.c.slug == bindparam("slug"), decisions.c.number == bindparam("number"))
        .cte("reach", recursive=True)
    )
    link = decision_links.alias("link")
    successor_log = logs.alias("successor_log")
    successor = decisions.alias("successor")
    # UNION, not UNION ALL: a decision reached along two paths is walked once.
    reach = reach.union(
        select(successor.c.id)
        .select_from(reach)
        .join(link, and_(link.c.decision_id == reach.c.id, link.c.kind == superseded_by))
        .join(successor_log, successor_log.c.slug == link.c.target_log_slug)
        .join(
            successor,
            and_(
                successor.c.log_id == successor_log.c.id,
                successor.c.number == link.c.target_number,
            ),
        )
    )
    return _SUMMARY.where(
        decisions.c.id.in_(select(reach.c.id)),
        ~exists().where(
            decision_links.c.decision_id == decisions.c.id,
            decision_links.c.kind == superseded_by,
        ),
    ).order_by(logs.c.slug, decisions.c.number)


_CURRENT = _current_statement()

_STATUS_COUNTS = (
    select(decisions.c.status, func.count())
    .where(decisions.c.log_id == _LOG_ID)
    .group_by(decisions.c.status)
)
_RECENTLY_DECIDED = (
    select(
        decisions.c.number,
        decisions.c.title,
        decisions.c.status,
        decisions.c.date,
        decisions.c.tags,
        decisions.c.review_by,
        decisions.c.version,
    )
    .where(decisions.c.log_id == _LOG_ID, decisions.c.status == Status.ACCEPTED.value)
    .order_by(decisions.c.date.desc(), decisions.c.number.desc())
    .limit(bindparam("limit"))
)


@cache
def _decisions_statement(status: bool, tag: bool, person: bool, review_due: bool) -> Select[Any]:
    """The list query for one combination of filters, built once.

    Only the filters given appear in the SQL, so each combination gets a plan that
    uses its index instead of one generic plan full of `:x IS NULL OR ...`. The log is
    the caller's (no join): the rows come straight off the (log_id, number) index.
    """
    statement = select(
        decisions.c.number,
        decisions.c.title,
        decisions.c.status,
        decisions.c.date,
        decisions.c.tags,
        decisions.c.review_by,
        decisions.c.version,
    ).where(decisions.c.log_id == _LOG_ID, decisions.c.number > bindparam("after"))
    if status:
        statement = statement.where(decisions.c.status == bindparam("status"))
    if tag:
        statement = statement.where(
            exists().where(
                decision_tags.c.decision_id == decisions.c.id,
                decision_tags.c.tag == bindparam("tag"),
            )
        )
    if person:
        statement = statement.where(
            exists().where(
                decision_people.c.decision_id == decisions.c.id,
                decision_people.c.name == bindparam("person"),
            )
        )
    if review_due:
        statement = statement.where(
            decisions.c.status == Status.ACCEPTED.value,
            decisions.c.review_by <= bindparam("review_due"),
        )
    return statement.order_by(decisions.c.number).limit(bindparam("limit"))


class SqlAlchemyReadModel(ReadModel):
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._reads = DriverReads(engine)
        # For the one statement with an expanding IN (...), which needs SQLAlchemy.
        self._engine = for_reads(engine)
        self._clock = clock
        self.token_use = TokenUseStamps(engine)

    async def actor_for(self, credentials: Credentials) -> Actor | None:
        lookup, credential = caller_lookup(credentials)
        row = await self._reads.one(lookup, credential=credential)
        return None if row is None else self._found(row)

    def _found(self, row: Row) -> Actor | None:
        """The caller of a lookup row (credentials.py), if its credentials hold now."""
        username, is_admin, scope, token_id, expires_at, last_used_at = row[:CALLER_WIDTH]
        if username is None:
            return None
        if token_id is not None:
            now = self._clock.now()
            if expires_at is not None and expires_at <= now:
                raise token_expired(expires_at)
            self.token_use.used(token_id, last_used_at, now)
        if scope is None:
            return Actor(username=username, is_admin=is_admin)
        return Actor(username=username, is_admin=is_admin, scope=TokenScope(scope))

    async def tokens(self, username: str, *, limit: int, after: str | None) -> list[TokenView]:
        rows = await self._reads.all(
            _TOKENS, username=username, after="" if after is None else after, limit=limit
        )
        return [
            TokenView(
                id=token_id,
                username=owner,
                name=name,
                scope=TokenScope(scope),
                created_at=created_at,
                expires_at=expires_at,
                last_used_at=last_used_at,
            )
            for token_id, owner, name, scope, created_at, expires_at, last_used_at in rows
        ]

    async def password_of(self, username: str) -> tuple[Actor, str] | None:
        row = await self._reads.one(PASSWORD_OF, username=username)
        return None if row is None else (Actor(username=row[0], is_admin=row[1]), row[2])

    async def log_access(
        self, slug: LogSlug, caller: Caller
    ) -> tuple[Actor | None, LogAccess | None]:
        lookup, credential = caller_lookup(caller)
        row = await self._reads.one(_ACCESS[lookup], credential=credential, slug=slug.value)
        assert row is not None, "the access query answers one row, always"
        return self._found(row), _access(row[_VISIBILITY], row[_ROLE])

    async def log_accesses(
        self, slugs: Collection[LogSlug], username: str | None
    ) -> dict[LogSlug, LogAccess]:
        if not slugs:
            return {}
        async with self._engine.connect() as connection:
            result = await connection.execute(
                _LOG_ACCESSES, {"slugs": [slug.value for slug in slugs], "username": username}
            )
            return {
                LogSlug(slug): LogAccess(visibility=Visibility(visibility), role=_role(role))
                for slug, visibility, role in result
            }

    async def log(self, slug: LogSlug) -> LogView | None:
        row = await self._reads.one(_LOG, slug=slug.value)
        return None if row is None else _log_view(row)

    async def logs(self, actor: Actor, *, limit: int, after: LogSlug | None) -> list[LogView]:
        statement = _ALL_LOGS if actor.is_admin else _READABLE_LOGS
        rows = await self._reads.all(
            statement,
            after="" if after is None else after.value,
            limit=limit,
            username=actor.username,
        )
        return [_log_view(row) for row in rows]

    async def members(self, slug: LogSlug) -> list[MemberView]:
        rows = await self._reads.all(_MEMBERS, slug=slug.value)
        return [MemberView(username=username, role=Role(role)) for username, role in rows]

    async def decision(
        self, ref: DecisionRef, caller: Caller
    ) -> tuple[Actor | None, LogAccess | None, DecisionView | None]:
        lookup, credential = caller_lookup(caller)
        row = await self._reads.one(
            _DECISION[lookup], credential=credential, slug=ref.log.value, number=ref.number.value
        )
        assert row is not None, "the decision query answers one row, always"
        found, access = self._found(row), _access(row[_VISIBILITY], row[_ROLE])
        (number, title, status, date, makers, consulted, informed, tags, content, links) = row[
            _ASKED : _ASKED + 10
        ]
        if access is None or number is None:
            return found, access, None
        return (
            found,
            access,
            DecisionView(
                log=ref.log.value,
                number=number,
                title=title,
                status=status,
                date=date,
                decision_makers=tuple(makers),
                consulted=tuple(consulted),
                informed=tuple(informed),
                tags=tuple(tags),
                content=content,
                # Stored in the domain's link order: by kind, then target log and number.
                links=tuple(LinkView(kind=link["kind"], target=link["target"]) for link in links),
                review_by=row[_ASKED + 10],
                version=row[_ASKED + 11],
            ),
        )

    async def decisions(
        self,
        slug: LogSlug,
        filters: DecisionFilters,
        *,
        limit: int,
        after: DecisionNumber | None,
    ) -> list[DecisionSummary]:
        statement = _decisions_statement(
            filters.status is not None,
            filters.tag is not None,
            filters.person is not None,
            filters.review_due is not None,
        )
        rows = await self._reads.all(
            statement,
            slug=slug.value,
            # Below every number: the first page starts at ADR-0000, which imports keep.
            after=-1 if after is None else after.value,
            limit=limit,
            status=filters.status,
            tag=filters.tag,
            person=filters.person,
            review_due=filters.review_due,
        )
        return [_summary(slug.value, row) for row in rows]

    async def status_counts(self, slug: LogSlug) -> dict[str, int]:
        rows = await self._reads.all(_STATUS_COUNTS, slug=slug.value)
        return {status: count for status, count in rows}

    async def recently_decided(self, slug: LogSlug, *, limit: int) -> list[DecisionSummary]:
        rows = await self._reads.all(_RECENTLY_DECIDED, slug=slug.value, limit=limit)
        return [_summary(slug.value, row) for row in rows]

    async def history(
        self, ref: DecisionRef, *, limit: int, after_version: int | None
    ) -> list[HistoryEntry]:
        rows = await self._reads.all(
            _HISTORY,
            slug=ref.log.value,
            number=ref.number.value,
            after=0 if after_version is None else after_version,
            limit=limit,
        )
        return [
            HistoryEntry(version=version, event=event, actor=actor, at=at, details=details)
            for version, event, actor, at, details in rows
        ]

    async def current(self, ref: DecisionRef) -> list[DecisionSummary]:
        rows = await self._reads.all(_CURRENT, slug=ref.log.value, number=ref.number.value)
        return [_summary(row[0], row[1:]) for row in rows]


def _role(role: str | None) -> Role | None:
    return None if role is None else Role(role)


def _access(visibility: str | None, role: str | None) -> LogAccess | None:
    if visibility is None:
        return None
    return LogAccess(visibility=Visibility(visibility), role=_role(role))


def _log_view(row: Row) -> LogView:
    slug, title, description, visibility, version, stale_after_days, url, branch, path = row
    return LogView(
        slug=slug,
        title=title,
        description=description,
        visibility=Visibility(visibility),
        version=version,
        stale_after_days=stale_after_days,
        source=None if url is None else SourceView(url=url, branch=branch, path=path),
    )


def _summary(slug: str, row: Row) -> DecisionSummary:
    """From (number, title, status, date, tags, review_by, version)."""
    number, title, status, date, tags, review_by, version = row
    # Positional: a list page builds fifty of these.
    return DecisionSummary(slug, number, title, status, date, tuple(tags), review_by, version)
