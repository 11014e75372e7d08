"""The unit of work: one connection, one transaction, and the repositories that use it."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sqlalchemy.audit import SqlAlchemyAuditTrail
from adapters.sqlalchemy.decision_repository import SqlAlchemyDecisionRepository
from adapters.sqlalchemy.log_repository import SqlAlchemyLogRepository
from adapters.sqlalchemy.user_repository import SqlAlchemyUserRepository
from application.ports import OutboxSignal, UnitOfWork
from domain.events import DecisionEvent


@dataclass(frozen=True, slots=True)
class _Open:
    connection: AsyncConnection
    logs: SqlAlchemyLogRepository
    decisions: SqlAlchemyDecisionRepository
    users: SqlAlchemyUserRepository
    audit: SqlAlchemyAuditTrail


class SqlAlchemyUnitOfWork(UnitOfWork):
    """One transaction, begun by the first statement; leaving without commit rolls back.

    After a commit that raised, open a new unit of work to try again.
    """

    def __init__(self, engine: AsyncEngine, signal: OutboxSignal | None = None) -> None:
        self._engine = engine
        # Told after a commit that stored events: they wait in the outbox for the relay.
        self._signal = signal
        self._open: _Open | None = None
        self._events: list[DecisionEvent] = []

    @property
    def logs(self) -> SqlAlchemyLogRepository:
        return self._current().logs

    @property
    def decisions(self) -> SqlAlchemyDecisionRepository:
        return self._current().decisions

    @property
    def users(self) -> SqlAlchemyUserRepository:
        return self._current().users

    @property
    def audit(self) -> SqlAlchemyAuditTrail:
        return self._current().audit

    async def __aenter__(self) -> Self:
        if self._open is not None:
            raise RuntimeError("this unit of work is already open; create a new one")
        connection = await self._engine.connect()
        self._open = _Open(
            connection,
            SqlAlchemyLogRepository(connection),
            SqlAlchemyDecisionRepository(connection),
            SqlAlchemyUserRepository(connection),
            SqlAlchemyAuditTrail(connection),
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        opened, self._open = self._current(), None
        # Closing rolls back whatever was not committed.
        await opened.connection.close()

    async def commit(self) -> None:
        opened = self._current()
        try:
            await opened.logs.save_changes()
            inserted = await opened.decisions.save_changes()
            await opened.connection.commit()
        except Exception:
            await opened.connection.rollback()
            raise
        log_events = opened.logs.committed()
        decision_events = opened.decisions.committed(inserted)
        self._events.extend(decision_events)
        if (log_events or decision_events) and self._signal is not None:
            self._signal.nudge()

    def collect_events(self) -> list[DecisionEvent]:
        events, self._events = self._events, []
        return sorted(events, key=lambda event: event.at)

    def _current(self) -> _Open:
        if self._open is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._open
