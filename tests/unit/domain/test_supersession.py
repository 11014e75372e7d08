"""Supersession: accepting what supersedes, explicit supersession, and the current ones."""

from __future__ import annotations

import datetime as dt

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from domain.decision import Decision
from domain.errors import InvalidSupersession, InvalidTransition
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.supersession import _cycles, accept_proposal, current, graph_problems, supersede
from domain.values import DecisionNumber, DecisionRef, LogSlug

AT = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
OTHER_STATUSES = [s for s in Status if s is not Status.ACCEPTED]


def ref(n: int, log: str = "platform") -> DecisionRef:
    return DecisionRef(LogSlug(log), DecisionNumber(n))


def decision(
    n: int, status: Status, *, supersedes: tuple[int, ...] = (), log: str = "platform"
) -> Decision:
    return Decision(
        ref=ref(n, log),
        title=f"Decision {n}",
        status=status,
        date=dt.date(2025, 12, 1),
        links=[Link(LinkKind.SUPERSEDES, ref(t)) for t in supersedes],
    )


def states(*decisions: Decision) -> list[object]:
    return [(d.snapshot(), d.version, list(d.events)) for d in decisions]


# -- accepting a proposal that names what it supersedes ------------------------------


def test_accepting_a_proposal_supersedes_everything_it_names_recording_both_sides() -> None:
    old, older = decision(1, Status.ACCEPTED), decision(2, Status.ACCEPTED)
    proposal = decision(3, Status.PROPOSED, supersedes=(1, 2))
    accept_proposal(proposal, [old, older], by="dee", at=AT)
    assert proposal.status is Status.ACCEPTED
    assert proposal.supersedes == {ref(1), ref(2)}
    for d in (old, older):
        assert d.status is Status.SUPERSEDED
        assert d.superseded_by == {ref(3)}
        assert d.date == AT.date()
        assert [e.name for e in d.events] == ["decision.superseded"]


@pytest.mark.parametrize("status", OTHER_STATUSES)
def test_accepting_refuses_a_proposal_that_names_a_decision_not_accepted(status: Status) -> None:
    ok, not_ok = decision(1, Status.ACCEPTED), decision(2, status)
    proposal = decision(3, Status.PROPOSED, supersedes=(1, 2))
    before = states(ok, not_ok, proposal)
    with pytest.raises(InvalidSupersession, match="only accepted decisions"):
        accept_proposal(proposal, [ok, not_ok], by="dee", at=AT)
    assert states(ok, not_ok, proposal) == before


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.PROPOSED])
def test_accepting_what_is_not_a_proposal_is_an_invalid_transition(status: Status) -> None:
    old = decision(1, Status.ACCEPTED)
    not_a_proposal = decision(3, status, supersedes=(1,))
    before = states(old, not_a_proposal)
    with pytest.raises(InvalidTransition):
        accept_proposal(not_a_proposal, [old], by="dee", at=AT)
    assert states(old, not_a_proposal) == before


def test_accepting_must_be_given_exactly_the_decisions_the_proposal_names() -> None:
    proposal = decision(3, Status.PROPOSED, supersedes=(1,))
    with pytest.raises(ValueError, match="exactly"):
        accept_proposal(proposal, [], by="dee", at=AT)
    with pytest.raises(ValueError, match="exactly"):
        accept_proposal(
            proposal, [decision(1, Status.ACCEPTED), decision(2, Status.ACCEPTED)], by="", at=AT
        )


def test_a_proposal_naming_itself_cannot_be_accepted_into_a_cycle() -> None:
    # Decision.propose refuses this; a record built by hand (an import) must not slip past.
    proposal = decision(3, Status.PROPOSED, supersedes=(3,))
    before = states(proposal)
    with pytest.raises(InvalidSupersession):
        accept_proposal(proposal, [proposal], by="dee", at=AT)
    assert states(proposal) == before


# -- explicit supersession -------------------------------------------------------------


def test_explicit_supersession_is_many_to_many_and_recorded_on_both_sides() -> None:
    old = decision(1, Status.ACCEPTED)
    x, y = decision(2, Status.ACCEPTED), decision(5, Status.ACCEPTED, log="payments")
    supersede(old, [x, y, x], by="dee", at=AT)
    assert old.status is Status.SUPERSEDED
    assert old.superseded_by == {x.ref, y.ref}
    for new in (x, y):
        assert new.status is Status.ACCEPTED
        assert new.supersedes == {old.ref}
        assert [e.name for e in new.events] == ["decision.linked"]


@pytest.mark.parametrize("status", OTHER_STATUSES)
def test_only_an_accepted_decision_can_supersede(status: Status) -> None:
    old, good, bad = decision(1, Status.ACCEPTED), decision(2, Status.ACCEPTED), decision(3, status)
    before = states(old, good, bad)
    with pytest.raises(InvalidSupersession, match="only an accepted decision"):
        supersede(old, [good, bad], by="dee", at=AT)
    assert states(old, good, bad) == before


@pytest.mark.parametrize("status", OTHER_STATUSES)
def test_only_an_accepted_decision_can_be_superseded(status: Status) -> None:
    old, new = decision(1, status), decision(2, Status.ACCEPTED)
    before = states(old, new)
    with pytest.raises(InvalidTransition):
        supersede(old, [new], by="dee", at=AT)
    assert states(old, new) == before


@pytest.mark.parametrize("status", list(Status))
def test_the_supersedable_rule_is_the_lifecycles_one_transition_into_superseded(
    status: Status,
) -> None:
    named = decision(1, status)
    before = states(named)
    if status is not Status.ACCEPTED:
        with pytest.raises(
            InvalidSupersession,
            match=rf"^platform/1 is {status.value}; a proposal can only name accepted decisions",
        ):
            named.ensure_supersedable()
        with pytest.raises(
            InvalidSupersession,
            match=rf"^platform/3 names platform/1 as superseded, but platform/1 is "
            rf"{status.value}; only accepted decisions can be superseded\. Remove",
        ):
            named.ensure_supersedable(by_accepting=ref(3))
    else:
        named.ensure_supersedable()
        named.ensure_supersedable(by_accepting=ref(3))
    assert states(named) == before
    assert (status is Status.ACCEPTED) == (Status.SUPERSEDED in status.allowed_next)


def test_a_decision_cannot_supersede_itself() -> None:
    old, other = decision(1, Status.ACCEPTED), decision(2, Status.ACCEPTED)
    before = states(old, other)
    with pytest.raises(InvalidSupersession, match="itself"):
        supersede(old, [other, old], by="dee", at=AT)
    assert states(old, other) == before


def test_superseding_needs_at_least_one_successor() -> None:
    old = decision(1, Status.ACCEPTED)
    before = states(old)
    with pytest.raises(InvalidSupersession, match="at least one"):
        supersede(old, [], by="dee", at=AT)
    assert states(old) == before


# -- current ---------------------------------------------------------------------------


@st.composite
def dags(draw: st.DrawFn) -> dict[DecisionRef, set[DecisionRef]]:
    """Random supersession graphs: edges only run from lower to higher numbers."""
    n = draw(st.integers(1, 12))
    graph: dict[DecisionRef, set[DecisionRef]] = {}
    for i in range(1, n + 1):
        later = list(range(i + 1, n + 1))
        picked = draw(st.sets(st.sampled_from(later), max_size=3)) if later else set()
        graph[ref(i)] = {ref(j) for j in picked}
    return graph


def naive_ends(start: DecisionRef, graph: dict[DecisionRef, set[DecisionRef]]) -> set:
    """Every path from `start`, followed to its end."""
    if not graph[start]:
        return {start}
    return set().union(*(naive_ends(nxt, graph) for nxt in graph[start]))


@given(dags(), st.data())
def test_current_is_the_set_of_ends_of_every_supersession_path(
    graph: dict[DecisionRef, set[DecisionRef]], data: st.DataObject
) -> None:
    start = data.draw(st.sampled_from(sorted(graph)))
    ends = current(start, lambda r: graph[r])
    assert ends == sorted(naive_ends(start, graph))
    assert all(not graph[end] for end in ends), "current ones are not superseded"


def test_a_decision_that_is_not_superseded_is_its_own_current_one() -> None:
    assert current(ref(4), lambda r: ()) == [ref(4)]


def test_current_terminates_even_on_a_cycle_it_should_never_meet() -> None:
    cycle = {ref(1): {ref(2)}, ref(2): {ref(1), ref(3)}, ref(3): set()}
    assert current(ref(1), lambda r: cycle[r]) == [ref(3)]


# -- the rules of a supersession graph given whole (an import's) ---------------------


def test_a_superseded_decision_that_names_no_successor_is_a_problem() -> None:
    problems = graph_problems({ref(1): Status.SUPERSEDED}, {})

    assert problems == {
        ref(1): "platform/1 is superseded but names no successor: say by what, e.g. "
        "'superseded by ADR-0012'"
    }


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.SUPERSEDED])
def test_a_decision_that_names_successors_must_be_superseded(status: Status) -> None:
    problems = graph_problems(
        {ref(1): status, ref(2): Status.ACCEPTED, ref(3): Status.ACCEPTED},
        {ref(1): {ref(3), ref(2)}},
    )

    assert problems == {
        ref(1): f"platform/1 names successors (platform/2, platform/3) but its status is "
        f"{status.value}, not superseded"
    }


def test_a_consistent_graph_has_no_problems_whatever_the_successors_status() -> None:
    statuses = {
        ref(1): Status.SUPERSEDED,
        ref(2): Status.SUPERSEDED,
        ref(3): Status.ACCEPTED,
        ref(4): Status.PROPOSED,
    }
    successors = {ref(1): {ref(2), ref(3)}, ref(2): {ref(3)}, ref(3): set()}

    assert graph_problems(statuses, successors) == {}


def test_every_decision_on_a_supersession_cycle_is_a_problem_naming_the_cycle() -> None:
    statuses = {r: Status.SUPERSEDED for r in (ref(1), ref(2), ref(3))} | {ref(4): Status.ACCEPTED}
    successors = {ref(1): {ref(2)}, ref(2): {ref(3)}, ref(3): {ref(1)}, ref(4): set()}

    cycle = "supersession would form a cycle: platform/1 -> platform/2 -> platform/3 -> platform/1"
    assert graph_problems(statuses, successors) == {ref(1): cycle, ref(2): cycle, ref(3): cycle}


def test_a_decisions_own_problem_is_reported_before_the_cycle_it_is_on() -> None:
    statuses = {ref(1): Status.ACCEPTED, ref(2): Status.SUPERSEDED}
    successors = {ref(1): {ref(2)}, ref(2): {ref(1)}}

    problems = graph_problems(statuses, successors)

    assert problems[ref(1)].startswith("platform/1 names successors (platform/2)")
    assert problems[ref(2)] == (
        "supersession would form a cycle: platform/1 -> platform/2 -> platform/1"
    )


def test_the_cycle_search_finds_nothing_in_a_chain_or_a_diamond() -> None:
    diamond = {ref(1): {ref(2), ref(3)}, ref(2): {ref(4)}, ref(3): {ref(4)}, ref(4): set()}

    assert _cycles(diamond) == []
    assert _cycles({ref(1): {ref(2)}, ref(2): {ref(3)}}) == []


def test_the_cycle_search_finds_a_self_loop_and_each_of_two_separate_cycles() -> None:
    graph = {
        ref(1): {ref(1)},
        ref(2): {ref(3)},
        ref(3): {ref(2)},
        ref(4): {ref(5)},
        ref(5): {ref(6)},
        ref(6): {ref(4)},
    }

    assert _cycles(graph) == [[ref(1)], [ref(2), ref(3)], [ref(4), ref(5), ref(6)]]


@st.composite
def graphs(draw: st.DrawFn) -> dict[DecisionRef, set[DecisionRef]]:
    """Any directed graph on a few decisions, cycles allowed."""
    n = draw(st.integers(1, 7))
    nodes = [ref(i) for i in range(1, n + 1)]
    return {node: draw(st.sets(st.sampled_from(nodes), max_size=3)) for node in nodes}


def has_cycle(graph: dict[DecisionRef, set[DecisionRef]]) -> bool:
    """Naively: some node reaches itself."""

    def reachable(start: DecisionRef) -> set[DecisionRef]:
        seen: set[DecisionRef] = set()
        todo = list(graph.get(start, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return seen

    return any(node in reachable(node) for node in graph)


@settings(max_examples=200)
@given(graphs())
def test_the_cycle_search_finds_a_cycle_exactly_when_there_is_one_and_each_is_real(
    graph: dict[DecisionRef, set[DecisionRef]],
) -> None:
    cycles = _cycles(graph)

    assert bool(cycles) == has_cycle(graph)
    for cycle in cycles:
        assert len(set(cycle)) == len(cycle), "a cycle passes each decision once"
        for node, following in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
            assert following in graph[node]


@settings(max_examples=200)
@given(graphs())
def test_graph_problems_report_a_cycle_on_every_decision_of_one(
    graph: dict[DecisionRef, set[DecisionRef]],
) -> None:
    statuses = {r: Status.SUPERSEDED if graph[r] else Status.ACCEPTED for r in graph}

    problems = graph_problems(statuses, graph)

    on_cycles = {r for cycle in _cycles(graph) for r in cycle}
    assert set(problems) == on_cycles
    assert all("would form a cycle" in problems[r] for r in on_cycles)
