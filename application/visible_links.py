"""What a caller may see of a decision's links (issue 8, finding 5).

A link names a decision of another log, and that log may be private: to a caller who
may not read it, its slug and numbers are private too. Every reply that shows links (a
decision, its links, its history, its Markdown file, a log's export and graph, the web
pages over them, and the decision a write replies with) passes through here, so each
shows only the links into logs the caller may read, and says how many it left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from application.access import access_to, can
from application.ports import ReadModel, UnitOfWork
from application.views import Actor, DecisionView, HistoryEntry, LogAccess, decision_view
from domain.decision import Decision
from domain.errors import InvalidValue
from domain.values import DecisionRef, LogSlug, Role

# The history details that name other decisions (see domain.events): one, or a list.
_REF_DETAIL = "target"
_REF_LIST_DETAILS = ("supersedes", "successors")
# Where a history entry says how many of its decisions it leaves out.
HIDDEN_DETAIL = "hidden_links"


@dataclass(frozen=True, slots=True)
class ReadableLogs:
    """Among the logs some links name, those one caller may read."""

    slugs: frozenset[LogSlug]

    def show(self, target: DecisionRef) -> bool:
        return target.log in self.slugs


def hidden_note(hidden_links: int) -> str:
    """What a reply in words says of the links it leaves out."""
    links = "link" if hidden_links == 1 else "links"
    return f"{hidden_links} {links} to decisions in logs you may not read left out"


def _readable(
    actor: Actor, own: LogSlug, accesses: Mapping[LogSlug, LogAccess | None]
) -> ReadableLogs:
    # The caller reads `own` already: it was authorized for it before any link was read.
    return ReadableLogs(
        frozenset({own} | {s for s, a in accesses.items() if can(actor, a, Role.VIEWER)})
    )


def _foreign(own: LogSlug, targets: Iterable[DecisionRef]) -> set[LogSlug]:
    return {t.log for t in targets} - {own}


async def readable_through_reads(
    read_model: ReadModel, actor: Actor, own: LogSlug, targets: Iterable[DecisionRef]
) -> ReadableLogs:
    """For the read side; no query when every target is in the caller's own log."""
    foreign = _foreign(own, targets)
    accesses: Mapping[LogSlug, LogAccess | None] = {}
    if foreign:
        found = await read_model.log_accesses(foreign, actor.username)
        accesses = {slug: found.get(slug) for slug in foreign}
    return _readable(actor, own, accesses)


async def readable_in_transaction(
    uow: UnitOfWork, actor: Actor, own: LogSlug, targets: Iterable[DecisionRef]
) -> ReadableLogs:
    """For a write's reply, inside its unit of work (the logs it loaded are not read again)."""
    accesses: dict[LogSlug, LogAccess | None] = {}
    for slug in sorted(_foreign(own, targets), key=str):
        log = await uow.logs.get(slug)
        accesses[slug] = None if log is None else access_to(log, actor)
    return _readable(actor, own, accesses)


# -- decisions as views ---------------------------------------------------------------


def view_targets(view: DecisionView) -> list[DecisionRef]:
    own = LogSlug(view.log)
    return [DecisionRef.parse(link.target, relative_to=own) for link in view.links]


def visible_view(view: DecisionView, readable: ReadableLogs) -> DecisionView:
    own = LogSlug(view.log)
    kept = tuple(
        link
        for link in view.links
        if readable.show(DecisionRef.parse(link.target, relative_to=own))
    )
    if len(kept) == len(view.links):
        return view
    return dataclasses.replace(view, links=kept, hidden_links=len(view.links) - len(kept))


async def view_for_reader(read_model: ReadModel, actor: Actor, view: DecisionView) -> DecisionView:
    readable = await readable_through_reads(
        read_model, actor, LogSlug(view.log), view_targets(view)
    )
    return visible_view(view, readable)


async def view_in_transaction(uow: UnitOfWork, actor: Actor, decision: Decision) -> DecisionView:
    """What a write replies with: the decision it changed, as its caller may see it.
    Called before the commit, in the write's own transaction."""
    readable = await readable_in_transaction(
        uow, actor, decision.ref.log, decision_targets([decision])
    )
    return visible_view(decision_view(decision), readable)


# -- decisions as aggregates (Markdown, export, graph) ------------------------------


def decision_targets(decisions: Iterable[Decision]) -> list[DecisionRef]:
    return [link.target for decision in decisions for link in decision.links]


def visible_decision(decision: Decision, readable: ReadableLogs) -> tuple[Decision, int]:
    """A copy of the decision without the links the caller may not see, and how many
    those were. The copy records no events: nothing saves it."""
    kept = frozenset(link for link in decision.links if readable.show(link.target))
    hidden = len(decision.links) - len(kept)
    if not hidden:
        return decision, 0
    state = decision.snapshot().fields()
    state["links"] = kept
    return Decision(**state, version=decision.version), hidden


def visible_decisions(
    decisions: Iterable[Decision], readable: ReadableLogs
) -> tuple[tuple[Decision, ...], int]:
    shown = [visible_decision(d, readable) for d in decisions]
    return tuple(d for d, _ in shown), sum(hidden for _, hidden in shown)


# -- history -------------------------------------------------------------------------


def history_targets(entries: Iterable[HistoryEntry], own: LogSlug) -> list[DecisionRef]:
    return [ref for entry in entries for ref, _ in _named(entry.details, own)]


def visible_history(
    entries: Collection[HistoryEntry], own: LogSlug, readable: ReadableLogs
) -> list[HistoryEntry]:
    """Each entry without the decisions the caller may not see, and their count in
    `hidden_links`: a link made to a private decision shows its kind, not its target."""
    return [_visible_entry(entry, own, readable) for entry in entries]


def _visible_entry(entry: HistoryEntry, own: LogSlug, readable: ReadableLogs) -> HistoryEntry:
    named = _named(entry.details, own)
    hidden = [(ref, key) for ref, key in named if not readable.show(ref)]
    if not hidden:
        return entry
    details = dict(entry.details)
    hidden_texts = {(key, str(ref)) for ref, key in hidden}
    for key in {key for _, key in hidden}:
        if key == _REF_DETAIL:
            del details[key]
        else:
            details[key] = [t for t in details[key] if (key, _full(t, own)) not in hidden_texts]
    details[HIDDEN_DETAIL] = len(hidden)
    return dataclasses.replace(entry, details=details)


def _named(details: Mapping[str, Any], own: LogSlug) -> list[tuple[DecisionRef, str]]:
    """The decisions a history entry's details name, with the detail naming each."""
    named: list[tuple[DecisionRef, str]] = []
    target = details.get(_REF_DETAIL)
    if isinstance(target, str):
        named += [(ref, _REF_DETAIL) for ref in _parsed(target, own)]
    for key in _REF_LIST_DETAILS:
        values = details.get(key)
        if isinstance(values, list):
            named += [
                (ref, key) for text in values if isinstance(text, str) for ref in _parsed(text, own)
            ]
    return named


def _parsed(text: str, own: LogSlug) -> list[DecisionRef]:
    try:
        return [DecisionRef.parse(text, relative_to=own)]
    except InvalidValue:
        return []


def _full(text: str, own: LogSlug) -> str:
    refs = _parsed(text, own)
    return str(refs[0]) if refs else text
