"""The read side: one Core select per query, straight into the DTOs of application.views.

Every query is a single statement on its own connection (see `engine.for_reads`),
index-backed, with keyset pagination.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

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
    users,
)
from application.ports import ReadModel
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
)
from domain.lifecycle import Status
from domain.links import LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility

_ACTOR = (
    select(users.c.username, users.c.is_admin)
    .join(access_tokens, access_tokens.c.username == users.c.username)
    .where(access_tokens.c.secret_hash == bindparam("secret_hash"))
)

# A log with the caller's role in it, if any; a NULL username matches no member.
_LOGS_WITH_ROLE = logs.outerjoin(
    log_members,
    and_(log_members.c.log_id == logs.c.id, log_members.c.username == bindparam("username")),
)
_ACCESS = select(logs.c.slug, logs.c.visibility, log_members.c.role).select_from(_LOGS_WITH_ROLE)
_LOG_ACCESS = _ACCESS.where(logs.c.slug == bindparam("slug"))
_LOG_ACCESSES = _ACCESS.where(logs.c.slug.in_(bindparam("slugs", expanding=True)))

_LOG_VIEW = select(logs.c.slug, logs.c.title, logs.c.description, logs.c.visibility, logs.c.version)
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

_MEMBERS = (
    select(log_members.c.username, log_members.c.role)
    .join(logs, logs.c.id == log_members.c.log_id)
    .where(logs.c.slug == bindparam("slug"))
    .order_by(log_members.c.username)
)

# The hot path: access and decision in one row, whether or not either exists.
_DECISION = (
    select(
        logs.c.visibility,
        log_members.c.role,
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
    )
    .select_from(
        _LOGS_WITH_ROLE.outerjoin(
            decisions,
            and_(decisions.c.log_id == logs.c.id, decisions.c.number == bindparam("number")),
        )
    )
    .where(logs.c.slug == bindparam("slug"))
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
    .order_by(decision_events.c.version)
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


@cache
def _decisions_statement(status: bool, tag: bool, person: bool, review_due: bool) -> Select[Any]:
    """The list query for one combination of filters, built once.

    Only the filters given appear in the SQL, so each combination gets a plan that
    uses its index instead of one generic plan full of `:x IS NULL OR ...`.
    """
    statement = _SUMMARY.where(
        logs.c.slug == bindparam("slug"), decisions.c.number > bindparam("after")
    )
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
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = for_reads(engine)

    async def actor_for_token(self, secret_hash: str) -> Actor | None:
        row = await self._one(_ACTOR, secret_hash=secret_hash)
        return None if row is None else Actor(username=row.username, is_admin=row.is_admin)

    async def log_access(self, slug: LogSlug, username: str | None) -> LogAccess | None:
        row = await self._one(_LOG_ACCESS, slug=slug.value, username=username)
        return None if row is None else _access(row.visibility, row.role)

    async def log_accesses(
        self, slugs: Collection[LogSlug], username: str | None
    ) -> dict[LogSlug, LogAccess]:
        if not slugs:
            return {}
        rows = await self._all(
            _LOG_ACCESSES, slugs=[slug.value for slug in slugs], username=username
        )
        return {LogSlug(row.slug): _access(row.visibility, row.role) for row in rows}

    async def log(self, slug: LogSlug) -> LogView | None:
        row = await self._one(_LOG, slug=slug.value)
        return None if row is None else _log_view(row)

    async def logs(self, actor: Actor, *, limit: int, after: LogSlug | None) -> list[LogView]:
        statement = _ALL_LOGS if actor.is_admin else _READABLE_LOGS
        rows = await self._all(
            statement,
            after="" if after is None else after.value,
            limit=limit,
            username=actor.username,
        )
        return [_log_view(row) for row in rows]

    async def members(self, slug: LogSlug) -> list[MemberView]:
        rows = await self._all(_MEMBERS, slug=slug.value)
        return [MemberView(username=row.username, role=Role(row.role)) for row in rows]

    async def decision(
        self, ref: DecisionRef, username: str | None
    ) -> tuple[LogAccess | None, DecisionView | None]:
        row = await self._one(
            _DECISION, slug=ref.log.value, number=ref.number.value, username=username
        )
        if row is None:
            return None, None
        access = _access(row.visibility, row.role)
        if row.number is None:
            return access, None
        return access, DecisionView(
            log=ref.log.value,
            number=row.number,
            title=row.title,
            status=row.status,
            date=row.date,
            decision_makers=tuple(row.decision_makers),
            consulted=tuple(row.consulted),
            informed=tuple(row.informed),
            tags=tuple(row.tags),
            content=row.content,
            # Stored in the domain's link order: by kind, then target log and number.
            links=tuple(LinkView(kind=link["kind"], target=link["target"]) for link in row.links),
            review_by=row.review_by,
            version=row.version,
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
        rows = await self._all(
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
        return [_summary(row) for row in rows]

    async def history(
        self, ref: DecisionRef, *, limit: int, after_version: int | None
    ) -> list[HistoryEntry]:
        rows = await self._all(
            _HISTORY,
            slug=ref.log.value,
            number=ref.number.value,
            after=0 if after_version is None else after_version,
            limit=limit,
        )
        return [
            HistoryEntry(
                version=row.version,
                event=row.event,
                actor=row.actor,
                at=row.at,
                details=row.details,
            )
            for row in rows
        ]

    async def current(self, ref: DecisionRef) -> list[DecisionSummary]:
        rows = await self._all(_CURRENT, slug=ref.log.value, number=ref.number.value)
        return [_summary(row) for row in rows]

    async def _one(self, statement: Select[Any], **params: Any) -> Row[Any] | None:
        async with self._engine.connect() as connection:
            row: Row[Any] | None = (await connection.execute(statement, params)).one_or_none()
        return row

    async def _all(self, statement: Select[Any], **params: Any) -> list[Row[Any]]:
        async with self._engine.connect() as connection:
            return list((await connection.execute(statement, params)).all())


def _access(visibility: str, role: str | None) -> LogAccess:
    return LogAccess(visibility=Visibility(visibility), role=None if role is None else Role(role))


def _log_view(row: Row[Any]) -> LogView:
    return LogView(
        slug=row.slug,
        title=row.title,
        description=row.description,
        visibility=Visibility(row.visibility),
        version=row.version,
    )


def _summary(row: Row[Any]) -> DecisionSummary:
    return DecisionSummary(
        log=row.slug,
        number=row.number,
        title=row.title,
        status=row.status,
        date=row.date,
        tags=tuple(row.tags),
        review_by=row.review_by,
        version=row.version,
    )
