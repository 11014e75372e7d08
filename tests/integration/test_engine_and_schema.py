"""Engine set-up, the migrations that own the schema, and the health probe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import SqlAlchemyHealthProbe, create_engine, migrate
from adapters.sqlalchemy.engine import alembic_config
from adapters.sqlalchemy.tables import SEARCH_TABLE, in_shared_schema, metadata, search_metadata

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
postgres_only = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def _compare(connection: Connection, described: MetaData, include_name: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"include_name": include_name})
    return list(compare_metadata(context, described))


def _differences(connection: Connection) -> list[Any]:
    return _compare(connection, metadata, in_shared_schema)


def _search_differences(connection: Connection) -> list[Any]:
    def only_search(name: str | None, type_: str, parent_names: object) -> bool:
        return type_ != "table" or name == SEARCH_TABLE

    return _compare(connection, search_metadata, only_search)


async def test_the_migrations_build_exactly_the_tables_the_code_describes(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_migrating_again_changes_nothing(database_url: str, engine: AsyncEngine) -> None:
    await migrate(database_url)
    async with engine.connect() as connection:
        head = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    assert head == [(ScriptDirectory.from_config(alembic_config()).get_current_head(),)]


@postgres_only
async def test_the_search_table_is_as_the_code_describes_it(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_search_differences) == []


@sqlite_only
async def test_sqlite_connections_are_set_up_for_concurrent_use(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        settings = {
            pragma: (await connection.exec_driver_sql(f"PRAGMA {pragma}")).scalar()
            for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    # synchronous=NORMAL reads back as 1.
    assert settings == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 30000,
        "synchronous": 1,
    }


async def test_a_new_sqlite_file_gets_its_folder(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/nested/folder/registry.db"
    await migrate(url)
    assert (tmp_path / "nested" / "folder" / "registry.db").is_file()


async def test_the_sqlite_file_and_its_wal_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    database = tmp_path / "registry.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        wal = database.with_name("registry.db-wal")
        assert wal.exists()
        for path in (database, wal):
            assert path.stat().st_mode & 0o777 == 0o600, path
    finally:
        await engine.dispose()


def test_postgresql_errors_and_logs_carry_no_statement_parameters() -> None:
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert engine.sync_engine.hide_parameters


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite://",
        "sqlite+aiosqlite:///:memory:",
        "sqlite:///registry.db",
        "mysql+aiomysql://db/registry",
    ],
)
def test_create_engine_refuses_urls_it_cannot_serve(url: str) -> None:
    with pytest.raises(ValueError, match=r"in-memory SQLite|unsupported database URL"):
        create_engine(url)


async def test_the_health_probe_says_ok_when_the_database_answers(engine: AsyncEngine) -> None:
    assert await SqlAlchemyHealthProbe(engine).check() == {"database": "ok"}


async def test_the_health_probe_reports_an_unreachable_database() -> None:
    # Port 1 refuses at once. (Not an unopenable SQLite file: aiosqlite then finishes
    # closing its thread after the test's event loop is gone, and warns.)
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/registry")
    try:
        status = await SqlAlchemyHealthProbe(engine).check()
    finally:
        await engine.dispose()
    assert status["database"].startswith("ConnectionRefusedError: ")
