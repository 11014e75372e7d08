"""The read side's whole decisions: SqlAlchemyDecisionReader against what the unit of
work stored, with the caller's access to the log."""

from __future__ import annotations

from adapters.sqlalchemy import SqlAlchemyDecisionReader
from application.views import LogAccess
from domain.decision import Decision
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility
from tests.integration.conftest import AT, FULL_CONTENT, Registry


async def _stored(registry: Registry, log: LogSlug) -> list[Decision]:
    async with registry.uow() as uow:
        return await uow.decisions.list_in(log)


async def test_a_log_reads_as_the_repository_loads_it_with_the_callers_access(
    registry: Registry,
) -> None:
    await registry.user("bob")
    core = await registry.log("core", members={"bob": Role.DECIDER})
    old = await registry.propose(core, "Use MySQL", tags=["db"], decision_makers=["bob"])
    await registry.change(old, lambda d: d.accept(by="bob", at=AT))
    new = await registry.propose(
        core, "Use PostgreSQL", content=FULL_CONTENT, supersedes=[old], review_by=AT.date()
    )
    elsewhere = await registry.propose(await registry.log("edge"), "Use Envoy")
    await registry.change(
        new, lambda d: d.link(Link(LinkKind.RELATES_TO, elsewhere), by="bob", at=AT)
    )
    read = SqlAlchemyDecisionReader(registry.engine)

    found = await read.log_decisions(core, "bob")
    assert found is not None
    assert found.access == LogAccess(Visibility.PRIVATE, Role.DECIDER)
    assert found.title == "Core"
    stored = await _stored(registry, core)
    assert [(d.snapshot(), d.version) for d in found.decisions] == [
        (d.snapshot(), d.version) for d in stored
    ]
    assert all(not d.events for d in found.decisions)

    access, decision = await read.decision(new, None)
    assert access == LogAccess(Visibility.PRIVATE, None)
    assert decision is not None
    assert (decision.snapshot(), decision.version) == (stored[1].snapshot(), stored[1].version)


async def test_missing_logs_and_decisions_read_as_nothing(registry: Registry) -> None:
    empty = await registry.log("empty", visibility=Visibility.PUBLIC)
    read = SqlAlchemyDecisionReader(registry.engine)

    found = await read.log_decisions(empty, "alice")
    assert found is not None
    assert (found.access, found.title, found.decisions) == (
        LogAccess(Visibility.PUBLIC, Role.ADMIN),
        "Empty",
        (),
    )
    assert await read.log_decisions(LogSlug("nowhere"), "alice") is None
    missing = DecisionRef(empty, DecisionNumber(1))
    assert await read.decision(missing, "alice") == (LogAccess(Visibility.PUBLIC, Role.ADMIN), None)
    assert await read.decision(DecisionRef(LogSlug("nowhere"), DecisionNumber(1)), None) == (
        None,
        None,
    )
