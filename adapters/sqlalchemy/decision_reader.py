"""Whole decisions for reading out (MADR files, export, graph), one statement each.

Built from rows as the repository builds them, but on the read engine (see
`engine.for_reads`): no write transaction, so on SQLite they never queue behind a
writer's lock, and nothing tracks them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.decision_rows import decision_from_row
from adapters.sqlalchemy.engine import for_reads
from adapters.sqlalchemy.tables import decisions, log_members, logs
from application.ports import DecisionReader
from application.views import LogAccess, LogDecisions
from domain.decision import Decision
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility

# A log with the caller's role in it, if any; a NULL username matches no member.
_LOGS_WITH_ROLE = logs.outerjoin(
    log_members,
    and_(log_members.c.log_id == logs.c.id, log_members.c.username == bindparam("username")),
)
# What `decision_from_row` reads; all NULL when the outer join found no decision.
_DECISION_COLUMNS = (
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
_DECISION = (
    select(logs.c.visibility, log_members.c.role, *_DECISION_COLUMNS)
    .select_from(
        _LOGS_WITH_ROLE.outerjoin(
            decisions,
            and_(decisions.c.log_id == logs.c.id, decisions.c.number == bindparam("number")),
        )
    )
    .where(logs.c.slug == bindparam("slug"))
)
# One row per decision, each repeating the log's columns (one row of NULLs when it has none).
_LOG_DECISIONS = (
    select(
        logs.c.visibility,
        log_members.c.role,
        logs.c.title.label("log_title"),
        *_DECISION_COLUMNS,
    )
    .select_from(_LOGS_WITH_ROLE.outerjoin(decisions, decisions.c.log_id == logs.c.id))
    .where(logs.c.slug == bindparam("slug"))
    .order_by(decisions.c.number)
)


class SqlAlchemyDecisionReader(DecisionReader):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = for_reads(engine)

    async def decision(
        self, ref: DecisionRef, username: str | None
    ) -> tuple[LogAccess | None, Decision | None]:
        rows = await self._all(
            _DECISION, slug=ref.log.value, number=ref.number.value, username=username
        )
        if not rows:
            return None, None
        row = rows[0]
        decision = None if row.number is None else decision_from_row(ref, row)
        return _access(row), decision

    async def log_decisions(self, slug: LogSlug, username: str | None) -> LogDecisions | None:
        rows = await self._all(_LOG_DECISIONS, slug=slug.value, username=username)
        if not rows:
            return None
        first = rows[0]
        return LogDecisions(
            access=_access(first),
            title=first.log_title,
            decisions=tuple(
                decision_from_row(DecisionRef(slug, DecisionNumber(row.number)), row)
                for row in rows
                if row.number is not None
            ),
        )

    async def _all(self, statement: Select[Any], **params: Any) -> list[Row[Any]]:
        async with self._engine.connect() as connection:
            return list((await connection.execute(statement, params)).all())


def _access(row: Row[Any]) -> LogAccess:
    return LogAccess(
        visibility=Visibility(row.visibility), role=None if row.role is None else Role(row.role)
    )
