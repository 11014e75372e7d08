"""A few of the engine's connections, kept out of its pool for the read side.

Taking a connection from SQLAlchemy's async pool and giving it back costs more than a
read on the hot path: two greenlet spawns, the pool's bookkeeping and its events,
measured at about 90 µs a request against about 1 µs here. So the read side borrows
up to `size` connections once and lends them to its reads itself, to waiting reads
first come, first served. They are still the engine's connections, set up by its
connect events.

A connection a read failed on is discarded (invalidated) and replaced on demand.
When the engine is disposed, the idle ones are closed with it and those out on loan
are discarded as they come back. One set per engine, however many readers use it, so
that writers always keep the rest of the pool.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

# How many of the engine's pool (SQLite's 8; PostgreSQL's 10 and 10 overflow) the reads
# keep: enough to keep one core busy across round trips; the rest is the writers'.
_SIZE = {"sqlite": 4, "postgresql": 8}

Loan = tuple[int, PoolProxiedConnection]

_OF_ENGINE: WeakKeyDictionary[Engine, ReadConnections] = WeakKeyDictionary()


class ReadConnections:
    @classmethod
    def of(cls, engine: AsyncEngine) -> ReadConnections:
        found = _OF_ENGINE.get(engine.sync_engine)
        if found is None:
            found = _OF_ENGINE[engine.sync_engine] = cls(engine, _SIZE[engine.dialect.name])
        return found

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self._engine = engine
        self._size = size
        self._idle: list[Loan] = []
        # Reads waiting for a connection, served first come, first served: a connection
        # given back goes straight to the longest waiter, never to a newcomer.
        self._waiters: deque[asyncio.Future[Loan]] = deque()
        self._open = 0
        # Bumped on dispose: connections of an older generation are not lent again.
        self._generation = 0
        event.listen(engine.sync_engine, "engine_disposed", self._on_disposed)

    async def take(self) -> Loan:
        while True:
            loan = await self._next()
            if not self._closed_by_server(loan):
                return loan
            # asyncpg saw the server close it (a restart, an idle timeout): replace it,
            # as the engine's checkout does for its own (engine._postgres_engine).
            await self.discard(loan)

    async def _next(self) -> Loan:
        if self._idle:
            return self._idle.pop()
        if self._open < self._size:
            self._open += 1
            try:
                return self._generation, await self._engine.raw_connection()
            except BaseException:
                self._open -= 1
                raise
        waiter: asyncio.Future[Loan] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                # Handed a connection just as it was cancelled: pass it on.
                self._hand_over(waiter.result())
            else:
                self._waiters.remove(waiter)
            raise

    async def give_back(self, loan: Loan) -> None:
        if loan[0] != self._generation:
            await greenlet_spawn(loan[1].invalidate)
            return
        self._hand_over(loan)

    def _hand_over(self, loan: Loan) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(loan)
                return
        self._idle.append(loan)

    async def discard(self, loan: Loan) -> None:
        """Close a connection that failed a read; another is opened in its place."""
        if loan[0] == self._generation:
            self._open -= 1
        await greenlet_spawn(loan[1].invalidate)
        if self._waiters and self._open < self._size:
            # Someone waits for the connection that is gone: open its replacement.
            self._open += 1
            try:
                self._hand_over((self._generation, await self._engine.raw_connection()))
            except BaseException:
                self._open -= 1
                raise

    def driver(self, loan: Loan) -> Any:
        """The driver's own connection (aiosqlite's or asyncpg's)."""
        connection: DBAPIConnection | None = loan[1].driver_connection
        return connection

    def _closed_by_server(self, loan: Loan) -> bool:
        closed = getattr(self.driver(loan), "is_closed", None)
        return closed is not None and bool(closed())

    def _on_disposed(self, _engine: Engine) -> None:
        # Called inside AsyncEngine.dispose's greenlet, so closing may await.
        self._generation += 1
        self._open = 0
        idle, self._idle = self._idle, []
        for _, pooled in idle:
            pooled.invalidate()
