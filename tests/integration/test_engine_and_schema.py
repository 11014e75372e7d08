"""Engine set-up, the migrations that own the schema, and the health probe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import SqlAlchemyHealthProbe, create_engine, migrate
from adapters.sqlalchemy.engine import alembic_config
from adapters.sqlalchemy.tables import metadata

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _differences(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


async def test_the_migrations_build_exactly_the_tables_the_code_describes(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_migrating_again_changes_nothing(database_url: str, engine: AsyncEngine) -> None:
    await migrate(database_url)
    async with engine.connect() as connection:
        head = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
        # The newest migration, whichever it is: every one of them was applied.
        assert head == [(ScriptDirectory.from_config(alembic_config()).get_current_head(),)]


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
