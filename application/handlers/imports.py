"""Import a bundle of MADR files into a log: validate everything, then write.

Links are resolved once every file is read, and completed in both directions: a file
that says 'superseded by ADR-0012' gives ADR-0012 its 'supersedes' link even when
ADR-0012's own file does not say so. Re-importing the same files changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from application.access import load_log
from application.commands import ImportDecisions
from application.errors import Forbidden, InvalidMadr, NotAuthenticated, NotFound
from application.markdown_files import decode_markdown
from application.ports import Clock, MadrCodec, UnitOfWork
from application.views import (
    Actor,
    FileReport,
    ImportReport,
    LintProblem,
    actor_name,
)
from domain.decision import Decision, DecisionState
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.supersession import graph_problems
from domain.values import DecisionNumber, DecisionRef, Role


def _problem(file: str, message: str, line: int = 1, rule: str = "import") -> LintProblem:
    return LintProblem(file=file, line=line, rule=rule, severity="error", message=message)


def _has_inverse(link: Link, source: DecisionState) -> bool:
    # A proposal's 'supersedes' is an intent: nothing is superseded until it is accepted.
    return not (link.kind is LinkKind.SUPERSEDES and not source.status.is_decided)


@dataclass(frozen=True, slots=True)
class _Known:
    """What validation knows besides the bundle, gathered once for all of its passes."""

    # The log's stored decisions, as statuses and links.
    statuses: Mapping[DecisionRef, Status]
    links: Mapping[DecisionRef, frozenset[Link]]
    # Link targets outside the log, as looked up (None: missing, or not readable).
    outside: dict[DecisionRef, Decision | None] = field(default_factory=dict)

    @classmethod
    def of(cls, stored: Mapping[DecisionRef, Decision]) -> _Known:
        return cls(
            statuses={ref: d.status for ref, d in stored.items()},
            links={ref: d.links for ref, d in stored.items()},
        )


class ImportDecisionsHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, codec: MadrCodec) -> None:
        self.uow = uow
        self.clock = clock
        self.codec = codec

    async def __call__(self, cmd: ImportDecisions) -> ImportReport:
        at = self.clock.now()
        errors: dict[str, list[LintProblem]] = defaultdict(list)
        states: dict[str, DecisionState] = {}
        for name, data in cmd.files:
            if name in states or name in errors:
                errors[name].append(_problem(name, "the bundle holds two files of this name"))
                continue
            try:
                text = decode_markdown(name, data)
                parsed = self.codec.parse(text, filename=name, log=cmd.log, today=at.date())
            except InvalidMadr as error:
                errors[name].append(_problem(name, error.message, error.line, error.rule))
            else:
                states[name] = parsed.snapshot()
            if cmd.progress is not None:
                cmd.progress()
        _flag_duplicate_numbers(states, errors)

        async with self.uow:
            await load_log(self.uow, cmd.actor, cmd.log, Role.ADMIN)
            stored = {d.ref: d for d in await self.uow.decisions.list_in(cmd.log)}
            _flag_retired_numbers(states, errors, await self.uow.decisions.retired_numbers(cmd.log))
            known = _Known.of(stored)
            # Without atomicity, dropping an invalid file can invalidate files that link
            # to it, so validate until nothing more fails.
            while True:
                bundle = {s.ref: (n, s) for n, s in states.items() if n not in errors}
                found = await self._check(cmd.actor, bundle, known)
                for name, problems in found.items():
                    errors[name].extend(problems)
                if not found or cmd.atomic:
                    break
            if errors and cmd.atomic:
                return _report(cmd, states, errors, outcomes={})
            outcomes = await self._write(cmd, bundle, stored, at)
            await self.uow.commit()
        return _report(cmd, states, errors, outcomes)

    async def _check(
        self,
        actor: Actor,
        bundle: dict[DecisionRef, tuple[str, DecisionState]],
        known: _Known,
    ) -> dict[str, list[LintProblem]]:
        """Problems of links and of the supersession graph the bundle would make."""
        problems: dict[str, list[LintProblem]] = defaultdict(list)
        # Copies of what is known; a set of links that changes is replaced, not mutated.
        statuses = dict(known.statuses)
        links = dict(known.links)
        for ref, (_, state) in bundle.items():
            statuses[ref] = state.status
            kept = {link for link in links.get(ref, ()) if link.target not in bundle}
            links[ref] = state.links | kept
        for ref, (name, state) in bundle.items():
            for link in sorted(state.links):
                target = link.target
                if target == ref:
                    problems[name].append(_problem(name, f"{ref} links to itself"))
                    continue
                if target not in statuses:
                    if target not in known.outside:
                        known.outside[target] = await self._outside(actor, target)
                    other = known.outside[target]
                    if other is None:
                        problems[name].append(
                            _problem(
                                name,
                                f"its {link.kind.value} link names {target}, which is neither "
                                "in this bundle nor in the registry (or you cannot read it)",
                                rule="link-target-missing",
                            )
                        )
                        continue
                    statuses[target], links[target] = other.status, other.links
                if _has_inverse(link, state):
                    links[target] = links[target] | {Link(link.kind.inverse, ref)}
        successors = {
            ref: {link.target for link in ls if link.kind is LinkKind.SUPERSEDED_BY}
            for ref, ls in links.items()
        }
        referrers: dict[DecisionRef, set[str]] = defaultdict(set)
        for ref, (name, state) in bundle.items():
            referrers[ref].add(name)
            for link in state.links:
                referrers[link.target].add(name)
        for ref, message in graph_problems(statuses, successors).items():
            for name in sorted(referrers.get(ref, ())):
                problems[name].append(_problem(name, message, rule="supersession"))
        return problems

    async def _outside(self, actor: Actor, ref: DecisionRef) -> Decision | None:
        """A link target outside the bundle and the log, if the actor may read it."""
        try:
            await load_log(self.uow, actor, ref.log, Role.VIEWER)
        except (NotFound, NotAuthenticated, Forbidden):
            return None
        return await self.uow.decisions.get(ref)

    async def _write(
        self,
        cmd: ImportDecisions,
        bundle: dict[DecisionRef, tuple[str, DecisionState]],
        stored: dict[DecisionRef, Decision],
        now: dt.datetime,
    ) -> dict[str, tuple[str, int]]:
        by = actor_name(cmd.actor)
        inverses: dict[DecisionRef, set[Link]] = defaultdict(set)
        for ref, (_, state) in bundle.items():
            for link in state.links:
                if _has_inverse(link, state):
                    inverses[link.target].add(Link(link.kind.inverse, ref))
        outcomes: dict[str, tuple[str, int]] = {}
        created: list[DecisionNumber] = []
        for ref, (name, state) in sorted(bundle.items()):
            existing = stored.get(ref)
            kept = (
                set()
                if existing is None
                else {link for link in existing.links if link.target not in bundle}
            )
            full = dataclasses.replace(state, links=frozenset(state.links | inverses[ref] | kept))
            number = ref.number.value
            if existing is None:
                await self.uow.decisions.add(Decision.imported(full, by=by, at=now, source=name))
                created.append(ref.number)
                outcomes[name] = ("created", number)
            elif existing.reimport(full, by=by, at=now, source=name):
                outcomes[name] = ("updated", number)
            else:
                outcomes[name] = ("unchanged", number)
        if created:
            # The counter only moves forward: reserving through the highest number covers
            # every number the bundle takes.
            await self.uow.logs.reserve_through(cmd.log, max(created))
        for target, links in inverses.items():
            if target in bundle:
                continue
            other = stored.get(target) or await self.uow.decisions.get(target)
            if other is not None:
                for link in sorted(links):
                    other.receive_inverse(link, by=by, at=now)
        return outcomes


def _flag_retired_numbers(
    states: dict[str, DecisionState],
    errors: dict[str, list[LintProblem]],
    retired: set[DecisionNumber],
) -> None:
    for name, state in states.items():
        if state.ref.number in retired:
            errors[name].append(
                _problem(
                    name,
                    f"{state.ref.number} was a withdrawn proposal in this log, and a withdrawn "
                    "number is never reused: renumber the file",
                    rule="retired-number",
                )
            )


def _flag_duplicate_numbers(
    states: dict[str, DecisionState], errors: dict[str, list[LintProblem]]
) -> None:
    names_by_ref: dict[DecisionRef, list[str]] = defaultdict(list)
    for name, state in states.items():
        names_by_ref[state.ref].append(name)
    for ref, names in names_by_ref.items():
        if len(names) > 1:
            for name in names:
                others = ", ".join(n for n in names if n != name)
                errors[name].append(
                    _problem(
                        name,
                        f"{ref.number} is also the number of {others}",
                        rule="duplicate-number",
                    )
                )


def _report(
    cmd: ImportDecisions,
    states: dict[str, DecisionState],
    errors: dict[str, list[LintProblem]],
    outcomes: dict[str, tuple[str, int]],
) -> ImportReport:
    files = []
    for name, _ in cmd.files:
        state = states.get(name)
        number = None if state is None else state.ref.number.value
        if name in errors:
            files.append(FileReport(name, "error", number, tuple(errors[name])))
        elif name in outcomes:
            outcome, number = outcomes[name]
            files.append(FileReport(name, outcome, number))
        else:
            files.append(FileReport(name, "skipped", number))
    return ImportReport(log=cmd.log.value, files=tuple(files))
