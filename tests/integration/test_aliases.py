"""Aliases of day-named files, and imports of real folders, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.madr.codec import MadrFiles
from application.commands import ImportDecisions
from application.errors import AlreadyExists
from application.handlers.imports import ImportDecisionsHandler
from application.views import OPERATOR, ImportReport
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug
from tests.fakes import FakeClock
from tests.integration.conftest import Registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def ref(log: LogSlug, number: int) -> DecisionRef:
    return DecisionRef(log, DecisionNumber(number))


def folder(name: str) -> tuple[tuple[str, bytes], ...]:
    return tuple((p.name, p.read_bytes()) for p in sorted((FIXTURES / name).glob("*.md")))


async def run(registry: Registry, log: LogSlug, *files: tuple[str, bytes]) -> ImportReport:
    handler = ImportDecisionsHandler(registry.uow(), FakeClock(), MadrFiles())
    return await handler(ImportDecisions(OPERATOR, log, files))


async def test_aliases_are_kept_per_log_and_rolled_back_with_their_transaction(
    registry: Registry,
) -> None:
    core, other = await registry.log("core"), await registry.log("other")
    async with registry.uow() as uow:
        await uow.decisions.add_alias(core, "20240101-use-x", DecisionNumber(3))
        await uow.decisions.add_alias(other, "20240101-use-x", DecisionNumber(9))
        await uow.commit()
    async with registry.uow() as uow:
        await uow.decisions.add_alias(core, "20240102-never-committed", DecisionNumber(4))

    async with registry.uow() as uow:
        assert await uow.decisions.aliases(core) == {"20240101-use-x": DecisionNumber(3)}
        assert await uow.decisions.aliases(other) == {"20240101-use-x": DecisionNumber(9)}
        assert await uow.decisions.aliases(LogSlug("nowhere")) == {}


async def test_an_alias_taken_first_by_another_import_is_a_conflict(registry: Registry) -> None:
    core = await registry.log("core")
    async with registry.uow() as uow:
        await uow.decisions.add_alias(core, "20240101-use-x", DecisionNumber(3))
        await uow.commit()

    async with registry.uow() as uow:
        with pytest.raises(AlreadyExists, match="import again"):
            await uow.decisions.add_alias(core, "20240101-use-x", DecisionNumber(4))


async def test_a_log4brains_folder_imports_and_imports_again_unchanged(
    registry: Registry,
) -> None:
    core = await registry.log("core")

    first = await run(registry, core, *folder("log4brains"))
    again = await run(registry, core, *folder("log4brains"))

    assert [(f.outcome, f.number) for f in first.files] == [
        ("created", 1),
        ("created", 2),
        ("created", 3),
        ("created", 4),
        ("created", 5),
        ("ignored", None),
        ("ignored", None),
        ("ignored", None),
    ]
    assert {f.outcome for f in again.files} == {"unchanged", "ignored"}
    async with registry.uow() as uow:
        assert len(await uow.decisions.aliases(core)) == 5
        old = await uow.decisions.get(ref(core, 3))
        new = await uow.decisions.get(ref(core, 4))
    assert old is not None
    assert new is not None
    assert (old.status, old.links) == (
        Status.SUPERSEDED,
        {Link(LinkKind.SUPERSEDED_BY, ref(core, 4))},
    )
    assert new.links == {Link(LinkKind.SUPERSEDES, ref(core, 3))}
    assert await registry.propose(core) == ref(core, 6)


async def test_an_import_leaves_an_accepted_decision_as_it_was(registry: Registry) -> None:
    core = await registry.log("core")
    await run(registry, core, *folder("adr-tools"))
    rejected = folder("adr-tools")[2][1].replace(b"\nAccepted\n", b"\nRejected\n")

    report = await run(registry, core, ("0003-use-cockroachdb.md", rejected))

    assert [(f.outcome, [p.rule for p in f.problems]) for f in report.files] == [
        ("error", ["lifecycle"])
    ]
    async with registry.uow() as uow:
        stored = await uow.decisions.get(ref(core, 3))
    assert stored is not None
    assert (stored.status, stored.version) == (Status.ACCEPTED, 1)
