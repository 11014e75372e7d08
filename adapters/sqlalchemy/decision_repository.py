"""Decisions: tracked in an identity map and written by `save_changes` on commit, each
guarded by the version it had when loaded (optimistic locking), all of them together in
a few batched statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Executable, Row, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.change_tracking import (
    NONE_STORED,
    SIDE_TABLES,
    Collections,
    TrackedDecision,
)
from adapters.sqlalchemy.decision_rows import decision_columns, decision_from_row
from adapters.sqlalchemy.event_rows import decision_event_row
from adapters.sqlalchemy.tables import decision_aliases, decision_events, decisions, logs
from adapters.sqlalchemy.unique_violations import is_unique_violation, unique_violation_as
from application.errors import AlreadyExists, VersionMismatch
from application.ports import DecisionRepository
from application.views import decision_view
from domain.decision import Decision
from domain.events import DecisionEvent
from domain.values import DecisionNumber, DecisionRef, LogSlug

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
        # A log's own events have no number.
        decision_events.c.number.is_not(None),
        ~decision_events.c.number.in_(
            select(decisions.c.number)
            .join(logs, logs.c.id == decisions.c.log_id)
            .where(logs.c.slug == bindparam("slug"))
        ),
    )
    .distinct()
)
_SELECT_DECISION = _SELECT_DECISIONS_IN.where(decisions.c.number == bindparam("number"))
_SELECT_ALIASES = (
    select(decision_aliases.c.alias, decision_aliases.c.number)
    .join(logs, logs.c.id == decision_aliases.c.log_id)
    .where(logs.c.slug == bindparam("slug"))
)
_INSERT_ALIAS = insert(decision_aliases).values(
    log_id=select(logs.c.id).where(logs.c.slug == bindparam("log_slug")).scalar_subquery()
)
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


class SqlAlchemyDecisionRepository(DecisionRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._tracked: dict[DecisionRef, TrackedDecision] = {}

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

    async def aliases(self, log: LogSlug) -> dict[str, DecisionNumber]:
        rows = await self._connection.execute(_SELECT_ALIASES, {"slug": log.value})
        return {alias: DecisionNumber(number) for alias, number in rows}

    async def add_alias(self, log: LogSlug, alias: str, number: DecisionNumber) -> None:
        # Written at once, like the log's counter: the transaction's rollback undoes it.
        taken = AlreadyExists(
            f"another import gave {alias} a number in log {log} first: import again"
        )
        with unique_violation_as(taken):
            await self._connection.execute(
                _INSERT_ALIAS, {"log_slug": log.value, "alias": alias, "number": number.value}
            )

    async def add(self, decision: Decision) -> None:
        if tracked := self._tracked.get(decision.ref):
            raise VersionMismatch(f"decision {decision.ref}", 0, tracked.version)
        self._tracked[decision.ref] = TrackedDecision(decision, None, 0, NONE_STORED)

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
                if not is_unique_violation(error):
                    raise
            # Another transaction stored one of them first. The savepoint undid the batch:
            # write them one at a time to learn which, as a single change would.
        inserted: dict[DecisionRef, int] = {}
        for tracked in changed:
            with unique_violation_as(tracked.stale()):
                inserted |= await self._write([tracked])
        return inserted

    def _track(self, ref: DecisionRef, row: Row[Any]) -> Decision:
        decision = decision_from_row(ref, row)
        self._tracked[ref] = TrackedDecision(
            decision, row.id, row.version, Collections.of(decision)
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
                tracked.stored = Collections.of(decision)
        return events

    async def _write(self, changed: list[TrackedDecision]) -> dict[DecisionRef, int]:
        """The statements for `changed` (in ref order), each run once for all of them."""
        deleted = [t for t in changed if t.is_deleted]
        updated = [t for t in changed if t.is_updated]
        await self._lock_current([t for t in changed if t.is_deleted or t.is_updated])
        await self._guarded(_DELETE_DECISION, deleted, lambda t: {})
        await self._guarded(_UPDATE_DECISION, updated, lambda t: decision_columns(t.decision))
        inserted = await self._insert([t for t in changed if t.is_new])
        # The side tables' rows of a deleted decision go with it (ON DELETE CASCADE).
        side_changes: list[tuple[int, Collections, Collections]] = []
        for tracked in changed:
            decision_id = inserted.get(tracked.decision.ref, tracked.id)
            after = Collections.of(tracked.decision)
            if decision_id is not None and not tracked.removed and after != tracked.stored:
                side_changes.append((decision_id, tracked.stored, after))
        for side in SIDE_TABLES:
            await side.sync(self._connection, side_changes)
        # Every change's events, a withdrawn proposal's too: its history stays.
        # Each carries the decision as the API shows it after this change (the outbox's
        # data), worked out once per decision.
        events: list[dict[str, Any]] = []
        for tracked in changed:
            if tracked.decision.events:
                view = decision_view(tracked.decision)
                events.extend(decision_event_row(e, view) for e in tracked.decision.events)
        if events:
            await self._connection.execute(_INSERT_EVENTS, events)
        return inserted

    async def _lock_current(self, batch: list[TrackedDecision]) -> None:
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
        batch: list[TrackedDecision],
        columns: Callable[[TrackedDecision], dict[str, Any]],
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

    async def _insert(self, new: list[TrackedDecision]) -> dict[DecisionRef, int]:
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
                        **decision_columns(decision),
                    }
                    for decision in batch
                ],
            )
            ids = {row.number: row.id for row in result}
            for decision in batch:
                inserted[decision.ref] = ids[decision.ref.number.value]
        return inserted
