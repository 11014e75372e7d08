"""Migration 0004_search builds the index for the decisions already stored, and its
downgrade takes the index away without hindering writes."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import create_search
from adapters.sqlalchemy.engine import alembic_config
from application.search_query import parse_search
from application.views import Actor, SearchFilters
from tests.integration.conftest import Registry

SEARCH = "0004_search"


def _before_search() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_revision(SEARCH)
    assert revision is not None
    assert isinstance(revision.down_revision, str)
    return revision.down_revision


async def _to(engine: AsyncEngine, revision: str, *, down: bool) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def _titles(engine: AsyncEngine, text: str) -> list[str]:
    results = await create_search(engine).search(
        parse_search(text),
        Actor("root", is_admin=True),
        SearchFilters(),
        limit=10,
        after=None,
        facet_size=5,
    )
    return [hit.hit.title for hit in results.hits]


async def test_the_migration_indexes_the_decisions_stored_before_it(
    registry: Registry,
) -> None:
    engine = registry.engine
    # Written by today's code, then the schema taken back to before the index: the
    # migration then meets them as rows it did not see written.
    core = await registry.log("core")
    await registry.propose(core, "Use Kafka for events")
    await registry.propose(core, "Use Redis")
    await _to(engine, _before_search(), down=True)

    await _to(engine, "head", down=False)
    assert await _titles(engine, "kafka") == ["Use Kafka for events"]


async def test_downgrading_removes_the_index_and_writes_go_on(registry: Registry) -> None:
    engine = registry.engine
    core = await registry.log("core")
    await registry.propose(core, "Use Kafka")
    await _to(engine, _before_search(), down=True)

    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert not [name for name in tables if name.startswith("decision_search")]
    await registry.propose(core, "Use Redis")

    await _to(engine, "head", down=False)
    assert sorted(await _titles(engine, "kafka OR redis")) == ["Use Kafka", "Use Redis"]
