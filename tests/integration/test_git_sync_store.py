"""The git sync's records on both databases: the per-log lease that keeps two syncs of
one log apart across processes, and the sync records and their files."""

from __future__ import annotations

import asyncio
import datetime as dt

from adapters.sqlalchemy.git_syncs import SqlAlchemyGitSyncs
from application.git_views import SourceFile, SyncOutcome, SyncState
from application.views import FileReport, LintProblem
from tests.integration.conftest import AT, Registry

LATER = AT + dt.timedelta(minutes=5)


async def test_of_twenty_concurrent_takers_exactly_one_gets_a_logs_lease(
    registry: Registry,
) -> None:
    log = await registry.log("platform")
    syncs = SqlAlchemyGitSyncs(registry.engine)

    taken = await asyncio.gather(
        *(syncs.acquire(log, f"sync-{i}", now=AT, until=LATER) for i in range(20))
    )

    assert sum(taken) == 1


async def test_a_lease_is_taken_again_once_released_or_expired_never_while_held(
    registry: Registry,
) -> None:
    log, other = await registry.log("platform"), await registry.log("payments")
    syncs = SqlAlchemyGitSyncs(registry.engine)
    assert await syncs.acquire(log, "a", now=AT, until=LATER)
    assert await syncs.acquire(other, "b", now=AT, until=LATER), "one lease per log"
    assert not await syncs.acquire(log, "b", now=AT + dt.timedelta(minutes=1), until=LATER)

    await syncs.release(log, "b")  # not its holder: changes nothing
    assert not await syncs.acquire(log, "c", now=AT, until=LATER)
    after_expiry = LATER + dt.timedelta(seconds=1)
    assert await syncs.acquire(
        log, "c", now=after_expiry, until=after_expiry + dt.timedelta(minutes=5)
    )
    await syncs.release(log, "c")
    assert await syncs.acquire(log, "d", now=AT, until=LATER)


async def test_a_sync_record_runs_once_and_keeps_its_report(registry: Registry) -> None:
    log = await registry.log("platform")
    syncs = SqlAlchemyGitSyncs(registry.engine)
    first, second = await syncs.request(log, AT), await syncs.request(log, AT)

    running = await syncs.start(first, AT)
    assert running is not None
    assert running.state is SyncState.RUNNING
    problem = LintProblem("0002-x.md", 1, "parse-error", "error", "no title")
    await syncs.finish(
        first,
        LATER,
        SyncOutcome.IMPORTED,
        commit="c" * 40,
        author="Ann",
        files=[
            FileReport("0001-a.md", "created", 1),
            FileReport("0002-x.md", "error", None, (problem,)),
        ],
    )
    assert await syncs.start(first, LATER) is None, "a finished sync does not run again"
    done = await syncs.get(first)
    assert done is not None
    assert (done.state, done.outcome, done.commit, done.finished_at) == (
        SyncState.DONE,
        SyncOutcome.IMPORTED,
        "c" * 40,
        LATER,
    )
    assert done.files[1].problems == (problem,)
    assert await syncs.last_imported_commit(log) == "c" * 40
    assert [s.id for s in await syncs.recent(log, limit=5, before=None)] == [second, first]
    assert [s.id for s in await syncs.recent(log, limit=5, before=second)] == [first]

    files = [
        SourceFile("0001-a.md", 1, "c" * 40, synced_version=1),
        SourceFile("0003-b.md", 3, "b" * 40, "c" * 40),
    ]
    await syncs.save_files(log, files)
    assert await syncs.files(log) == files
    await syncs.save_files(log, files[:1])
    assert await syncs.files(log) == files[:1]
