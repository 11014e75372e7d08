"""Import a bundle of MADR files into a log: validate everything, then write.

- Numbers: a file keeps the number it names. A file named by day and title (log4brains)
  goes by its alias: the number it was given when first imported, else the log's next
  numbers, given in alias order (day, then name). Links by alias resolve the same way.
- Identity: a file whose number belongs to a decision with another title and other
  content is not that decision's file, and is reported, unless the caller says `update`.
- Lifecycle: a file updates its decision only as ordinary writes could (see
  `Decision.ensure_can_reimport`), unless the import is `authoritative` (the log's
  source of truth, its synced repository, sends it).
- Links are completed in both directions: a file that says 'superseded by ADR-0012'
  gives ADR-0012 its 'supersedes' link even when ADR-0012's own file does not say so.
  A file that names supersedes, superseded-by, amends or amended-by links is their
  source: the decision's links of that kind become what the file names (with what other
  files of the bundle give it), and one it no longer names is dropped on both sides.
  Links of a kind it does not name, and relates-to links to decisions outside the
  bundle, are kept: they may come from the other side, or through the API.
- Re-importing the same files changes nothing.
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
from application.parsed_files import ALIAS_MAX, ParsedFile
from application.ports import Clock, MadrCodec, UnitOfWork
from application.views import (
    Actor,
    FileReport,
    ImportReport,
    LintProblem,
    actor_name,
)
from domain.content import Content
from domain.decision import Decision, DecisionState
from domain.errors import DomainError
from domain.links import Link, LinkKind
from domain.supersession import graph_problems
from domain.values import DecisionNumber, DecisionRef, Role

_SUPERSESSION = frozenset({LinkKind.SUPERSEDES, LinkKind.SUPERSEDED_BY})

Bundle = dict[DecisionRef, tuple[str, DecisionState]]


def _problem(file: str, message: str, line: int = 1, rule: str = "import") -> LintProblem:
    return LintProblem(file=file, line=line, rule=rule, severity="error", message=message)


def _has_inverse(link: Link, source: DecisionState) -> bool:
    # A proposal's 'supersedes' is an intent: nothing is superseded until it is accepted.
    return not (link.kind is LinkKind.SUPERSEDES and not source.status.is_decided)


@dataclass(slots=True)
class _Files:
    """Every file of the bundle, as far as it got."""

    parsed: dict[str, ParsedFile] = field(default_factory=dict)
    states: dict[str, DecisionState] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[LintProblem]] = field(default_factory=lambda: defaultdict(list))
    # Aliases first given a number by this import, and the files known by an alias.
    new_aliases: dict[str, DecisionNumber] = field(default_factory=dict)
    by_alias: set[str] = field(default_factory=set)

    def valid(self) -> Bundle:
        return {s.ref: (n, s) for n, s in self.states.items() if n not in self.errors}


@dataclass(frozen=True, slots=True)
class _Plan:
    """What writing a bundle does: each of its decisions' new state, and the inverse
    links it gives to, and takes from, decisions outside it (with the files that do)."""

    states: dict[DecisionRef, DecisionState]
    gained: dict[DecisionRef, set[Link]]
    lost: dict[DecisionRef, set[Link]]
    causes: dict[DecisionRef, set[str]]
    # Stored decisions the bundle leaves as they are.
    unchanged: set[DecisionRef]

    @classmethod
    def of(cls, bundle: Bundle, stored: Mapping[DecisionRef, Decision]) -> _Plan:
        inverses: dict[DecisionRef, set[Link]] = defaultdict(set)
        causes: dict[DecisionRef, set[str]] = defaultdict(set)
        for ref, (name, state) in bundle.items():
            for link in state.links:
                if _has_inverse(link, state):
                    inverses[link.target].add(Link(link.kind.inverse, ref))
                    causes[link.target].add(name)
        states: dict[DecisionRef, DecisionState] = {}
        lost: dict[DecisionRef, set[Link]] = defaultdict(set)
        unchanged: set[DecisionRef] = set()
        for ref, (name, state) in bundle.items():
            existing = stored.get(ref)
            # relates-to is symmetric: the other side's file may be the one that says it.
            replaced = {link.kind for link in state.links} - {LinkKind.RELATES_TO}
            kept = (
                set()
                if existing is None
                else {
                    link
                    for link in existing.links
                    if link.target not in bundle and link.kind not in replaced
                }
            )
            extra = inverses[ref] | kept
            full = (
                dataclasses.replace(state, links=frozenset(state.links | extra))
                if extra - state.links
                else state
            )
            states[ref] = full
            if existing is not None and full == existing.snapshot():
                unchanged.add(ref)
                continue
            for link in existing.links - full.links if existing else ():
                if link.target not in bundle:
                    lost[link.target].add(Link(link.kind.inverse, ref))
                    causes[link.target].add(name)
        gained = {t: links for t, links in inverses.items() if t not in bundle}
        return cls(states, gained, dict(lost), causes, unchanged)


@dataclass(frozen=True, slots=True)
class _Known:
    """What validation knows besides the bundle, gathered once for all of its passes."""

    # The log's stored decisions.
    stored: Mapping[DecisionRef, Decision]
    # Decisions outside the log, as looked up (None: missing, or not readable).
    outside: dict[DecisionRef, Decision | None] = field(default_factory=dict)


class ImportDecisionsHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, codec: MadrCodec) -> None:
        self.uow = uow
        self.clock = clock
        self.codec = codec

    async def __call__(self, cmd: ImportDecisions) -> ImportReport:
        at = self.clock.now()
        files = _Files()
        for name, data in cmd.files:
            if name in files.parsed or name in files.errors or name in files.ignored:
                files.errors[name].append(_problem(name, "the bundle holds two files of this name"))
                continue
            reason = self.codec.not_a_decision(name)
            if reason is not None:
                files.ignored[name] = reason
            else:
                try:
                    text = decode_markdown(name, data)
                    parsed = self.codec.parse(text, filename=name, log=cmd.log, today=at.date())
                except InvalidMadr as error:
                    files.errors[name].append(_problem(name, error.message, error.line, error.rule))
                else:
                    files.parsed[name] = parsed
            if cmd.progress is not None:
                cmd.progress()

        async with self.uow:
            log = await load_log(self.uow, cmd.actor, cmd.log, Role.ADMIN)
            if not cmd.authoritative:
                log.ensure_writable_through_api()
            stored = {d.ref: d for d in await self.uow.decisions.list_in(cmd.log)}
            await self._number(cmd, files)
            _flag_duplicate_numbers(files)
            _flag_retired_numbers(files, await self.uow.decisions.retired_numbers(cmd.log))
            if not cmd.update:
                _flag_taken_numbers(files, stored)
            known = _Known(stored)
            # Without atomicity, dropping an invalid file can invalidate files that link
            # to it, so validate until nothing more fails.
            while True:
                bundle = files.valid()
                plan = _Plan.of(bundle, stored)
                found = await self._check(cmd, bundle, plan, known)
                for name, problems in found.items():
                    files.errors[name].extend(problems)
                if not found or cmd.atomic:
                    break
            if files.errors and cmd.atomic:
                return _report(cmd, files, outcomes={})
            outcomes = await self._write(cmd, plan, bundle, known, at)
            for alias, number in sorted(files.new_aliases.items()):
                await self.uow.decisions.add_alias(cmd.log, alias, number)
            await self.uow.commit()
        return _report(cmd, files, outcomes)

    async def _number(self, cmd: ImportDecisions, files: _Files) -> None:
        """Give every parsed file its number and resolve its alias links, into `states`."""
        _flag_bad_aliases(files)
        known = await self.uow.decisions.aliases(cmd.log)
        numbers: dict[str, DecisionNumber] = {}
        waiting: list[tuple[str, str]] = []  # (alias, file name)
        for name, parsed in files.parsed.items():
            if name in files.errors:
                continue
            if parsed.alias in known:
                number = known[parsed.alias]
                if parsed.numbered and parsed.decision.ref.number != number:
                    files.errors[name].append(
                        _problem(
                            name,
                            f"this file was imported as {number}, but now says it is "
                            f"{parsed.decision.ref.number}: a decision keeps its number, so "
                            "remove the one it names",
                            rule="alias-renumbered",
                        )
                    )
                    continue
                numbers[name] = number
                files.by_alias.add(name)
            elif parsed.numbered:
                numbers[name] = parsed.decision.ref.number
            elif parsed.alias is not None:
                waiting.append((parsed.alias, name))
        if waiting:
            # New aliases take the log's next numbers, past every number the bundle names.
            if numbers:
                await self.uow.logs.reserve_through(cmd.log, max(numbers.values()))
            for new_alias, name in sorted(waiting):
                number = await self.uow.logs.next_number(cmd.log)
                numbers[name] = files.new_aliases[new_alias] = number
                files.by_alias.add(name)
        resolved = dict(known)
        for name, number in numbers.items():
            if (own := files.parsed[name].alias) is not None:
                resolved[own] = number
        for name, number in numbers.items():
            parsed = files.parsed[name]
            links: set[Link] = set()
            for link in parsed.alias_links:
                if link.alias in resolved:
                    links.add(Link(link.kind, DecisionRef(cmd.log, resolved[link.alias])))
                    continue
                files.errors[name].append(
                    _problem(
                        name,
                        f"its {link.kind.value} link names {link.alias}, which is neither a "
                        "file in this bundle nor one imported into this log before",
                        line=link.line,
                        rule="link-target-missing",
                    )
                )
            files.states[name] = parsed.state(number, frozenset(links))

    async def _check(
        self, cmd: ImportDecisions, bundle: Bundle, plan: _Plan, known: _Known
    ) -> dict[str, list[LintProblem]]:
        """Problems of links, of the supersession graph and of the lifecycle that writing
        the bundle would cause."""
        problems: dict[str, list[LintProblem]] = defaultdict(list)
        for ref, (name, state) in bundle.items():
            if any(link.target == ref for link in state.links):
                problems[name].append(_problem(name, f"{ref} links to itself"))
        # The graph as it would be: stored decisions, the bundle's, and those it changes.
        statuses = {ref: d.status for ref, d in known.stored.items()}
        links = {ref: d.links for ref, d in known.stored.items()}
        for ref, state in plan.states.items():
            statuses[ref], links[ref] = state.status, state.links
        for ref, (name, state) in bundle.items():
            for link in sorted(state.links):
                target = link.target
                if target == ref or target in statuses:
                    continue
                other = await self._lookup(cmd.actor, target, known)
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
        for target in plan.lost.keys() - statuses.keys():
            other = await self._lookup(cmd.actor, target, known)
            if other is not None:
                statuses[target], links[target] = other.status, other.links
        for target, gained in plan.gained.items():
            if target in links:
                links[target] = links[target] | gained
        for target, lost in plan.lost.items():
            if target in links:
                links[target] = links[target] - lost
        successors = {
            ref: {link.target for link in ls if link.kind is LinkKind.SUPERSEDED_BY}
            for ref, ls in links.items()
        }
        referrers: dict[DecisionRef, set[str]] = defaultdict(set)
        for ref, (name, state) in bundle.items():
            referrers[ref].add(name)
            for link in state.links:
                referrers[link.target].add(name)
        for target, names in plan.causes.items():
            referrers[target] |= names
        for ref, message in graph_problems(statuses, successors).items():
            for name in sorted(referrers.get(ref, ())):
                problems[name].append(_problem(name, message, rule="supersession"))
        if not cmd.authoritative:
            await self._check_lifecycle(cmd, bundle, plan, known, problems)
        return problems

    async def _check_lifecycle(
        self,
        cmd: ImportDecisions,
        bundle: Bundle,
        plan: _Plan,
        known: _Known,
        problems: dict[str, list[LintProblem]],
    ) -> None:
        """A file changes a stored decision only as ordinary writes could."""
        for ref, state in plan.states.items():
            existing = known.stored.get(ref)
            if existing is None or ref in plan.unchanged:
                continue
            name = bundle[ref][0]
            try:
                existing.ensure_can_reimport(state)
            except DomainError as error:
                problems[name].append(_problem(name, str(error), rule="lifecycle"))
        for target, lost in plan.lost.items():
            other = known.stored.get(target) or await self._lookup(cmd.actor, target, known)
            if other is None or not other.status.is_decided:
                continue
            for link in sorted(lost & other.links):
                if link.kind in _SUPERSESSION:
                    for name in sorted(plan.causes[target]):
                        problems[name].append(
                            _problem(
                                name,
                                f"the file no longer names its link to {target}, which is "
                                f"{other.status.value}: its supersession by or of "
                                f"{link.target} is permanent; name the link again",
                                rule="lifecycle",
                            )
                        )

    async def _lookup(self, actor: Actor, ref: DecisionRef, known: _Known) -> Decision | None:
        """A decision outside the bundle and the log, if the actor may read it."""
        if ref not in known.outside:
            known.outside[ref] = await self._outside(actor, ref)
        return known.outside[ref]

    async def _outside(self, actor: Actor, ref: DecisionRef) -> Decision | None:
        try:
            await load_log(self.uow, actor, ref.log, Role.VIEWER)
        except (NotFound, NotAuthenticated, Forbidden):
            return None
        return await self.uow.decisions.get(ref)

    async def _write(
        self,
        cmd: ImportDecisions,
        plan: _Plan,
        bundle: Bundle,
        known: _Known,
        now: dt.datetime,
    ) -> dict[str, tuple[str, int]]:
        by = actor_name(cmd.actor)
        outcomes: dict[str, tuple[str, int]] = {}
        created: list[DecisionNumber] = []
        for ref, full in sorted(plan.states.items()):
            name = bundle[ref][0]
            existing = known.stored.get(ref)
            number = ref.number.value
            if existing is None:
                await self.uow.decisions.add(Decision.imported(full, by=by, at=now, source=name))
                created.append(ref.number)
                outcomes[name] = ("created", number)
            elif ref not in plan.unchanged and existing.reimport(
                full, by=by, at=now, source=name, authoritative=cmd.authoritative
            ):
                outcomes[name] = ("updated", number)
            else:
                outcomes[name] = ("unchanged", number)
        if created:
            # The counter only moves forward: reserving through the highest number covers
            # every number the bundle takes.
            await self.uow.logs.reserve_through(cmd.log, max(created))
        for target in sorted(plan.gained.keys() | plan.lost.keys()):
            # Only what the actor may read changes: a link to a decision it cannot read
            # was refused above, and one it no longer names there is left alone.
            other = known.stored.get(target) or await self._lookup(cmd.actor, target, known)
            if other is None:
                continue
            for link in sorted(plan.gained.get(target, ())):
                other.receive_inverse(link, by=by, at=now)
            for link in sorted(plan.lost.get(target, ())):
                other.drop_inverse(link, by=by, at=now, authoritative=cmd.authoritative)
        return outcomes


def _flag_bad_aliases(files: _Files) -> None:
    holders: dict[str, list[str]] = defaultdict(list)
    for name, parsed in files.parsed.items():
        if parsed.alias is not None and len(parsed.alias) > ALIAS_MAX:
            files.errors[name].append(
                _problem(
                    name,
                    f"the file name is {len(parsed.alias)} characters long without '.md'; "
                    f"a decision's alias is at most {ALIAS_MAX}: shorten it",
                    rule="invalid-value",
                )
            )
        elif parsed.alias is not None:
            holders[parsed.alias].append(name)
    for alias, names in holders.items():
        for name in names if len(names) > 1 else ():
            others = ", ".join(n for n in names if n != name)
            files.errors[name].append(
                _problem(name, f"{others} goes by the same name, {alias}", rule="duplicate-alias")
            )


def _flag_taken_numbers(files: _Files, stored: Mapping[DecisionRef, Decision]) -> None:
    """A file is its decision's own when it has its title or its content, or its alias."""
    for name, state in files.states.items():
        existing = stored.get(state.ref)
        if existing is None or name in files.by_alias or name in files.errors:
            continue
        same_content = existing.content != Content() and existing.content == state.content
        if existing.title != state.title and not same_content:
            files.errors[name].append(
                _problem(
                    name,
                    f"{state.ref.number} in this log is '{existing.title}', not "
                    f"'{state.title}': renumber this file, or import it with update to "
                    "rewrite that decision from it",
                    rule="number-taken",
                )
            )


def _flag_retired_numbers(files: _Files, retired: set[DecisionNumber]) -> None:
    for name, state in files.states.items():
        if state.ref.number in retired:
            files.errors[name].append(
                _problem(
                    name,
                    f"{state.ref.number} was a withdrawn proposal in this log, and a withdrawn "
                    "number is never reused: renumber the file",
                    rule="retired-number",
                )
            )


def _flag_duplicate_numbers(files: _Files) -> None:
    names_by_ref: dict[DecisionRef, list[str]] = defaultdict(list)
    for name, state in files.states.items():
        names_by_ref[state.ref].append(name)
    for ref, names in names_by_ref.items():
        if len(names) > 1:
            for name in names:
                others = ", ".join(n for n in names if n != name)
                files.errors[name].append(
                    _problem(
                        name,
                        f"{ref.number} is also the number of {others}",
                        rule="duplicate-number",
                    )
                )


def _report(
    cmd: ImportDecisions, files: _Files, outcomes: dict[str, tuple[str, int]]
) -> ImportReport:
    reports = []
    for name, _ in cmd.files:
        state = files.states.get(name)
        number = None if state is None else state.ref.number.value
        if name in files.errors:
            reports.append(FileReport(name, "error", number, tuple(files.errors[name])))
        elif name in files.ignored:
            note = LintProblem(name, 1, "not-a-decision", "warning", files.ignored[name])
            reports.append(FileReport(name, "ignored", None, (note,)))
        elif name in outcomes:
            outcome, number = outcomes[name]
            reports.append(FileReport(name, outcome, number))
        else:
            reports.append(FileReport(name, "skipped", number))
    return ImportReport(log=cmd.log.value, files=tuple(reports))
