"""Commits that write many decisions at once (an import's), on both backends.

Such a commit batches its statements: one per kind of write and table, whatever the
number of decisions. These tests check that every row lands on the right decision, that
a batch costs no more statements than a pair, and that a conflict still names the
decision at fault and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.sqlalchemy import SqlAlchemyReadModel
from adapters.sqlalchemy.tables import (
    decision_events,
    decision_links,
    decision_people,
    decision_tags,
    decisions,
    logs,
)
from application.commands import ImportDecisions
from application.errors import VersionMismatch
from application.handlers.imports import ImportDecisionsHandler
from application.parsed_files import ParsedFile
from application.views import OPERATOR, DecisionFilters, LintProblem
from domain.decision import Changes, Decision
from domain.events import DecisionEvent
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug
from tests.fakes import FakeClock
from tests.integration.conftest import AT, FULL_CONTENT, Registry

postgres_only = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

CORE, PLATFORM = LogSlug("core"), LogSlug("platform")


def _ref(log: LogSlug, number: int) -> DecisionRef:
    return DecisionRef(log, DecisionNumber(number))


def _decision(log: LogSlug, number: int) -> Decision:
    """A proposal with a mix of every collection; about a third of them accepted."""
    other = PLATFORM if log == CORE else CORE
    decision = Decision.propose(
        ref=_ref(log, number),
        title=f"Decision {log}/{number}",
        by="alice",
        at=AT,
        decision_makers=[f"Maker {number % 3}", "Ann Lee"],
        consulted=[f"Consultant {number % 4}"] if number % 2 else [],
        informed=["Everyone"] if number % 5 == 0 else [],
        tags=[f"area {number % 4}", "bulk"],
        content=FULL_CONTENT if number % 7 == 0 else None,
        review_by=date(2025, 1, 1 + number % 28) if number % 3 == 0 else None,
        supersedes=[_ref(other, number)] if number % 6 == 0 else [],
    )
    later = AT + timedelta(minutes=number)
    decision.link(Link(LinkKind.RELATES_TO, _ref(log, number + 1)), by="bob", at=later)
    if number % 4 == 0:
        decision.link(Link(LinkKind.AMENDS, _ref(other, 1)), by="bob", at=later)
    if number % 3 == 1:
        decision.accept(by="carol", at=later + timedelta(hours=1))
    return decision


def _expected_rows(
    decisions_: list[Decision],
) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The tags, people and links rows the side tables should hold, keyed by log/number."""
    tags, people, links = set(), set(), set()
    for d in decisions_:
        key = (d.ref.log.value, d.ref.number.value)
        tags |= {(*key, tag) for tag in d.tags}
        for role in ("decision_makers", "consulted", "informed"):
            people |= {(*key, role, name) for name in getattr(d, role)}
        links |= {
            (*key, link.kind.value, link.target.log.value, link.target.number.value)
            for link in d.links
        }
    return tags, people, links


async def _stored_rows(
    engine: AsyncEngine,
) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """What the side tables hold, each row keyed by its decision's log and number."""

    def keyed(table: Table, *columns: str) -> Any:
        return (
            select(logs.c.slug, decisions.c.number, *(table.c[c] for c in columns))
            .select_from(table)
            .join(decisions, decisions.c.id == table.c.decision_id)
            .join(logs, logs.c.id == decisions.c.log_id)
        )

    async with engine.connect() as connection:
        found = []
        for statement in (
            keyed(decision_tags, "tag"),
            keyed(decision_people, "role", "name"),
            keyed(decision_links, "kind", "target_log_slug", "target_number"),
        ):
            found.append({tuple(row) for row in await connection.execute(statement)})
    return found[0], found[1], found[2]


async def _stored_events(engine: AsyncEngine) -> set[tuple[Any, ...]]:
    """The decisions' events (a log's own events have no number)."""
    columns = ("log_slug", "number", "version", "event", "actor", "at")
    async with engine.connect() as connection:
        result = await connection.execute(
            select(*(decision_events.c[c] for c in columns)).where(
                decision_events.c.number.is_not(None)
            )
        )
        return {tuple(row) for row in result}


def _event_rows(events: list[DecisionEvent]) -> set[tuple[Any, ...]]:
    return {(e.ref.log.value, e.ref.number.value, e.version, e.name, e.actor, e.at) for e in events}


@contextmanager
def _statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements sent while inside, as their first three words."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]
        sent.append(re.sub(r"sa_savepoint_\d+", "savepoint", " ".join(statement.split()[:3])))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _stored_decisions(registry: Registry) -> dict[DecisionRef, Decision]:
    async with registry.uow() as uow:
        return {d.ref: d for log in (CORE, PLATFORM) for d in await uow.decisions.list_in(log)}


async def _add_all(registry: Registry, new: list[Decision]) -> list[DecisionEvent]:
    async with registry.uow() as uow:
        for decision in new:
            await uow.decisions.add(decision)
        await uow.commit()
        return uow.collect_events()


async def test_a_bulk_commit_of_new_decisions_round_trips_exactly(registry: Registry) -> None:
    await registry.log("core")
    await registry.log("platform")
    # The same numbers in two logs: each id must still reach its own decision.
    new = [_decision(CORE, n) for n in range(1, 41)] + [
        _decision(PLATFORM, n) for n in range(1, 21)
    ]

    events = await _add_all(registry, new)

    assert [d.events for d in new] == [[]] * len(new)
    assert len(events) == sum(d.version for d in new)
    stored = await _stored_decisions(registry)
    assert sorted(stored) == sorted(d.ref for d in new)
    for decision in new:
        again = stored[decision.ref]
        assert again.snapshot() == decision.snapshot()
        assert again.version == decision.version
        assert again.events == []
    assert await _stored_rows(registry.engine) == _expected_rows(new)
    assert await _stored_events(registry.engine) == _event_rows(events)


async def test_a_bulk_commit_of_changes_resyncs_every_side_table(registry: Registry) -> None:
    await registry.log("core")
    await registry.log("platform")
    first_events = await _add_all(
        registry, [_decision(CORE, n) for n in range(1, 31)] + [_decision(PLATFORM, 1)]
    )

    withdrawn = [_ref(CORE, 2), _ref(CORE, 9)]
    async with registry.uow() as uow:
        loaded = await uow.decisions.list_in(CORE)
        for decision in loaded:
            n = decision.ref.number.value
            later = AT + timedelta(days=1, minutes=n)
            if decision.ref in withdrawn:
                decision.withdraw(by="dee", at=later)
                await uow.decisions.remove(decision)
                continue
            if decision.status is Status.PROPOSED:
                decision.edit(
                    Changes(decision_makers=["Ann Lee", f"New maker {n}"], consulted=[]),
                    by="dee",
                    at=later,
                )
            if n % 2:
                decision.edit(Changes(tags=[*decision.tags, "changed"]), by="dee", at=later)
            else:
                decision.unlink(Link(LinkKind.RELATES_TO, _ref(CORE, n + 1)), by="dee", at=later)
            if n % 5 == 0:
                decision.link(Link(LinkKind.RELATES_TO, _ref(PLATFORM, n)), by="dee", at=later)
            if decision.status is Status.PROPOSED and n % 4 == 2:
                decision.accept(by="dee", at=later)
        await uow.commit()
        second_events = uow.collect_events()
    kept = [d for d in loaded if d.ref not in withdrawn]

    stored = await _stored_decisions(registry)
    assert sorted(stored) == sorted([d.ref for d in kept] + [_ref(PLATFORM, 1)])
    for decision in kept:
        assert stored[decision.ref].snapshot() == decision.snapshot()
        assert stored[decision.ref].version == decision.version
    platform_rows = _expected_rows([stored[_ref(PLATFORM, 1)]])
    expected = tuple(
        core | platform for core, platform in zip(_expected_rows(kept), platform_rows, strict=True)
    )
    assert await _stored_rows(registry.engine) == expected
    # The withdrawn proposals' rows are gone, their history stays.
    assert await _stored_events(registry.engine) == _event_rows(first_events + second_events)
    assert {e.name for e in second_events if e.ref in withdrawn} == {"decision.withdrawn"}


async def test_a_commit_costs_the_same_statements_for_three_decisions_or_forty(
    registry: Registry,
) -> None:
    core = await registry.log("core")

    async def write(numbers: range) -> list[str]:
        async with registry.uow() as uow:
            await uow.logs.get(core)  # the transaction is open before counting
            for n in numbers:
                await uow.decisions.add(_decision(CORE, n))
            with _statements(registry.engine) as inserting:
                await uow.commit()
        async with registry.uow() as uow:
            for decision in await uow.decisions.list_in(core):
                if decision.ref.number.value in numbers:
                    decision.edit(Changes(tags=["edited"]), by="dee", at=AT)
                    decision.link(Link(LinkKind.RELATES_TO, _ref(PLATFORM, 1)), by="d", at=AT)
            with _statements(registry.engine) as updating:
                await uow.commit()
        return [*inserting, "--", *updating]

    few = await write(range(1, 4))
    many = await write(range(4, 44))

    assert many == few
    assert len(few) <= 16, few


@pytest.mark.parametrize("clash", ["taken", "retired"])
async def test_a_clash_inside_a_bulk_commit_names_its_decision_and_writes_nothing(
    registry: Registry, clash: str
) -> None:
    core = await registry.log("core")
    for title in ("One", "Two", "Three"):
        await registry.propose(core, title)
    if clash == "retired":
        # Its row goes, its history stays: number 2 can never be stored again.
        async with registry.uow() as uow:
            two = await uow.decisions.get(_ref(CORE, 2))
            assert two is not None
            two.withdraw(by="alice", at=AT)
            await uow.decisions.remove(two)
            await uow.commit()
    before_events = await _stored_events(registry.engine)

    async with registry.uow() as uow:
        for n in [*range(4, 20), 2]:
            await uow.decisions.add(_decision(CORE, n))
        with pytest.raises(VersionMismatch, match=r"decision core/2 "):
            await uow.commit()
        assert uow.collect_events() == []

    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    listed = await read.decisions(core, DecisionFilters(), limit=50, after=None)
    assert [d.number for d in listed] == ([1, 3] if clash == "retired" else [1, 2, 3])
    assert await _stored_events(registry.engine) == before_events
    assert await _stored_rows(registry.engine) == (set(), set(), set())


# PostgreSQL only: on SQLite the second unit of work cannot read before the first commits,
# so it never holds a stale version. A stale change that records an event also collides
# with the history's (log, number, version) key; "remove" records none, so only the
# version check can catch it.
@postgres_only
@pytest.mark.parametrize("step", ["update", "withdraw", "remove"])
async def test_one_stale_decision_in_a_bulk_commit_fails_it_whole(
    registry: Registry, step: str
) -> None:
    core = await registry.log("core")
    for n in range(1, 7):
        await registry.propose(core, f"Proposal {n}")

    async with registry.uow() as first, registry.uow() as second:
        late = await second.decisions.list_in(core)
        early = await first.decisions.get(_ref(CORE, 4))
        assert early is not None
        early.accept(by="alice", at=AT)
        await first.commit()
        for decision in late:
            if step == "update":
                decision.reject(by="bob", at=AT)
                continue
            if step == "withdraw":
                decision.withdraw(by="bob", at=AT)
            await second.decisions.remove(decision)
        with pytest.raises(VersionMismatch, match=r"decision core/4 "):
            await second.commit()

    stored = await _stored_decisions(registry)
    assert [(d.ref.number.value, d.status, d.version) for d in stored.values()] == [
        (n, Status.ACCEPTED if n == 4 else Status.PROPOSED, 2 if n == 4 else 1) for n in range(1, 7)
    ]


class _NumbersCodec:
    """Reads a file that holds its number, then the numbers it relates to."""

    def parse(self, text: str, *, filename: str, log: LogSlug, today: date) -> ParsedFile:
        number, *related = (int(word) for word in text.split())
        return ParsedFile(
            Decision(
                ref=_ref(log, number),
                title=f"Imported {number}",
                status=Status.ACCEPTED,
                date=today,
                tags=["imported"],
                links=[Link(LinkKind.RELATES_TO, _ref(log, n)) for n in related],
            )
        )

    def not_a_decision(self, filename: str) -> str | None:
        return None

    def render(self, decision: Decision) -> str:
        raise NotImplementedError

    def lint(self, files: Mapping[str, str]) -> list[LintProblem]:
        raise NotImplementedError


async def test_an_import_reserves_its_numbers_in_one_statement_and_reimports_unchanged(
    registry: Registry,
) -> None:
    core = await registry.log("core")
    files = (("a.md", b"3"), ("b.md", b"7 3"), ("c.md", b"5"))

    async def run_import() -> list[tuple[str, str, int | None]]:
        handler = ImportDecisionsHandler(registry.uow(), FakeClock(), _NumbersCodec())
        report = await handler(ImportDecisions(OPERATOR, core, files))
        return [(f.file, f.outcome, f.number) for f in report.files]

    with _statements(registry.engine) as sent:
        assert await run_import() == [
            ("a.md", "created", 3),
            ("b.md", "created", 7),
            ("c.md", "created", 5),
        ]
    assert sum(statement.startswith("UPDATE logs") for statement in sent) == 1
    assert await run_import() == [
        ("a.md", "unchanged", 3),
        ("b.md", "unchanged", 7),
        ("c.md", "unchanged", 5),
    ]
    assert await registry.propose(core) == _ref(CORE, 8)
    stored = await _stored_decisions(registry)
    assert stored[_ref(CORE, 3)].links == {Link(LinkKind.RELATES_TO, _ref(CORE, 7))}
