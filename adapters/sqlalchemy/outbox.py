"""The outbox: the history rows whose sent_at is null, claimed by one relay at a time.

PostgreSQL: the claim is a transaction that locks its rows FOR UPDATE SKIP LOCKED, so
relays running side by side take disjoint batches; the mark commits with it. A relay
that dies mid-batch leaves its rows unsent (the transaction rolls back) for the next.

SQLite has no row locks, and a write transaction there takes the database's one write
lock: held across a publish it would stall every request. So a relay reads its batch
without a transaction and marks it in a short one afterwards, and relays take turns
through a lock file beside the database (one relay at a time, across processes).

Never "every id above the last one sent": on PostgreSQL ids are handed out when rows
are inserted, so a transaction holding a smaller id can commit after a larger one was
already sent, and would be skipped for ever.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sqlalchemy.engine import for_reads
from adapters.sqlalchemy.tables import decision_events
from application.outbound import OutboundEvent
from application.ports import Outbox, OutboxClaim

_UNSENT = (
    select(
        decision_events.c.id,
        decision_events.c.event_id,
        decision_events.c.event,
        decision_events.c.log_slug,
        decision_events.c.at,
        decision_events.c.data,
    )
    .where(decision_events.c.sent_at.is_(None))
    .order_by(decision_events.c.id)
    .limit(bindparam("limit"))
)
_CLAIM = _UNSENT.with_for_update(skip_locked=True)
_MARK = (
    update(decision_events)
    .where(
        decision_events.c.id.in_(bindparam("ids", expanding=True)),
        decision_events.c.sent_at.is_(None),
    )
    .values(sent_at=bindparam("sent_at"))
)
_COUNT_UNSENT = select(func.count()).where(decision_events.c.sent_at.is_(None))
# How long a SQLite relay waits for its turn before giving up for now.
_TURN_TIMEOUT = 30.0


def _event(row: Row[Any]) -> OutboundEvent:
    return OutboundEvent(
        id=row.event_id,
        type=row.event,
        log=row.log_slug,
        occurred_at=row.at,
        data=row.data or {"log": row.log_slug},
    )


@dataclass
class _Claim(OutboxClaim):
    rows: list[Any]  # rows of _UNSENT
    connection: AsyncConnection | None
    engine: AsyncEngine
    marked: list[int] = field(default_factory=list)

    @property
    def events(self) -> Sequence[OutboundEvent]:
        return [_event(row) for row in self.rows]

    async def mark_sent(self, count: int) -> None:
        ids = [row.id for row in self.rows[:count]]
        if not ids:
            return
        values = {"ids": ids, "sent_at": datetime.now(UTC)}
        if self.connection is not None:
            await self.connection.execute(_MARK, values)
        else:
            async with self.engine.begin() as connection:
                await connection.execute(_MARK, values)
        self.marked.extend(ids)


class SqlAlchemyOutbox(Outbox):
    def __init__(self, engine: AsyncEngine, *, lock_file: Path | None = None) -> None:
        self._engine = engine
        self._reads = for_reads(engine)
        self._sqlite = engine.dialect.name == "sqlite"
        database = engine.url.database or ""
        self._lock_file = lock_file or Path(f"{database}.relay-lock")

    def claim(self, limit: int) -> AbstractAsyncContextManager[OutboxClaim]:
        return self._claim_sqlite(limit) if self._sqlite else self._claim_locked(limit)

    async def unsent(self) -> int:
        async with self._reads.connect() as connection:
            count: int = (await connection.execute(_COUNT_UNSENT)).scalar_one()
        return count

    @asynccontextmanager
    async def _claim_locked(self, limit: int) -> AsyncIterator[OutboxClaim]:
        async with self._engine.connect() as connection, connection.begin():
            rows = list(await connection.execute(_CLAIM, {"limit": limit}))
            yield _Claim(rows, connection, self._engine)

    @asynccontextmanager
    async def _claim_sqlite(self, limit: int) -> AsyncIterator[OutboxClaim]:
        descriptor = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            await _take_turn(descriptor, self._lock_file)
            async with self._reads.connect() as connection:
                rows = list(await connection.execute(_UNSENT, {"limit": limit}))
            yield _Claim(rows, None, self._engine)
        finally:
            os.close(descriptor)  # closing the file ends the lock


async def _take_turn(descriptor: int, path: Path) -> None:
    """Wait for the relay lock (flock: released when its holder exits, even by kill).

    Polled from the event loop rather than blocking a thread, so that a relay cancelled
    while it waits cannot leave a thread that takes the lock for nobody.
    """
    give_up = time.monotonic() + _TURN_TIMEOUT
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > give_up:
                raise TimeoutError(f"another relay held {path} for {_TURN_TIMEOUT:g} s") from None
            await asyncio.sleep(0.02)
