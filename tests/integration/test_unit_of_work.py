"""The write side: aggregates through SqlAlchemyUnitOfWork and back, on both backends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from adapters.clock import SystemClock
from adapters.sqlalchemy import SqlAlchemyReadModel
from application.errors import AlreadyExists, NotFound, VersionMismatch
from application.views import Actor, DecisionFilters
from domain.decision import Changes, Decision
from domain.events import DecisionAccepted, DecisionEdited, DecisionWithdrawn
from domain.links import Link, LinkKind
from domain.log import Log
from domain.user import User
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility
from tests.integration.conftest import AT, FULL_CONTENT, Registry


def ref(text: str) -> DecisionRef:
    return DecisionRef.parse(text, relative_to=LogSlug("core"))


async def test_a_log_round_trips_with_its_members(registry: Registry) -> None:
    await registry.user("bob")
    await registry.user("carol")
    slug = await registry.log(
        "core", visibility=Visibility.PUBLIC, members={"bob": Role.DECIDER, "carol": Role.VIEWER}
    )

    async with registry.uow() as uow:
        log = await uow.logs.get(slug)
        assert log is not None
        assert (log.title, log.visibility, log.version) == ("Core", Visibility.PUBLIC, 1)
        assert log.members == {"alice": Role.ADMIN, "bob": Role.DECIDER, "carol": Role.VIEWER}
        assert await uow.logs.get(slug) is log
        log.update(title="Core platform", description="Shared services", by="alice", at=AT)
        log.set_member("bob", Role.ADMIN, by="alice", at=AT)
        log.remove_member("carol", by="alice", at=AT)
        await uow.commit()

    async with registry.uow() as uow:
        stored = await uow.logs.get(slug)
    assert stored is not None
    assert (stored.title, stored.description, stored.version) == (
        "Core platform",
        "Shared services",
        4,
    )
    assert stored.members == {"alice": Role.ADMIN, "bob": Role.ADMIN}


async def test_a_fully_populated_decision_round_trips(registry: Registry) -> None:
    core = await registry.log("core")
    await registry.log("platform")
    async with registry.uow() as uow:
        decision = Decision.propose(
            ref=DecisionRef(core, await uow.logs.next_number(core)),
            title="Use FastAPI for the API",
            by="alice",
            at=AT,
            decision_makers=["Ann Lee", "Bob"],
            consulted=["Cy"],
            informed=["Dee", "Ann Lee"],
            tags=["API", "web framework"],
            content=FULL_CONTENT,
            review_by=date(2025, 5, 1),
            supersedes=[ref("platform/3")],
        )
        decision.link(Link(LinkKind.RELATES_TO, ref("platform/10")), by="alice", at=AT)
        decision.link(Link(LinkKind.AMENDS, ref("core/7")), by="alice", at=AT)
        await uow.decisions.add(decision)
        await uow.commit()

    async with registry.uow() as uow:
        stored = await uow.decisions.get(decision.ref)
        assert await uow.decisions.get(decision.ref) is stored
    assert stored is not None
    assert stored.snapshot() == decision.snapshot()
    assert stored.version == decision.version == 3
    assert stored.tags == {"api", "web-framework"}
    assert stored.events == []


async def test_a_missing_decision_is_none(registry: Registry) -> None:
    await registry.log("core")
    async with registry.uow() as uow:
        assert await uow.decisions.get(ref("core/1")) is None
        assert await uow.decisions.get(ref("elsewhere/1")) is None


async def test_list_in_gives_a_logs_decisions_by_number_tracked_like_get(
    registry: Registry,
) -> None:
    core = await registry.log("core")
    other = await registry.log("other")
    for title in ("One", "Two", "Three"):
        await registry.propose(core, title)
    await registry.propose(other, "Elsewhere")

    async with registry.uow() as uow:
        two = await uow.decisions.get(ref("core/2"))
        assert two is not None
        await uow.decisions.remove(two)
        await uow.decisions.add(
            Decision.propose(ref=ref("core/4"), title="Four", by="alice", at=AT)
        )
        listed = await uow.decisions.list_in(core)
        assert [d.title for d in listed] == ["One", "Three", "Four"]
        assert await uow.decisions.get(ref("core/1")) is listed[0]
        listed[0].edit(Changes(tags=["kept"]), by="alice", at=AT)
        await uow.commit()
        assert await uow.decisions.list_in(LogSlug("nowhere")) == []

    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    stored = await read.decisions(core, DecisionFilters(), limit=10, after=None)
    assert [(d.number, d.tags) for d in stored] == [(1, ("kept",)), (3, ()), (4, ())]


async def test_committed_events_land_in_history_in_order_and_are_collected_once(
    registry: Registry,
) -> None:
    core = await registry.log("core")
    proposal = await registry.propose(core)

    async with registry.uow() as uow:
        decision = await uow.decisions.get(proposal)
        assert decision is not None
        decision.edit(Changes(tags=["db"]), by="bob", at=AT + timedelta(hours=1))
        decision.accept(by="carol", at=AT + timedelta(hours=2))
        await uow.commit()
        events = uow.collect_events()
        assert uow.collect_events() == []
    assert [type(e) for e in events] == [DecisionEdited, DecisionAccepted]
    assert [e.version for e in events] == [2, 3]
    assert decision.events == []

    history = await SqlAlchemyReadModel(registry.engine, SystemClock()).history(
        proposal, limit=10, after_version=None
    )
    assert [(h.version, h.event, h.actor) for h in history] == [
        (1, "decision.proposed", "alice"),
        (2, "decision.edited", "bob"),
        (3, "decision.accepted", "carol"),
    ]
    assert [h.at for h in history] == [AT, AT + timedelta(hours=1), AT + timedelta(hours=2)]
    assert history[1].details == {"changed": ["tags"]}


async def test_leaving_without_commit_rolls_back(registry: Registry) -> None:
    core = await registry.log("core")
    async with registry.uow() as uow:
        number = await uow.logs.next_number(core)
        await uow.decisions.add(
            Decision.propose(ref=DecisionRef(core, number), title="Never", by="alice", at=AT)
        )

    assert await registry.propose(core) == ref("core/1")
    assert uow.collect_events() == []


async def test_no_connection_goes_back_to_the_pool_inside_a_transaction(
    registry: Registry,
) -> None:
    """The pool does not roll back what it gets back (no reset on return, on SQLite):
    every unit of work, abandoned or failed, must end its own transaction."""
    core = await registry.log("core")
    first = await registry.propose(core, "First")
    # More than the pool holds, so that every pooled connection is used again.
    for _ in range(12):
        async with registry.uow() as uow:
            number = await uow.logs.next_number(core)
            await uow.decisions.add(
                Decision.propose(ref=DecisionRef(core, number), title="Never", by="bob", at=AT)
            )
        async with registry.uow() as uow:
            await uow.decisions.add(
                Decision.propose(ref=first, title="Same number", by="bob", at=AT)
            )
            with pytest.raises(VersionMismatch):
                await uow.commit()

    assert await registry.propose(core, "Second") == ref("core/2")
    listed = await SqlAlchemyReadModel(registry.engine, SystemClock()).decisions(
        core, DecisionFilters(), limit=10, after=None
    )
    assert [d.title for d in listed] == ["First", "Second"]


async def test_a_failing_commit_leaves_the_database_as_it_was(registry: Registry) -> None:
    core = await registry.log("core")
    first = await registry.propose(core, "First")

    async with registry.uow() as uow:
        number = await uow.logs.next_number(core)
        fresh = Decision.propose(ref=DecisionRef(core, number), title="Fresh", by="alice", at=AT)
        clash = Decision.propose(ref=first, title="Same number", by="bob", at=AT)
        await uow.decisions.add(fresh)
        await uow.decisions.add(clash)
        with pytest.raises(VersionMismatch, match="core/1"):
            await uow.commit()
        assert uow.collect_events() == []
    assert len(fresh.events) == 1

    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    assert [
        d.title for d in await read.decisions(core, DecisionFilters(), limit=10, after=None)
    ] == ["First"]
    assert len(await read.history(first, limit=10, after_version=None)) == 1
    assert await read.history(fresh.ref, limit=10, after_version=None) == []
    assert await registry.propose(core) == fresh.ref


async def test_adding_a_decision_twice_in_one_unit_raises_version_mismatch(
    registry: Registry,
) -> None:
    core = await registry.log("core")
    first = await registry.propose(core)
    async with registry.uow() as uow:
        assert await uow.decisions.get(first) is not None
        with pytest.raises(VersionMismatch):
            await uow.decisions.add(Decision.propose(ref=first, title="Again", by="a", at=AT))


async def test_editing_resyncs_the_tags_people_and_links_that_filters_use(
    registry: Registry,
) -> None:
    core = await registry.log("core")
    proposal = await registry.propose(
        core, tags=["api", "db"], decision_makers=["Ann"], consulted=["Bob"]
    )

    def change(decision: Decision) -> None:
        decision.edit(
            Changes(tags=["db", "ops"], decision_makers=["Bob"], consulted=[]), by="a", at=AT
        )
        decision.link(Link(LinkKind.RELATES_TO, ref("core/9")), by="a", at=AT)

    await registry.change(proposal, change)

    read = SqlAlchemyReadModel(registry.engine, SystemClock())

    async def numbers(wanted: DecisionFilters) -> list[int]:
        found = await read.decisions(core, wanted, limit=10, after=None)
        return [d.number for d in found]

    assert await numbers(DecisionFilters(tag="api")) == []
    assert await numbers(DecisionFilters(tag="ops")) == [1]
    assert await numbers(DecisionFilters(person="Ann")) == []
    assert await numbers(DecisionFilters(person="Bob")) == [1]
    _, _, view = await read.decision(proposal, Actor("alice"))
    assert view is not None
    assert [(link.kind, link.target) for link in view.links] == [("relates-to", "core/9")]


async def test_withdrawing_deletes_the_proposal_but_keeps_history_and_retires_the_number(
    registry: Registry,
) -> None:
    core = await registry.log("core")
    await registry.propose(core, "Kept")
    withdrawn = await registry.propose(core, "Withdrawn", tags=["gone"])

    async with registry.uow() as uow:
        decision = await uow.decisions.get(withdrawn)
        assert decision is not None
        decision.withdraw(by="bob", at=AT + timedelta(days=1))
        await uow.decisions.remove(decision)
        assert await uow.decisions.get(withdrawn) is None
        await uow.commit()
        assert [type(e) for e in uow.collect_events()] == [DecisionWithdrawn]

    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    _, access, view = await read.decision(withdrawn, Actor("alice"))
    assert access is not None
    assert view is None
    assert await read.decisions(core, DecisionFilters(tag="gone"), limit=10, after=None) == []
    history = await read.history(withdrawn, limit=10, after_version=None)
    assert [h.event for h in history] == ["decision.proposed", "decision.withdrawn"]
    assert await registry.propose(core) == ref("core/3")
    async with registry.uow() as uow:
        assert await uow.decisions.retired_numbers(core) == {withdrawn.number}


async def test_a_withdrawn_number_cannot_be_stored_again(registry: Registry) -> None:
    core = await registry.log("core")
    withdrawn = await registry.propose(core)

    async with registry.uow() as uow:
        decision = await uow.decisions.get(withdrawn)
        assert decision is not None
        decision.withdraw(by="alice", at=AT)
        await uow.decisions.remove(decision)
        await uow.commit()

    async with registry.uow() as uow:
        # Its history still holds version 1, so the same number cannot start over.
        await uow.decisions.add(Decision.propose(ref=withdrawn, title="Again", by="b", at=AT))
        with pytest.raises(VersionMismatch, match="decision core/1"):
            await uow.commit()


async def test_removing_a_decision_not_loaded_here_is_refused(registry: Registry) -> None:
    core = await registry.log("core")
    async with registry.uow() as uow:
        stranger = Decision.propose(
            ref=DecisionRef(core, DecisionNumber(1)), title="T", by="a", at=AT
        )
        with pytest.raises(ValueError, match="not loaded"):
            await uow.decisions.remove(stranger)


async def test_reserve_through_moves_the_counter_forward_only(registry: Registry) -> None:
    core = await registry.log("core")
    async with registry.uow() as uow:
        await uow.logs.reserve_through(core, DecisionNumber(5))
        assert await uow.logs.next_number(core) == DecisionNumber(6)
        await uow.logs.reserve_through(core, DecisionNumber(3))
        assert await uow.logs.next_number(core) == DecisionNumber(7)
        await uow.commit()
    assert await registry.propose(core) == ref("core/8")


async def test_numbering_a_missing_log_raises_not_found(registry: Registry) -> None:
    async with registry.uow() as uow:
        with pytest.raises(NotFound):
            await uow.logs.next_number(LogSlug("nowhere"))
        with pytest.raises(NotFound):
            await uow.logs.reserve_through(LogSlug("nowhere"), DecisionNumber(3))


async def test_adding_an_existing_log_or_user_raises_already_exists(registry: Registry) -> None:
    await registry.log("core")
    async with registry.uow() as uow:
        with pytest.raises(AlreadyExists, match="log core"):
            await uow.logs.add(
                Log.create(slug=LogSlug("core"), title="Again", creator="alice", at=AT)
            )
    async with registry.uow() as uow:
        with pytest.raises(AlreadyExists, match="user alice"):
            await uow.users.add(User("alice"))


async def test_users_are_stored_and_counted(registry: Registry) -> None:
    await registry.user("root", is_admin=True)
    async with registry.uow() as uow:
        assert await uow.users.get("root") == User("root", is_admin=True)
        assert await uow.users.get("alice") == User("alice")
        assert await uow.users.get("nobody") is None
        assert await uow.users.count() == 2


async def test_a_unit_of_work_is_used_inside_async_with(registry: Registry) -> None:
    uow = registry.uow()
    with pytest.raises(RuntimeError, match="async with"):
        _ = uow.logs
    async with uow:
        with pytest.raises(RuntimeError, match="already open"):
            await uow.__aenter__()
