"""The read path's promises to the hot path: lists walk the (log_id, number) index, and
a connection the server closed costs no request (there is no pre-ping to catch it)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.clock import SystemClock
from adapters.sqlalchemy import SqlAlchemyReadModel, SqlAlchemyUnitOfWork
from adapters.sqlalchemy.read_model import _HISTORY, _decisions_statement
from application.content_json import content_to_json
from application.views import DecisionFilters
from domain.content import Content
from domain.values import DecisionNumber, LogSlug, Visibility
from tests.integration.conftest import Registry

_EMPTY_CONTENT = content_to_json(Content())

on_postgres = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
DECISIONS = 10_000
PAGE = 51  # a page of 50, and one more to know whether there is a next


async def _fill(engine: AsyncEngine, log: LogSlug) -> None:
    """Many decisions at once, in SQL: enough rows that a sort would show in the plan."""
    numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)"
    async with engine.begin() as connection:
        await connection.execute(
            text(
                f"{numbers} INSERT INTO decisions (log_id, number, title, status, date, "
                "version, content, decision_makers, consulted, informed, tags, links) "
                "SELECT logs.id, n.i, 'Decision', 'proposed', '2024-01-01', 1, :content, '[]', "
                "'[]', '[]', '[]', '[]' FROM n, logs WHERE logs.slug = :slug"
            ),
            # A whole content document, as every write stores: the search index reads it.
            {"count": DECISIONS, "slug": log.value, "content": json.dumps(_EMPTY_CONTENT)},
        )
        await connection.execute(text("ANALYZE"))


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", ()) for node in _nodes(child))]


async def _plan(engine: AsyncEngine, log: LogSlug, after: int) -> list[str]:
    """The plan of the list query as the read model runs it, one line per step; on
    PostgreSQL each with the rows it expects to pass on."""
    statement = _decisions_statement(False, False, False, False)
    compiled = statement.compile(dialect=engine.dialect)
    params = {**compiled.params, "slug": log.value, "after": after, "limit": PAGE}
    args = [params[name] for name in compiled.positiontup or ()]
    async with engine.connect() as connection:
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if engine.dialect.name == "sqlite":
            rows = await driver.execute_fetchall(f"EXPLAIN QUERY PLAN {compiled.string}", args)
            return [row[-1] for row in rows]
        plan = await driver.fetchval(f"EXPLAIN (FORMAT JSON) {compiled.string}", *args)
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return [
        f"{node['Node Type']} {node.get('Index Name', '-')} {node['Plan Rows']}"
        for node in _nodes(plan[0]["Plan"])
    ]


# The first page, and page 100 by cursor.
@pytest.mark.parametrize("after", [0, 99 * 50])
async def test_a_page_of_a_log_walks_its_index_without_sorting_the_log(
    registry: Registry, after: int
) -> None:
    core = await registry.log("core", visibility=Visibility.PUBLIC)
    await _fill(registry.engine, core)

    plan = await _plan(registry.engine, core, after)

    if registry.engine.dialect.name == "sqlite":
        assert not any("TEMP B-TREE" in step for step in plan), plan
        # SQLite names the unique (log_id, number) index itself.
        assert any(
            step.startswith("SEARCH decisions USING INDEX")
            and step.endswith("(log_id=? AND number>?)")
            for step in plan
        ), plan
    else:
        assert not any(step.startswith(("Sort", "Incremental Sort")) for step in plan), plan
        assert any(
            step.startswith(("Index Scan uq_decisions_log_id_number", "Index Only Scan uq_"))
            for step in plan
        ), plan
    page = await SqlAlchemyReadModel(registry.engine, SystemClock()).decisions(
        core, DecisionFilters(), limit=PAGE, after=DecisionNumber(after) if after else None
    )
    assert [d.number for d in page] == list(range(after + 1, after + PAGE + 1))


@on_postgres
async def test_connections_the_server_closed_are_replaced_without_failing_a_request(
    registry: Registry, database_url: str
) -> None:
    core = await registry.log("core", visibility=Visibility.PUBLIC)
    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    # Fill the pool with connections that are then all closed by the server.
    await asyncio.gather(*(read.log(core) for _ in range(5)))
    admin = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await admin.dispose()
    await asyncio.sleep(0.2)

    assert [await read.log(core) for _ in range(5)] == [await read.log(core)] * 5
    async with SqlAlchemyUnitOfWork(registry.engine) as uow:
        assert await uow.logs.get(core) is not None


async def test_reads_beyond_the_read_connections_wait_their_turn_and_writers_keep_theirs(
    registry: Registry,
) -> None:
    core = await registry.log("core", visibility=Visibility.PUBLIC)
    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    readers = [read.log(core) for _ in range(40)]
    writers = [registry.propose(core, f"Decision {i}") for i in range(6)]

    (*logs,) = await asyncio.gather(*readers, *writers)

    assert all(log is not None and log.slug == "core" for log in logs[:40])
    assert sorted(ref.number.value for ref in logs[40:]) == list(range(1, 7))


async def test_the_read_side_reconnects_after_the_engine_is_disposed(registry: Registry) -> None:
    core = await registry.log("core", visibility=Visibility.PUBLIC)
    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    before = await asyncio.gather(*(read.log(core) for _ in range(8)))

    await registry.engine.dispose()

    assert await asyncio.gather(*(read.log(core) for _ in range(8))) == before


async def _fill_history(engine: AsyncEngine, log: LogSlug) -> None:
    """Ten events for each of a thousand decisions: enough that a scan would show."""
    numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)"
    async with engine.begin() as connection:
        await connection.execute(
            text(
                f"{numbers} INSERT INTO decision_events (log_slug, number, version, event, "
                "actor, at, details, event_id) SELECT :slug, n.i / 10 + 1, n.i % 10 + 1, "
                "'decision.proposed', 'alice', CURRENT_TIMESTAMP, '{}', 'e' || n.i FROM n"
            ),
            {"slug": log.value},
        )
        await connection.execute(text("ANALYZE"))


async def test_a_decisions_history_is_read_through_its_index(registry: Registry) -> None:
    """Every decision page reads its history: a scan of every event would grow with the
    whole registry."""
    core = await registry.log("core", visibility=Visibility.PUBLIC)
    await _fill_history(registry.engine, core)
    compiled = _HISTORY.compile(dialect=registry.engine.dialect)
    params = {**compiled.params, "slug": core.value, "number": 500, "after": 0, "limit": 101}
    args = [params[name] for name in compiled.positiontup or ()]
    async with registry.engine.connect() as connection:
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if registry.engine.dialect.name == "sqlite":
            rows = await driver.execute_fetchall(f"EXPLAIN QUERY PLAN {compiled.string}", args)
            plan = [row[-1] for row in rows]
            assert any("USING INDEX ix_decision_events_history" in s for s in plan), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan
        else:
            found = await driver.fetchval(f"EXPLAIN (FORMAT JSON) {compiled.string}", *args)
            found = json.loads(found) if isinstance(found, str) else found
            steps = [
                f"{node['Node Type']} {node.get('Index Name', '-')}"
                for node in _nodes(found[0]["Plan"])
            ]
            assert any("ix_decision_events_history" in step for step in steps), steps
            assert not any(step.startswith(("Seq Scan", "Sort")) for step in steps), steps
