"""Prebuilt reads run on the driver's own connection: one trip to the driver each.

A Core select is compiled once per engine into the driver's SQL (`?` for aiosqlite,
`$n` for asyncpg) and its parameter order. Each call borrows one of the read side's
connections (see `read_connections`) and fetches with the driver itself, skipping
SQLAlchemy's DBAPI adapter, execution context and row processing, which cost more than
the query on the hot path.
The few values a driver hands over raw (SQLite's
JSON, dates and booleans as text and integers) are read by the column's type, so rows
hold the same Python values on both backends.

Such a read runs outside any transaction: one statement sees one snapshot, and nothing
is written. A connection the server dropped is detected, discarded and the read tried
once more on a fresh one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeEngine

from adapters.sqlalchemy.json_columns import json_loads
from adapters.sqlalchemy.read_connections import ReadConnections
from adapters.sqlalchemy.tables import UtcDateTime

Row = Sequence[Any]


class _Prepared:
    __slots__ = ("converters", "defaults", "names", "sql")

    def __init__(
        self,
        sql: str,
        names: tuple[str, ...],
        defaults: Mapping[str, Any],
        converters: tuple[tuple[int, Callable[[Any], Any]], ...],
    ) -> None:
        self.sql = sql
        self.names = names
        self.defaults = defaults
        self.converters = converters


class DriverReads:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connections = ReadConnections.of(engine)
        self._sqlite = engine.dialect.name == "sqlite"
        self._prepared: dict[Select[Any], _Prepared] = {}

    async def one(self, statement: Select[Any], **params: Any) -> Row | None:
        rows = await self.all(statement, **params)
        return rows[0] if rows else None

    async def all(self, statement: Select[Any], **params: Any) -> list[Row]:
        prepared = self._prepare(statement)
        args = [
            params[name] if name in params else prepared.defaults[name] for name in prepared.names
        ]
        if self._sqlite:
            # sqlite3 would adapt dates itself, but that adapter is deprecated.
            args = [arg.isoformat() if isinstance(arg, dt.date) else arg for arg in args]
        rows = await self._fetch(prepared.sql, args)
        if not prepared.converters:
            return rows
        return [_converted(row, prepared.converters) for row in rows]

    async def _fetch(self, sql: str, args: list[Any]) -> list[Row]:
        for attempt in (1, 2):
            loan = await self._connections.take()
            driver = self._connections.driver(loan)
            try:
                if self._sqlite:
                    rows = list(await driver.execute_fetchall(sql, args))
                else:
                    rows = list(await driver.fetch(sql, *args))
            except BaseException:
                # Whatever went wrong (a query cancelled half way, say), the connection
                # is not lent again.
                closed = not self._sqlite and driver.is_closed()
                await self._connections.discard(loan)
                if attempt == 2 or not closed:
                    raise
                continue
            await self._connections.give_back(loan)
            return rows
        raise AssertionError("unreachable")

    def _prepare(self, statement: Select[Any]) -> _Prepared:
        # Keyed by the statement object: they are module-level constants or cached builds.
        prepared = self._prepared.get(statement)
        if prepared is None:
            compiled = statement.compile(dialect=self._engine.dialect)
            readers = _SQLITE_READERS if self._sqlite else _POSTGRES_READERS
            converters = tuple(
                (index, reader)
                for index, column in enumerate(statement.selected_columns)
                for kind, reader in readers
                if isinstance(column.type, kind)
            )
            prepared = _Prepared(
                compiled.string,
                tuple(compiled.positiontup or ()),
                dict(compiled.params),
                converters,
            )
            self._prepared[statement] = prepared
        return prepared


def _converted(row: Row, converters: tuple[tuple[int, Callable[[Any], Any]], ...]) -> Row:
    values = list(row)
    for index, reader in converters:
        if values[index] is not None:
            values[index] = reader(values[index])
    return values


def _naive_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


# What each driver hands over that is not yet the column's Python value. asyncpg
# decodes JSON itself, with the engine's deserializer (json_columns.json_loads).
_SQLITE_READERS: tuple[tuple[type[TypeEngine[Any]], Callable[[Any], Any]], ...] = (
    (JSON, json_loads),
    (UtcDateTime, _naive_utc),
    (Date, dt.date.fromisoformat),
    (Boolean, bool),
)
_POSTGRES_READERS: tuple[tuple[type[TypeEngine[Any]], Callable[[Any], Any]], ...] = (
    (UtcDateTime, _utc),
)
