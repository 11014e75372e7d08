"""The write side: repositories that map aggregates to rows and back with Core statements.

They work on the unit of work's connection. Logs and users are written when added;
decisions are tracked in an identity map and written by `save_changes` on commit, each
guarded by the version it had when loaded (optimistic locking), all of them together in
a few batched statements.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    Executable,
    Row,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.tables import (
    access_tokens,
    decision_events,
    decision_links,
    decision_people,
    decision_tags,
    decisions,
    log_members,
    logs,
    users,
)
from application.content_json import content_from_json, content_to_json
from application.errors import AlreadyExists, NotFound, VersionMismatch
from application.ports import DecisionRepository, LogRepository, UserRepository
from domain.decision import Decision
from domain.events import DecisionEvent
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.log import Log
from domain.user import AccessToken, User
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility

# -- logs ----------------------------------------------------------------------------

_SELECT_LOG = (
    select(
        logs.c.id,
        logs.c.title,
        logs.c.description,
        logs.c.visibility,
        logs.c.version,
        log_members.c.username,
        log_members.c.role,
    )
    .select_from(logs.outerjoin(log_members, log_members.c.log_id == logs.c.id))
    .where(logs.c.slug == bindparam("slug"))
)
_INSERT_LOG = insert(logs).returning(logs.c.id)
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


@dataclass(slots=True)
class _TrackedLog:
    log: Log
    id: int
    # As stored: what the next save compares against.
    version: int
    members: dict[str, Role]


class SqlAlchemyLogRepository(LogRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._tracked: dict[LogSlug, _TrackedLog] = {}

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
        )
        self._tracked[slug] = _TrackedLog(log, first.id, log.version, dict(members))
        return log

    async def add(self, log: Log) -> None:
        with _unique_violation_as(
            AlreadyExists(f"log {log.slug} already exists; pick another slug")
        ):
            result = await self._connection.execute(
                _INSERT_LOG, {"slug": log.slug.value, **_log_settings(log)}
            )
        log_id: int = result.scalar_one()
        await self._write_members(log_id, {}, log.members)
        self._tracked[log.slug] = _TrackedLog(log, log_id, log.version, dict(log.members))

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

    async def save_changes(self) -> None:
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

    def committed(self) -> None:
        for tracked in self._tracked.values():
            tracked.version = tracked.log.version
            tracked.members = dict(tracked.log.members)

    async def _write_members(
        self, log_id: int, before: dict[str, Role], after: dict[str, Role]
    ) -> None:
        key = {"m_log_id": log_id}
        gone = [{**key, "m_username": name} for name in before if name not in after]
        changed = [
            {**key, "m_username": name, "m_role": role.value}
            for name, role in after.items()
            if name in before and before[name] is not role
        ]
        new = [
            {"log_id": log_id, "username": name, "role": role.value}
            for name, role in after.items()
            if name not in before
        ]
        for statement, rows in (
            (_DELETE_MEMBER, gone),
            (_UPDATE_MEMBER, changed),
            (_INSERT_MEMBER, new),
        ):
            if rows:
                await self._connection.execute(statement, rows)


def _log_settings(log: Log) -> dict[str, Any]:
    return {
        "title": log.title,
        "description": log.description,
        "visibility": log.visibility.value,
        "version": log.version,
    }


# -- decisions -----------------------------------------------------------------------

_SELECT_DECISIONS_IN = (
    select(decisions)
    .join(logs, logs.c.id == decisions.c.log_id)
    .where(logs.c.slug == bindparam("slug"))
    .order_by(decisions.c.number)
)
_SELECT_RETIRED_NUMBERS = (
    select(decision_events.c.number)
    .where(
        decision_events.c.log_slug == bindparam("slug"),
        ~decision_events.c.number.in_(
            select(decisions.c.number)
            .join(logs, logs.c.id == decisions.c.log_id)
            .where(logs.c.slug == bindparam("slug"))
        ),
    )
    .distinct()
)
_SELECT_DECISION = _SELECT_DECISIONS_IN.where(decisions.c.number == bindparam("number"))
# Run with one log's new decisions at once. Each id comes back with its number, which is
# unique in the log: asking for RETURNING in parameter order instead would make SQLite
# send one INSERT per row.
_INSERT_DECISIONS = (
    insert(decisions)
    .values(log_id=select(logs.c.id).where(logs.c.slug == bindparam("log_slug")).scalar_subquery())
    .returning(decisions.c.id, decisions.c.number)
)
_UPDATE_DECISION = update(decisions).where(
    decisions.c.id == bindparam("decision_id"),
    decisions.c.version == bindparam("loaded_version"),
)
_DELETE_DECISION = delete(decisions).where(
    decisions.c.id == bindparam("decision_id"),
    decisions.c.version == bindparam("loaded_version"),
)
# Locks, in id order, the rows that a batch of UPDATEs and DELETEs will change, and reads
# the versions they are checked against. (SQLite has no FOR UPDATE and needs none: its
# write lock is taken when the transaction begins.)
_LOCK_DECISIONS = (
    select(decisions.c.id, decisions.c.version)
    .where(decisions.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(decisions.c.id)
    .with_for_update()
)
# Ids per lock statement: well below SQLite's and asyncpg's limits on bound parameters.
_LOCK_CHUNK = 5000
_INSERT_EVENTS = insert(decision_events)

_RACI = ("decision_makers", "consulted", "informed")

# A side table's rows for one decision, without the decision_id column.
_SideRows = frozenset[tuple[object, ...]]


class _Collections(NamedTuple):
    """What the side tables spread into rows, as a decision holds it at one time.

    Each is an immutable value that a change replaces, so keeping them costs nothing,
    and the rows are worked out only for the decisions whose collections changed.
    """

    tags: frozenset[str]
    decision_makers: tuple[str, ...]
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    links: frozenset[Link]

    @classmethod
    def of(cls, decision: Decision) -> _Collections:
        return cls(
            decision.tags,
            decision.decision_makers,
            decision.consulted,
            decision.informed,
            decision.links,
        )


_NONE_STORED = _Collections(frozenset(), (), (), (), frozenset())


class _SideTable:
    """A table that spreads one collection of a decision into indexable rows."""

    def __init__(
        self, table: Table, keys: tuple[str, ...], rows: Callable[[_Collections], _SideRows]
    ) -> None:
        self._rows = rows
        self._keys = keys
        self._insert = insert(table)
        self._delete = delete(table).where(
            table.c.decision_id == bindparam("decision_id"),
            *(table.c[key] == bindparam(f"key_{key}") for key in keys),
        )

    async def sync(
        self, connection: AsyncConnection, changes: list[tuple[int, _Collections, _Collections]]
    ) -> None:
        """Bring the rows of many decisions, given as (id, before, after), up to date."""
        gone: list[dict[str, object]] = []
        new: list[dict[str, object]] = []
        for decision_id, before, after in changes:
            old_rows, new_rows = self._rows(before), self._rows(after)
            gone.extend(
                {
                    "decision_id": decision_id,
                    **{f"key_{k}": v for k, v in zip(self._keys, row, strict=True)},
                }
                for row in old_rows - new_rows
            )
            new.extend(
                {"decision_id": decision_id, **dict(zip(self._keys, row, strict=True))}
                for row in new_rows - old_rows
            )
        if gone:
            await connection.execute(self._delete, gone)
        if new:
            await connection.execute(self._insert, new)


_SIDE_TABLES = (
    _SideTable(decision_tags, ("tag",), lambda c: frozenset((tag,) for tag in c.tags)),
    _SideTable(
        decision_people,
        ("role", "name"),
        lambda c: frozenset((role, name) for role in _RACI for name in getattr(c, role)),
    ),
    _SideTable(
        decision_links,
        ("kind", "target_log_slug", "target_number"),
        lambda c: frozenset(
            (link.kind.value, link.target.log.value, link.target.number.value) for link in c.links
        ),
    ),
)


@dataclass(slots=True)
class _TrackedDecision:
    decision: Decision
    # None until the decision's row is inserted.
    id: int | None
    # As stored: what the next save compares against (0 before the first insert).
    version: int
    stored: _Collections
    removed: bool = False

    @property
    def is_deleted(self) -> bool:
        return self.removed and self.id is not None

    @property
    def is_new(self) -> bool:
        return not self.removed and self.id is None

    @property
    def is_updated(self) -> bool:
        return not self.removed and self.id is not None and self.decision.version != self.version

    def has_changes(self) -> bool:
        return self.is_deleted or self.is_new or self.is_updated or bool(self.decision.events)

    def stale(self) -> VersionMismatch:
        return VersionMismatch(f"decision {self.decision.ref}", self.version, None)


class SqlAlchemyDecisionRepository(DecisionRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._tracked: dict[DecisionRef, _TrackedDecision] = {}

    async def get(self, ref: DecisionRef) -> Decision | None:
        if tracked := self._tracked.get(ref):
            return None if tracked.removed else tracked.decision
        row = (
            await self._connection.execute(
                _SELECT_DECISION, {"slug": ref.log.value, "number": ref.number.value}
            )
        ).one_or_none()
        return None if row is None else self._track(ref, row)

    async def list_in(self, log: LogSlug) -> list[Decision]:
        rows = await self._connection.execute(_SELECT_DECISIONS_IN, {"slug": log.value})
        found = []
        for row in rows:
            ref = DecisionRef(log, DecisionNumber(row.number))
            tracked = self._tracked.get(ref)
            if tracked is None:
                found.append(self._track(ref, row))
            elif not tracked.removed:
                # Already loaded here: this unit of work's version of it wins.
                found.append(tracked.decision)
        found += [
            t.decision
            for ref, t in self._tracked.items()
            if ref.log == log and t.id is None and not t.removed
        ]
        return sorted(found, key=lambda decision: decision.ref)

    async def retired_numbers(self, log: LogSlug) -> set[DecisionNumber]:
        rows = await self._connection.execute(_SELECT_RETIRED_NUMBERS, {"slug": log.value})
        return {DecisionNumber(number) for (number,) in rows}

    async def add(self, decision: Decision) -> None:
        if tracked := self._tracked.get(decision.ref):
            raise VersionMismatch(f"decision {decision.ref}", 0, tracked.version)
        self._tracked[decision.ref] = _TrackedDecision(decision, None, 0, _NONE_STORED)

    async def remove(self, decision: Decision) -> None:
        tracked = self._tracked.get(decision.ref)
        if tracked is None or tracked.decision is not decision:
            raise ValueError(
                f"{decision.ref} was not loaded through this unit of work: get it, then remove it"
            )
        tracked.removed = True

    async def save_changes(self) -> dict[DecisionRef, int]:
        """Write every change and its events; returns the ids of the rows inserted.

        However many decisions changed, this costs a fixed number of statements: one
        per kind of write and table (more only past a few thousand rows).
        """
        # Each statement takes its rows in one fixed order (the locked rows by id, the rest
        # by ref), so that two transactions touching the same decisions lock them in the
        # same order and cannot deadlock.
        changed = sorted(
            (t for t in self._tracked.values() if t.has_changes()),
            key=lambda tracked: tracked.decision.ref,
        )
        if len(changed) > 1:
            try:
                async with self._connection.begin_nested():
                    return await self._write(changed)
            except IntegrityError as error:
                if not _is_unique_violation(error):
                    raise
            # Another transaction stored one of them first. The savepoint undid the batch:
            # write them one at a time to learn which, as a single change would.
        inserted: dict[DecisionRef, int] = {}
        for tracked in changed:
            with _unique_violation_as(tracked.stale()):
                inserted |= await self._write([tracked])
        return inserted

    def _track(self, ref: DecisionRef, row: Row[Any]) -> Decision:
        decision = _decision_from_row(ref, row)
        self._tracked[ref] = _TrackedDecision(
            decision, row.id, row.version, _Collections.of(decision)
        )
        return decision

    def committed(self, inserted: dict[DecisionRef, int]) -> list[DecisionEvent]:
        """Take in what the commit stored; returns the events it stored, in order."""
        events: list[DecisionEvent] = []
        for ref, tracked in list(self._tracked.items()):
            decision = tracked.decision
            if decision.events:
                events.extend(decision.events)
                decision.events.clear()
            if tracked.removed:
                del self._tracked[ref]
            elif ref in inserted or decision.version != tracked.version:
                tracked.id = inserted.get(ref, tracked.id)
                tracked.version = decision.version
                tracked.stored = _Collections.of(decision)
        return events

    async def _write(self, changed: list[_TrackedDecision]) -> dict[DecisionRef, int]:
        """The statements for `changed` (in ref order), each run once for all of them."""
        deleted = [t for t in changed if t.is_deleted]
        updated = [t for t in changed if t.is_updated]
        await self._lock_current([t for t in changed if t.is_deleted or t.is_updated])
        await self._guarded(_DELETE_DECISION, deleted, lambda t: {})
        await self._guarded(_UPDATE_DECISION, updated, lambda t: _decision_columns(t.decision))
        inserted = await self._insert([t for t in changed if t.is_new])
        # The side tables' rows of a deleted decision go with it (ON DELETE CASCADE).
        side_changes: list[tuple[int, _Collections, _Collections]] = []
        for tracked in changed:
            decision_id = inserted.get(tracked.decision.ref, tracked.id)
            after = _Collections.of(tracked.decision)
            if decision_id is not None and not tracked.removed and after != tracked.stored:
                side_changes.append((decision_id, tracked.stored, after))
        for side in _SIDE_TABLES:
            await side.sync(self._connection, side_changes)
        # Every change's events, a withdrawn proposal's too: its history stays.
        events = [_event_row(event) for t in changed for event in t.decision.events]
        if events:
            await self._connection.execute(_INSERT_EVENTS, events)
        return inserted

    async def _lock_current(self, batch: list[_TrackedDecision]) -> None:
        """Check that every row of `batch` still has its loaded version, and lock it.

        A batched UPDATE cannot say which of its rows matched (asyncpg reports no row
        count for executemany at all), so the versions are checked here instead; the
        row locks keep them until commit. A single row needs no lock: `_guarded` checks
        its row count.
        """
        if len(batch) < 2:
            return
        ids = sorted(t.id for t in batch if t.id is not None)
        versions: dict[int, int] = {}
        for start in range(0, len(ids), _LOCK_CHUNK):
            rows = await self._connection.execute(
                _LOCK_DECISIONS, {"ids": ids[start : start + _LOCK_CHUNK]}
            )
            versions.update((row.id, row.version) for row in rows)
        for tracked in batch:
            if tracked.id is None or versions.get(tracked.id) != tracked.version:
                raise tracked.stale()

    async def _guarded(
        self,
        statement: Executable,
        batch: list[_TrackedDecision],
        columns: Callable[[_TrackedDecision], dict[str, Any]],
    ) -> None:
        """Run a version-guarded UPDATE or DELETE once for every decision of `batch`."""
        if not batch:
            return
        result = await self._connection.execute(
            statement,
            [{"decision_id": t.id, "loaded_version": t.version, **columns(t)} for t in batch],
        )
        if len(batch) == 1 and result.rowcount != 1:
            raise batch[0].stale()

    async def _insert(self, new: list[_TrackedDecision]) -> dict[DecisionRef, int]:
        by_log: dict[LogSlug, list[Decision]] = defaultdict(list)
        for tracked in new:
            by_log[tracked.decision.ref.log].append(tracked.decision)
        inserted: dict[DecisionRef, int] = {}
        for log, batch in by_log.items():
            result = await self._connection.execute(
                _INSERT_DECISIONS,
                [
                    {
                        "log_slug": log.value,
                        "number": decision.ref.number.value,
                        **_decision_columns(decision),
                    }
                    for decision in batch
                ],
            )
            ids = {row.number: row.id for row in result}
            for decision in batch:
                inserted[decision.ref] = ids[decision.ref.number.value]
        return inserted


def _decision_columns(decision: Decision) -> dict[str, Any]:
    return {
        "title": decision.title,
        "status": decision.status.value,
        "date": decision.date,
        "review_by": decision.review_by,
        "version": decision.version,
        "content": content_to_json(decision.content),
        "decision_makers": list(decision.decision_makers),
        "consulted": list(decision.consulted),
        "informed": list(decision.informed),
        "tags": sorted(decision.tags),
        "links": [
            {"kind": link.kind.value, "target": str(link.target)} for link in sorted(decision.links)
        ],
    }


def _decision_from_row(ref: DecisionRef, row: Row[Any]) -> Decision:
    return Decision(
        ref=ref,
        title=row.title,
        status=Status(row.status),
        date=row.date,
        decision_makers=row.decision_makers,
        consulted=row.consulted,
        informed=row.informed,
        tags=row.tags,
        content=content_from_json(row.content),
        links=(
            Link(LinkKind(link["kind"]), DecisionRef.parse(link["target"], relative_to=ref.log))
            for link in row.links
        ),
        review_by=row.review_by,
        version=row.version,
    )


def _event_row(event: DecisionEvent) -> dict[str, Any]:
    return {
        "log_slug": event.ref.log.value,
        "number": event.ref.number.value,
        "version": event.version,
        "event": event.name,
        "actor": event.actor,
        "at": event.at,
        "details": event.details(),
    }


# -- users ---------------------------------------------------------------------------

_SELECT_USER = select(users.c.username, users.c.is_admin).where(
    users.c.username == bindparam("name")
)
_INSERT_USER = insert(users)
_INSERT_TOKEN = insert(access_tokens)
_COUNT_USERS = select(func.count()).select_from(users)


class SqlAlchemyUserRepository(UserRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, username: str) -> User | None:
        row = (await self._connection.execute(_SELECT_USER, {"name": username})).one_or_none()
        return None if row is None else User(username=row.username, is_admin=row.is_admin)

    async def add(self, user: User) -> None:
        with _unique_violation_as(AlreadyExists(f"user {user.username} already exists")):
            await self._connection.execute(
                _INSERT_USER, {"username": user.username, "is_admin": user.is_admin}
            )

    async def add_token(self, token: AccessToken) -> None:
        await self._connection.execute(
            _INSERT_TOKEN,
            {
                "id": token.id,
                "username": token.username,
                "name": token.name,
                "secret_hash": token.secret_hash,
                "created_at": token.created_at,
            },
        )

    async def count(self) -> int:
        count: int = (await self._connection.execute(_COUNT_USERS)).scalar_one()
        return count


# -- errors --------------------------------------------------------------------------

_SQLITE_UNIQUE = (sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
_POSTGRES_UNIQUE = "23505"


@contextmanager
def _unique_violation_as(error: Exception) -> Iterator[None]:
    """Raise `error` instead when a statement breaks a unique constraint.

    Such a violation means another transaction stored the same thing first; any other
    integrity error is a bug and goes up as it is.
    """
    try:
        yield
    except IntegrityError as integrity_error:
        if _is_unique_violation(integrity_error):
            raise error from integrity_error
        raise


def _is_unique_violation(error: IntegrityError) -> bool:
    driver_error = error.orig
    code = getattr(driver_error, "sqlite_errorcode", None)
    state = getattr(driver_error, "sqlstate", None)
    return code in _SQLITE_UNIQUE or state == _POSTGRES_UNIQUE
