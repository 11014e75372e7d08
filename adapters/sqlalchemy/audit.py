"""The audit trail: appended inside a unit of work's transaction, read newest first by
keyset along its indexes (see `engine.for_reads` for the read connections)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sqlalchemy.engine import for_reads
from adapters.sqlalchemy.tables import audit_log
from application.audit_views import AuditEntryView, AuditFilters
from application.ports import AuditReader, AuditTrail
from domain.audit import AuditAction, AuditRecord

_INSERT = insert(audit_log)
_ENTRIES = select(
    audit_log.c.id,
    audit_log.c.at,
    audit_log.c.action,
    audit_log.c.actor,
    audit_log.c.target,
    audit_log.c.origin,
    audit_log.c.details,
).order_by(audit_log.c.id.desc())


class SqlAlchemyAuditTrail(AuditTrail):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(self, entry: AuditRecord) -> None:
        await self._connection.execute(
            _INSERT,
            {
                "at": entry.at,
                "action": entry.action.value,
                "actor": entry.actor,
                "target": entry.target[:200],
                "origin": None if entry.origin is None else entry.origin[:64],
                "details": dict(entry.details),
            },
        )


class SqlAlchemyAuditReader(AuditReader):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = for_reads(engine)

    async def entries(
        self, filters: AuditFilters, *, after: int | None, limit: int
    ) -> list[AuditEntryView]:
        statement = _ENTRIES.limit(limit)
        if after is not None:
            statement = statement.where(audit_log.c.id < after)
        if filters.actor is not None:
            statement = statement.where(audit_log.c.actor == filters.actor)
        if filters.action is not None:
            statement = statement.where(audit_log.c.action == filters.action.value)
        if filters.since is not None:
            statement = statement.where(audit_log.c.at >= filters.since)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [_view(row) for row in rows]


def _view(row: Any) -> AuditEntryView:
    return AuditEntryView(
        id=row.id,
        at=row.at,
        action=AuditAction(row.action),
        actor=row.actor,
        target=row.target,
        origin=row.origin,
        details=row.details,
    )
