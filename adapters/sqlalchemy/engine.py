"""Building the async engine for SQLite or PostgreSQL, and bringing its schema to head."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.sqlalchemy.json_columns import json_loads

_MIGRATIONS = Path(__file__).parent / "migrations"
_SQLITE = "sqlite+aiosqlite"
_POSTGRES = "postgresql+asyncpg"
# Marks an engine whose connections run each statement on its own (see `for_reads`).
_AUTOCOMMIT = "adr_registry_autocommit"

_SQLITE_POOL_SIZE = 8
_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA synchronous=NORMAL",
)


def create_engine(url: str) -> AsyncEngine:
    """An async engine for `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`."""
    parsed = make_url(url)
    if parsed.drivername == _SQLITE:
        return _sqlite_engine(parsed)
    if parsed.drivername == _POSTGRES:
        return _postgres_engine(parsed)
    raise ValueError(
        f"unsupported database URL {parsed.render_as_string()!r}: use "
        f"'{_SQLITE}:///path/to/registry.db' or '{_POSTGRES}://user@host/database'"
    )


def for_reads(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, for callers that run one statement per connection and write nothing.

    Such statements need no transaction around them: skipping BEGIN and ROLLBACK saves
    two round trips on PostgreSQL, and on SQLite keeps readers out of the writers' queue.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{_AUTOCOMMIT: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


async def migrate(url: str) -> None:
    """Apply every Alembic migration up to head. Safe to call from a running event loop."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to_head)
    finally:
        await engine.dispose()


async def schema_is_current(url: str) -> bool:
    """Whether the database's schema is at the migrations' head (False if unreachable)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_at_head)
    except (OSError, SQLAlchemyError):
        return False
    finally:
        await engine.dispose()


def _at_head(connection: Connection) -> bool:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(heads)


def alembic_config() -> Config:
    """Alembic's configuration, built here so that no alembic.ini is needed."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def _upgrade_to_head(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _postgres_engine(url: URL) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_timeout=30,
        pool_recycle=1800,
        json_deserializer=json_loads,
        # Errors and logs show statements without their values: those are users' data
        # and token hashes.
        hide_parameters=True,
    )

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # Instead of pool_pre_ping, which costs a round trip on every checkout: asyncpg
        # sees the server close a connection (a restart, an idle timeout) as it happens,
        # so a closed one is swapped for a fresh one here, for free. A connection lost
        # without a word fails its statement; reads then retry once (driver_reads).
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the server closed this connection")

    return engine


def _sqlite_engine(url: URL) -> AsyncEngine:
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        raise ValueError(
            "an in-memory SQLite database is not shared between connections: "
            f"name a file, e.g. '{_SQLITE}:///var/adr-registry/registry.db'"
        )
    _private_file(Path(database).expanduser())
    engine = create_async_engine(
        url,
        # A fixed set of connections: an overflow connection would be closed on return
        # and reopened soon after (a thread and four PRAGMAs each time). Callers beyond
        # the pool wait for one; SQLite runs one writer at a time anyway.
        pool_size=_SQLITE_POOL_SIZE,
        max_overflow=0,
        pool_timeout=30,
        # No ROLLBACK when a connection goes back to the pool: each is a trip to its
        # thread, and there is never anything to roll back. The driver is in autocommit
        # (see _on_connect), reads run outside transactions, and a unit of work's
        # Connection ends its own transaction before it lets the connection go.
        pool_reset_on_return=None,
        json_deserializer=json_loads,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver, whose own BEGIN is deferred and so lets two
        # writers both read and then fail with "database is locked" on their first write.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_AUTOCOMMIT):
            return
        # Take the write lock up front: concurrent writers queue on busy_timeout instead
        # of failing, and a unit of work never reads a state that is stale by its commit.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _private_file(database: Path) -> None:
    """Create the database file readable by its owner only (0600), and make an existing
    one and its journal files so: SQLite gives the WAL and shared-memory files the
    database's own mode when it creates them."""
    database.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    for path in (database, *(database.with_name(database.name + s) for s in _JOURNALS)):
        if path.exists():
            path.chmod(0o600)


_JOURNALS = ("-wal", "-shm", "-journal")
