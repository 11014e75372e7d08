"""The record of git syncs, the files they saw, and the per-log sync lease.

The lease is a row per log that a sync takes with one conditional UPDATE (or, the
first time, an INSERT that the primary key lets only one process win): the same on
SQLite and PostgreSQL, and across worker processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.tables import git_source_files, git_sync_leases, git_syncs, logs
from application.git_views import SourceFile, SyncOutcome, SyncState, SyncView
from application.ports import GitSyncs
from application.views import FileReport, LintProblem
from domain.values import LogSlug

_LOG_ID = select(logs.c.id).where(logs.c.slug == bindparam("slug")).scalar_subquery()
# Larger than any id: the first page of a list that runs newest first.
_NO_ID_ABOVE = 2**63 - 1

_VIEW: Select[Any] = select(
    git_syncs.c.id,
    logs.c.slug,
    git_syncs.c.state,
    git_syncs.c.requested_at,
    git_syncs.c.outcome,
    git_syncs.c.commit,
    git_syncs.c.author,
    git_syncs.c.reason,
    git_syncs.c.files,
    git_syncs.c.started_at,
    git_syncs.c.finished_at,
).join(logs, logs.c.id == git_syncs.c.log_id)
_RECENT: Select[Any] = (
    _VIEW.where(logs.c.slug == bindparam("slug"), git_syncs.c.id < bindparam("before"))
    .order_by(git_syncs.c.id.desc())
    .limit(bindparam("limit"))
)
_LAST_IMPORTED = (
    select(git_syncs.c.commit)
    .where(
        git_syncs.c.log_id == _LOG_ID,
        git_syncs.c.outcome.in_([SyncOutcome.IMPORTED.value, SyncOutcome.UNCHANGED.value]),
    )
    .order_by(git_syncs.c.id.desc())
    .limit(1)
)


class SqlAlchemyGitSyncs(GitSyncs):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def request(self, log: LogSlug, at: datetime) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                insert(git_syncs)
                .values(log_id=_LOG_ID, state=SyncState.QUEUED.value, requested_at=at)
                .returning(git_syncs.c.id),
                {"slug": log.value},
            )
            return int(result.scalar_one())

    async def get(self, sync_id: int) -> SyncView | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(_VIEW.where(git_syncs.c.id == sync_id))).first()
        return None if row is None else _view(row)

    async def recent(self, log: LogSlug, *, limit: int, before: int | None) -> list[SyncView]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                _RECENT,
                {"slug": log.value, "before": before or _NO_ID_ABOVE, "limit": limit},
            )
            return [_view(row) for row in rows]

    async def start(self, sync_id: int, at: datetime) -> SyncView | None:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(git_syncs)
                .where(git_syncs.c.id == sync_id, git_syncs.c.state != SyncState.DONE.value)
                .values(state=SyncState.RUNNING.value, started_at=at)
            )
        return None if result.rowcount != 1 else await self.get(sync_id)

    async def finish(
        self,
        sync_id: int,
        at: datetime,
        outcome: SyncOutcome,
        *,
        commit: str | None = None,
        author: str | None = None,
        reason: str | None = None,
        files: Sequence[FileReport] = (),
    ) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(git_syncs)
                .where(git_syncs.c.id == sync_id)
                .values(
                    state=SyncState.DONE.value,
                    outcome=outcome.value,
                    commit=commit,
                    author=None if author is None else author[:300],
                    reason=reason,
                    files=[_file_json(report) for report in files],
                    finished_at=at,
                )
            )

    async def last_imported_commit(self, log: LogSlug) -> str | None:
        async with self._engine.connect() as connection:
            result = await connection.execute(_LAST_IMPORTED, {"slug": log.value})
            return result.scalar_one_or_none()

    async def files(self, log: LogSlug) -> list[SourceFile]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(
                    git_source_files.c.file,
                    git_source_files.c.number,
                    git_source_files.c.commit,
                    git_source_files.c.removed_in,
                    git_source_files.c.synced_version,
                )
                .where(git_source_files.c.log_id == _LOG_ID)
                .order_by(git_source_files.c.file),
                {"slug": log.value},
            )
            return [SourceFile(*row) for row in rows]

    async def save_files(self, log: LogSlug, files: Sequence[SourceFile]) -> None:
        async with self._engine.begin() as connection:
            log_id = (
                await connection.execute(select(logs.c.id).where(logs.c.slug == log.value))
            ).scalar_one()
            await connection.execute(
                delete(git_source_files).where(git_source_files.c.log_id == log_id)
            )
            if files:
                await connection.execute(
                    insert(git_source_files),
                    [
                        {
                            "log_id": log_id,
                            "file": f.file,
                            "number": f.number,
                            "commit": f.commit,
                            "removed_in": f.removed_in,
                            "synced_version": f.synced_version,
                        }
                        for f in files
                    ],
                )

    async def acquire(self, log: LogSlug, holder: str, *, now: datetime, until: datetime) -> bool:
        leases = git_sync_leases
        async with self._engine.begin() as connection:
            taken = await connection.execute(
                update(leases)
                .where(
                    leases.c.log_id == _LOG_ID,
                    or_(
                        leases.c.holder.is_(None),
                        leases.c.holder == holder,
                        and_(leases.c.expires_at.is_not(None), leases.c.expires_at < now),
                    ),
                )
                .values(holder=holder, expires_at=until),
                {"slug": log.value},
            )
            if taken.rowcount == 1:
                return True
            held = await connection.execute(
                select(leases.c.log_id).where(leases.c.log_id == _LOG_ID), {"slug": log.value}
            )
            if held.first() is not None:
                return False
        try:
            # The log's first sync: one INSERT wins, the primary key refuses the others.
            async with self._engine.begin() as connection:
                await connection.execute(
                    insert(leases).values(log_id=_LOG_ID, holder=holder, expires_at=until),
                    {"slug": log.value},
                )
        except IntegrityError:
            return False
        return True

    async def release(self, log: LogSlug, holder: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(git_sync_leases)
                .where(git_sync_leases.c.log_id == _LOG_ID, git_sync_leases.c.holder == holder)
                .values(holder=None, expires_at=None),
                {"slug": log.value},
            )

    async def synced_logs(self) -> list[LogSlug]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(logs.c.slug).where(logs.c.source_url.is_not(None)).order_by(logs.c.slug)
            )
            return [LogSlug(slug) for (slug,) in rows]


def _file_json(report: FileReport) -> dict[str, Any]:
    return {
        "file": report.file,
        "outcome": report.outcome,
        "number": report.number,
        "problems": [
            {"line": p.line, "rule": p.rule, "severity": p.severity, "message": p.message}
            for p in report.problems
        ],
    }


def _view(row: Row[Any]) -> SyncView:
    (id_, slug, state, requested_at, outcome, commit, author, reason, files, started, finished) = (
        tuple(row)
    )
    return SyncView(
        id=id_,
        log=slug,
        state=SyncState(state),
        requested_at=requested_at,
        outcome=None if outcome is None else SyncOutcome(outcome),
        commit=commit,
        author=author,
        reason=reason,
        files=tuple(
            FileReport(
                f["file"],
                f["outcome"],
                f["number"],
                tuple(
                    LintProblem(f["file"], p["line"], p["rule"], p["severity"], p["message"])
                    for p in f["problems"]
                ),
            )
            for f in files or ()
        ),
        started_at=started,
        finished_at=finished,
    )
