"""What the repositories remember of each loaded aggregate, and how they work out what
to write: the stored snapshots, the diff of their collections, the side tables' sync.

A repository keeps one tracked entry per aggregate it handed out; on save it compares
the aggregate with the entry and writes only the difference, guarded by the version the
entry holds (optimistic locking); after the commit the entry takes the new state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Table, bindparam, delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.tables import decision_links, decision_people, decision_tags
from application.errors import VersionMismatch
from domain.decision import Decision
from domain.links import Link
from domain.log import Log
from domain.values import Role

# -- logs ----------------------------------------------------------------------------


@dataclass(slots=True)
class TrackedLog:
    log: Log
    id: int
    # As stored: what the next save compares against.
    version: int
    members: dict[str, Role]


class MemberChanges(NamedTuple):
    gone: list[str]
    changed: dict[str, Role]
    new: dict[str, Role]


def member_changes(before: dict[str, Role], after: dict[str, Role]) -> MemberChanges:
    """Who left, whose role changed and who joined, from one membership to the next."""
    return MemberChanges(
        gone=[name for name in before if name not in after],
        changed={
            name: role
            for name, role in after.items()
            if name in before and before[name] is not role
        },
        new={name: role for name, role in after.items() if name not in before},
    )


# -- decisions -----------------------------------------------------------------------

_RACI = ("decision_makers", "consulted", "informed")

# A side table's rows for one decision, without the decision_id column.
_SideRows = frozenset[tuple[object, ...]]


class Collections(NamedTuple):
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
    def of(cls, decision: Decision) -> Collections:
        return cls(
            decision.tags,
            decision.decision_makers,
            decision.consulted,
            decision.informed,
            decision.links,
        )


NONE_STORED = Collections(frozenset(), (), (), (), frozenset())


class SideTable:
    """A table that spreads one collection of a decision into indexable rows."""

    def __init__(
        self, table: Table, keys: tuple[str, ...], rows: Callable[[Collections], _SideRows]
    ) -> None:
        self._rows = rows
        self._keys = keys
        self._insert = insert(table)
        self._delete = delete(table).where(
            table.c.decision_id == bindparam("decision_id"),
            *(table.c[key] == bindparam(f"key_{key}") for key in keys),
        )

    async def sync(
        self, connection: AsyncConnection, changes: list[tuple[int, Collections, Collections]]
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


SIDE_TABLES = (
    SideTable(decision_tags, ("tag",), lambda c: frozenset((tag,) for tag in c.tags)),
    SideTable(
        decision_people,
        ("role", "name"),
        lambda c: frozenset((role, name) for role in _RACI for name in getattr(c, role)),
    ),
    SideTable(
        decision_links,
        ("kind", "target_log_slug", "target_number"),
        lambda c: frozenset(
            (link.kind.value, link.target.log.value, link.target.number.value) for link in c.links
        ),
    ),
)


@dataclass(slots=True)
class TrackedDecision:
    decision: Decision
    # None until the decision's row is inserted.
    id: int | None
    # As stored: what the next save compares against (0 before the first insert).
    version: int
    stored: Collections
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
