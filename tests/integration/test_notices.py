"""The beat's notices on both backends: each is raised once, however often a tick runs."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import create_engine
from adapters.sqlalchemy.notices import SqlAlchemyNotices
from adapters.sqlalchemy.tables import decision_events
from application.commands import SweepReviews, SweepStaleProposals
from application.handlers.notices import SweepReviewsHandler, SweepStaleProposalsHandler
from domain.decision import Changes
from tests.fakes import FakeClock
from tests.integration.conftest import AT, Registry


async def _notices(engine: AsyncEngine, name: str) -> list[tuple[str, int | None, str]]:
    statement = (
        select(decision_events.c.log_slug, decision_events.c.number, decision_events.c.dedup_key)
        .where(decision_events.c.event == name)
        .order_by(decision_events.c.id)
    )
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(statement)]  # type: ignore[misc]


async def test_a_review_is_due_once_per_decision_and_due_day_even_with_two_beats(
    registry: Registry, database_url: str
) -> None:
    slug = await registry.log("core")
    due, later, proposal = (
        await registry.propose(slug, "Due", review_by=dt.date(2024, 6, 1)),
        await registry.propose(slug, "Not yet", review_by=dt.date(2024, 9, 1)),
        await registry.propose(slug, "Only a proposal", review_by=dt.date(2024, 6, 1)),
    )
    for ref in (due, later):
        await registry.change(ref, lambda d: d.accept(by="alice", at=AT))
    clock = FakeClock(dt.datetime(2024, 7, 1, 8, 0, tzinfo=dt.UTC))
    # Two beats: separate engines, as two processes would have.
    other = create_engine(database_url)
    try:
        beats = [
            SweepReviewsHandler(SqlAlchemyNotices(engine), clock)
            for engine in (registry.engine, other, registry.engine)
        ]
        raised = await asyncio.gather(*(beat(SweepReviews()) for beat in beats))
        assert sum(raised) == 1
        # A repeated tick a day later: still the same due day, nothing new.
        clock.advance(days=1)
        assert await beats[0](SweepReviews()) == 0
        # Moving review_by makes a new due day, which is due once more.
        await registry.change(
            due, lambda d: d.edit(Changes(review_by=dt.date(2024, 7, 1)), by="alice", at=AT)
        )
        assert await beats[1](SweepReviews()) == 1
    finally:
        await other.dispose()

    notices = await _notices(registry.engine, "decision.review_due")
    assert notices == [
        ("core", 1, "decision.review_due:core/1:2024-06-01"),
        ("core", 1, "decision.review_due:core/1:2024-07-01"),
    ]
    assert proposal.number.value == 3  # a proposal is never due for review


async def test_a_stale_proposal_is_noticed_once_per_period(registry: Registry) -> None:
    slug = await registry.log("core")
    stale = await registry.propose(slug, "Forgotten")
    decided = await registry.propose(slug, "Decided")
    await registry.change(decided, lambda d: d.reject(by="alice", at=AT))
    clock = FakeClock(AT + dt.timedelta(days=29))
    sweep = SweepStaleProposalsHandler(SqlAlchemyNotices(registry.engine), clock)

    assert await sweep(SweepStaleProposals()) == 0  # 29 days: not yet
    clock.advance(days=2)
    assert await sweep(SweepStaleProposals()) == 1
    assert await sweep(SweepStaleProposals()) == 0  # the same period
    clock.advance(days=30)
    assert await sweep(SweepStaleProposals()) == 1  # the next period

    # Touching the proposal starts over: stale again only 30 days after the edit.
    touched = clock.now()
    await registry.change(
        stale, lambda d: d.edit(Changes(title="Remembered"), by="alice", at=touched)
    )
    clock.advance(days=29)
    assert await sweep(SweepStaleProposals()) == 0
    clock.advance(days=1)
    assert await sweep(SweepStaleProposals()) == 1

    notices = await _notices(registry.engine, "decision.stale")
    assert [(log, number) for log, number, _ in notices] == [("core", 1)] * 3
    async with registry.engine.connect() as connection:
        details = (
            await connection.execute(
                select(decision_events.c.details)
                .where(decision_events.c.event == "decision.stale")
                .order_by(decision_events.c.id.desc())
                .limit(1)
            )
        ).scalar_one()
    assert details["stale_after_days"] == 30


async def test_a_log_that_allows_fewer_days_hears_of_stale_proposals_sooner(
    registry: Registry,
) -> None:
    quick, slow = await registry.log("quick"), await registry.log("slow")
    async with registry.uow() as uow:
        log = await uow.logs.get(quick)
        assert log is not None
        log.update(stale_after_days=7, by="alice", at=AT)
        await uow.commit()
    await registry.propose(quick, "Hurry")
    await registry.propose(slow, "Take your time")
    clock = FakeClock(AT + dt.timedelta(days=8))
    sweep = SweepStaleProposalsHandler(SqlAlchemyNotices(registry.engine), clock)
    assert await sweep(SweepStaleProposals()) == 1
    notices = await _notices(registry.engine, "decision.stale")
    assert [(log, number) for log, number, _ in notices] == [("quick", 1)]
