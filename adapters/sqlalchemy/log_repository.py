"""Logs and their members: written when added, and by `save_changes` once changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, case, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.change_tracking import TrackedLog, member_changes
from adapters.sqlalchemy.event_rows import log_event_row
from adapters.sqlalchemy.tables import decision_events, git_source_files, log_members, logs
from adapters.sqlalchemy.unique_violations import unique_violation_as
from application.errors import AlreadyExists, NotFound, VersionMismatch
from application.ports import LogRepository
from domain.events import LogEvent
from domain.git_source import GitSource
from domain.log import Log
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility

_SELECT_LOG = (
    select(
        logs.c.id,
        logs.c.title,
        logs.c.description,
        logs.c.visibility,
        logs.c.version,
        logs.c.stale_after_days,
        logs.c.source_url,
        logs.c.source_branch,
        logs.c.source_path,
        log_members.c.username,
        log_members.c.role,
    )
    .select_from(logs.outerjoin(log_members, log_members.c.log_id == logs.c.id))
    .where(logs.c.slug == bindparam("slug"))
)
_INSERT_LOG = insert(logs).returning(logs.c.id)
# A log's own events go to the history (and so the outbox) with the decisions' events.
_INSERT_EVENTS = insert(decision_events)
# SET columns come from the parameters; the WHERE carries the version check.
_UPDATE_LOG = update(logs).where(
    logs.c.id == bindparam("log_id"), logs.c.version == bindparam("loaded_version")
)
_TAKE_NUMBER = (
    update(logs)
    .where(logs.c.slug == bindparam("log_slug"))
    .values(next_number=logs.c.next_number + 1)
    .returning((logs.c.next_number - 1).label("taken"))
)
_RESERVE_THROUGH = (
    update(logs)
    .where(logs.c.slug == bindparam("log_slug"))
    .values(
        next_number=case(
            (logs.c.next_number > bindparam("through"), logs.c.next_number),
            else_=bindparam("through") + 1,
        )
    )
)
_SOURCE_FILE = (
    select(git_source_files.c.file)
    .select_from(git_source_files.join(logs, logs.c.id == git_source_files.c.log_id))
    .where(
        logs.c.slug == bindparam("slug"),
        git_source_files.c.number == bindparam("number"),
        git_source_files.c.removed_in.is_(None),
    )
    .order_by(git_source_files.c.file)
    .limit(1)
)
_INSERT_MEMBER = insert(log_members)
_UPDATE_MEMBER = (
    update(log_members)
    .where(
        log_members.c.log_id == bindparam("m_log_id"),
        log_members.c.username == bindparam("m_username"),
    )
    .values(role=bindparam("m_role"))
)
_DELETE_MEMBER = delete(log_members).where(
    log_members.c.log_id == bindparam("m_log_id"),
    log_members.c.username == bindparam("m_username"),
)


class SqlAlchemyLogRepository(LogRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._tracked: dict[LogSlug, TrackedLog] = {}

    async def get(self, slug: LogSlug) -> Log | None:
        if tracked := self._tracked.get(slug):
            return tracked.log
        rows = (await self._connection.execute(_SELECT_LOG, {"slug": slug.value})).all()
        if not rows:
            return None
        first = rows[0]
        members = {row.username: Role(row.role) for row in rows if row.username is not None}
        log = Log(
            slug=slug,
            title=first.title,
            description=first.description,
            visibility=Visibility(first.visibility),
            members=members,
            version=first.version,
            stale_after_days=first.stale_after_days,
            source=None
            if first.source_url is None
            else GitSource(first.source_url, first.source_branch, first.source_path),
        )
        self._tracked[slug] = TrackedLog(log, first.id, log.version, dict(members))
        return log

    async def add(self, log: Log) -> None:
        with unique_violation_as(
            AlreadyExists(f"log {log.slug} already exists; pick another slug")
        ):
            result = await self._connection.execute(
                _INSERT_LOG, {"slug": log.slug.value, **_log_settings(log)}
            )
        log_id: int = result.scalar_one()
        await self._write_members(log_id, {}, log.members)
        self._tracked[log.slug] = TrackedLog(log, log_id, log.version, dict(log.members))

    async def next_number(self, slug: LogSlug) -> DecisionNumber:
        # One statement: the row lock it takes queues concurrent callers until commit.
        taken = (
            await self._connection.execute(_TAKE_NUMBER, {"log_slug": slug.value})
        ).scalar_one_or_none()
        if taken is None:
            raise NotFound(f"log {slug} does not exist")
        return DecisionNumber(taken)

    async def reserve_through(self, slug: LogSlug, number: DecisionNumber) -> None:
        result = await self._connection.execute(
            _RESERVE_THROUGH, {"log_slug": slug.value, "through": number.value}
        )
        if result.rowcount == 0:
            raise NotFound(f"log {slug} does not exist")

    async def source_file(self, ref: DecisionRef) -> str | None:
        result = await self._connection.execute(
            _SOURCE_FILE, {"slug": ref.log.value, "number": ref.number.value}
        )
        return result.scalar_one_or_none()

    async def save_changes(self) -> None:
        events = [log_event_row(e) for t in self._tracked.values() for e in t.log.events]
        if events:
            await self._connection.execute(_INSERT_EVENTS, events)
        for tracked in self._tracked.values():
            log = tracked.log
            if log.version == tracked.version:
                continue
            result = await self._connection.execute(
                _UPDATE_LOG,
                {"log_id": tracked.id, "loaded_version": tracked.version, **_log_settings(log)},
            )
            if result.rowcount != 1:
                raise VersionMismatch(f"log {log.slug}", tracked.version, None)
            await self._write_members(tracked.id, tracked.members, log.members)

    def committed(self) -> list[LogEvent]:
        """Take in what the commit stored; returns the log events it stored."""
        events: list[LogEvent] = []
        for tracked in self._tracked.values():
            tracked.version = tracked.log.version
            tracked.members = dict(tracked.log.members)
            events.extend(tracked.log.events)
            tracked.log.events.clear()
        return events

    async def _write_members(
        self, log_id: int, before: dict[str, Role], after: dict[str, Role]
    ) -> None:
        changes = member_changes(before, after)
        key = {"m_log_id": log_id}
        for statement, rows in (
            (_DELETE_MEMBER, [{**key, "m_username": name} for name in changes.gone]),
            (
                _UPDATE_MEMBER,
                [
                    {**key, "m_username": name, "m_role": role.value}
                    for name, role in changes.changed.items()
                ],
            ),
            (
                _INSERT_MEMBER,
                [
                    {"log_id": log_id, "username": name, "role": role.value}
                    for name, role in changes.new.items()
                ],
            ),
        ):
            if rows:
                await self._connection.execute(statement, rows)


def _log_settings(log: Log) -> dict[str, Any]:
    return {
        "title": log.title,
        "description": log.description,
        "visibility": log.visibility.value,
        "version": log.version,
        "stale_after_days": log.stale_after_days,
        "source_url": None if log.source is None else log.source.url,
        "source_branch": None if log.source is None else log.source.branch,
        "source_path": None if log.source is None else log.source.path,
    }
