"""Rules that span several decisions: accepting what supersedes, superseding, current.

Supersession stays acyclic by construction: only accepted decisions can be superseded
(`Decision.ensure_supersedable` says so, for every caller), a successor must be accepted
(so never itself superseded), and superseded is final.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from domain.decision import Decision
from domain.errors import InvalidSupersession
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionRef


def accept_proposal(
    proposal: Decision, superseded: Sequence[Decision], *, by: str, at: datetime
) -> None:
    """Accept `proposal` and supersede, in the same step, every decision it names."""
    if {d.ref for d in superseded} != proposal.supersedes:
        raise ValueError("pass exactly the decisions the proposal names as superseded")
    proposal.ensure_can_become(Status.ACCEPTED)
    for old in superseded:
        old.ensure_supersedable(by_accepting=proposal.ref)
    proposal.accept(by=by, at=at)
    for old in superseded:
        old.mark_superseded([proposal.ref], by=by, at=at)


def supersede(old: Decision, successors: Sequence[Decision], *, by: str, at: datetime) -> None:
    """Supersede accepted `old` by accepted `successors`, recording both directions."""
    if not successors:
        raise InvalidSupersession("name at least one decision that supersedes it")
    for new in successors:
        if new.ref == old.ref:
            raise InvalidSupersession(f"{old.ref} cannot supersede itself")
        if new.status is not Status.ACCEPTED:
            raise InvalidSupersession(
                f"{new.ref} is {new.status.value}; only an accepted decision can supersede "
                f"another. Accept it first, or name it when proposing."
            )
    # Refuses, as an invalid transition, an `old` that is not accepted: nothing else
    # can become superseded.
    old.mark_superseded((new.ref for new in successors), by=by, at=at)
    for new in successors:
        new.receive_inverse(Link(LinkKind.SUPERSEDES, old.ref), by=by, at=at)


def current(
    start: DecisionRef, successors_of: Callable[[DecisionRef], Iterable[DecisionRef]]
) -> list[DecisionRef]:
    """The decisions in force along supersession from `start`: the ends of its chains.

    `successors_of` gives a decision's superseded-by targets (empty when it is not
    superseded). A decision that is not superseded is its own current one.
    """
    ends: set[DecisionRef] = set()
    seen: set[DecisionRef] = set()
    stack = [start]
    while stack:
        ref = stack.pop()
        if ref in seen:
            continue
        seen.add(ref)
        nexts = list(successors_of(ref))
        if nexts:
            stack.extend(nexts)
        else:
            ends.add(ref)
    return sorted(ends)


def graph_problems(
    statuses: Mapping[DecisionRef, Status],
    successors: Mapping[DecisionRef, Collection[DecisionRef]],
) -> dict[DecisionRef, str]:
    """What breaks the supersession rules in a graph given whole (as an import gives it).

    `successors` maps a decision to its superseded-by targets.
    """
    problems: dict[DecisionRef, str] = {}
    for ref, status in statuses.items():
        nexts = successors.get(ref, ())
        if status is Status.SUPERSEDED and not nexts:
            problems[ref] = (
                f"{ref} is superseded but names no successor: "
                "say by what, e.g. 'superseded by ADR-0012'"
            )
        elif nexts and status is not Status.SUPERSEDED:
            problems[ref] = (
                f"{ref} names successors ({', '.join(map(str, sorted(nexts)))}) "
                f"but its status is {status.value}, not superseded"
            )
    for cycle in _cycles(successors):
        path = " -> ".join(str(r) for r in [*cycle, cycle[0]])
        for ref in cycle:
            problems.setdefault(ref, f"supersession would form a cycle: {path}")
    return problems


def _cycles(successors: Mapping[DecisionRef, Collection[DecisionRef]]) -> list[list[DecisionRef]]:
    """One cycle per strongly connected loop found by depth-first search."""
    white, grey, black = 0, 1, 2
    colour: dict[DecisionRef, int] = {}
    cycles: list[list[DecisionRef]] = []
    for root in sorted(successors):
        if colour.get(root, white) != white:
            continue
        path: list[DecisionRef] = []
        stack: list[tuple[DecisionRef, Iterator[DecisionRef]]] = []
        colour[root] = grey
        path.append(root)
        stack.append((root, iter(sorted(successors.get(root, ())))))
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = black
                path.pop()
                stack.pop()
            elif colour.get(child, white) == grey:
                cycles.append(path[path.index(child) :])
            elif colour.get(child, white) == white:
                colour[child] = grey
                path.append(child)
                stack.append((child, iter(sorted(successors.get(child, ())))))
    return cycles
