"""Concurrent units of work: numbers without gaps or duplicates, and no lost update.

The backends differ here, and some tests say so. PostgreSQL runs transactions side by
side (READ COMMITTED) and serialises only on row locks, so two units of work can read
the same version and the second to write must fail. SQLite takes its single write lock
when a unit of work begins (BEGIN IMMEDIATE), so units of work run one after the other:
the second waits, then reads what the first committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from adapters.clock import SystemClock
from adapters.sqlalchemy import SqlAlchemyReadModel, SqlAlchemyUnitOfWork
from application.errors import VersionMismatch
from application.views import ANONYMOUS, DecisionFilters
from domain.decision import Changes, Decision
from domain.lifecycle import Status
from domain.values import Role
from tests.integration.conftest import AT, Registry

postgres_only = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def _propose_concurrently(registry: Registry, count: int) -> None:
    core = await registry.log("core")
    refs = await asyncio.gather(*(registry.propose(core, f"Proposal {i}") for i in range(count)))

    expected = list(range(1, count + 1))
    assert sorted(ref.number.value for ref in refs) == expected
    stored = await SqlAlchemyReadModel(registry.engine, SystemClock()).decisions(
        core, DecisionFilters(), limit=count + 1, after=None
    )
    assert [d.number for d in stored] == expected


# PostgreSQL runs the 50 transactions truly side by side, each holding the log row's lock
# from taking its number to its commit: that lock is what the test proves.
@postgres_only
async def test_fifty_concurrent_proposals_get_numbers_1_to_50(registry: Registry) -> None:
    await _propose_concurrently(registry, 50)


# SQLite queues whole write transactions on BEGIN IMMEDIATE and busy_timeout; 20 are enough
# to show that they wait instead of failing with "database is locked".
@sqlite_only
async def test_twenty_concurrent_proposals_on_sqlite_queue_and_get_numbers_1_to_20(
    registry: Registry,
) -> None:
    await _propose_concurrently(registry, 20)


async def _reject(uow: SqlAlchemyUnitOfWork, decision: Decision) -> None:
    decision.reject(by="bob", at=AT)


async def _withdraw(uow: SqlAlchemyUnitOfWork, decision: Decision) -> None:
    decision.withdraw(by="bob", at=AT)
    await uow.decisions.remove(decision)


# PostgreSQL only: on SQLite the second unit of work cannot read before the first commits,
# so it never holds a stale version (test_concurrent_edits_never_lose_an_update covers it).
@postgres_only
@pytest.mark.parametrize("late_step", [_reject, _withdraw], ids=["update", "delete"])
async def test_a_stale_decision_write_raises_version_mismatch_and_writes_nothing(
    registry: Registry,
    late_step: Callable[[SqlAlchemyUnitOfWork, Decision], Awaitable[None]],
) -> None:
    proposal = await registry.propose(await registry.log("core"))

    async with registry.uow() as first, registry.uow() as second:
        early = await first.decisions.get(proposal)
        late = await second.decisions.get(proposal)
        assert early is not None
        assert late is not None
        early.accept(by="alice", at=AT)
        await first.commit()
        await late_step(second, late)
        with pytest.raises(VersionMismatch, match="decision core/1"):
            await second.commit()
        assert second.collect_events() == []

    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    _, _, view = await read.decision(proposal, ANONYMOUS)
    assert view is not None
    assert (view.status, view.version) == (Status.ACCEPTED.value, 2)
    history = await read.history(proposal, limit=10, after_version=None)
    assert [h.event for h in history] == ["decision.proposed", "decision.accepted"]


@postgres_only
async def test_a_stale_log_update_raises_version_mismatch_and_writes_nothing(
    registry: Registry,
) -> None:
    await registry.user("bob")
    core = await registry.log("core")

    async with registry.uow() as first, registry.uow() as second:
        early = await first.logs.get(core)
        late = await second.logs.get(core)
        assert early is not None
        assert late is not None
        early.update(title="Renamed", by="alice", at=AT)
        await first.commit()
        late.set_member("bob", Role.AUTHOR, by="alice", at=AT)
        with pytest.raises(VersionMismatch, match="log core"):
            await second.commit()

    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    assert [m.username for m in await read.members(core)] == ["alice"]
    log = await read.log(core)
    assert log is not None
    assert (log.title, log.version) == ("Renamed", 2)


async def test_concurrent_edits_never_lose_an_update(registry: Registry) -> None:
    proposal = await registry.propose(await registry.log("core"))
    tags = ["a", "b", "c", "d"]

    async def add_tag(tag: str) -> None:
        async with registry.uow() as uow:
            decision = await uow.decisions.get(proposal)
            assert decision is not None
            # Let the other writers read too, where the backend lets them.
            await asyncio.sleep(0.01)
            decision.edit(Changes(tags=decision.tags | {tag}), by="alice", at=AT)
            await uow.commit()

    outcomes = await asyncio.gather(*(add_tag(tag) for tag in tags), return_exceptions=True)

    assert all(o is None or isinstance(o, VersionMismatch) for o in outcomes), outcomes
    won = {tag for tag, outcome in zip(tags, outcomes, strict=True) if outcome is None}
    assert won
    if registry.engine.dialect.name == "sqlite":
        assert won == set(tags)
    _, _, view = await SqlAlchemyReadModel(registry.engine, SystemClock()).decision(
        proposal, ANONYMOUS
    )
    assert view is not None
    assert set(view.tags) == won
    assert view.version == 1 + len(won)
