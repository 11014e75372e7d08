"""The Decision aggregate: its lifecycle, frozen content, links and events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import hypothesis.strategies as st
import pytest
from hypothesis import given

from domain.content import Content
from domain.decision import Changes, Decision
from domain.errors import (
    DecisionFrozen,
    DomainError,
    InvalidLink,
    InvalidTransition,
    InvalidValue,
)
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug

PLATFORM = LogSlug("platform")
REF = DecisionRef(PLATFORM, DecisionNumber(7))
OTHER = DecisionRef(PLATFORM, DecisionNumber(8))
THIRD = DecisionRef(LogSlug("payments"), DecisionNumber(1))
START = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)

# PRODUCT.md, "Lifecycle", written out independently of domain.lifecycle.
LIFECYCLE: dict[Status, set[Status]] = {
    Status.PROPOSED: {Status.ACCEPTED, Status.REJECTED},
    Status.REJECTED: {Status.PROPOSED},
    Status.ACCEPTED: {Status.DEPRECATED, Status.SUPERSEDED},
    Status.DEPRECATED: set(),
    Status.SUPERSEDED: set(),
}

Step = Callable[[Decision, dt.datetime], None]
# name: (the call, the status it moves to, the event it records)
STEPS: dict[str, tuple[Step, Status, str]] = {
    "accept": (lambda d, at: d.accept(by="dee", at=at), Status.ACCEPTED, "decision.accepted"),
    "reject": (lambda d, at: d.reject(by="dee", at=at), Status.REJECTED, "decision.rejected"),
    "reopen": (lambda d, at: d.reopen(by="dee", at=at), Status.PROPOSED, "decision.reopened"),
    "deprecate": (
        lambda d, at: d.deprecate(by="dee", at=at),
        Status.DEPRECATED,
        "decision.deprecated",
    ),
    "mark_superseded": (
        lambda d, at: d.mark_superseded([OTHER], by="dee", at=at),
        Status.SUPERSEDED,
        "decision.superseded",
    ),
}

statuses = st.sampled_from(list(Status))
moments = st.integers(0, 10_000).map(lambda hours: START + dt.timedelta(hours=hours))


def decision(status: Status = Status.PROPOSED, **fields: object) -> Decision:
    defaults: dict[str, object] = {
        "title": "Use Kafka",
        "date": dt.date(2025, 12, 1),
        "version": 3,
        "decision_makers": ("Ann",),
        "content": Content(context="We need a queue."),
    }
    return Decision(ref=REF, status=status, **{**defaults, **fields})  # type: ignore[arg-type]


def state(d: Decision) -> tuple[object, ...]:
    return (d.snapshot(), d.version, list(d.events))


def changes_nothing(d: Decision, step: Callable[[], object], error: type[DomainError]) -> None:
    before = state(d)
    with pytest.raises(error):
        step()
    assert state(d) == before


# -- the transition table --------------------------------------------------------


@given(statuses, statuses)
def test_a_status_may_become_exactly_what_the_lifecycle_allows(
    current: Status, target: Status
) -> None:
    d = decision(current)
    if target in LIFECYCLE[current]:
        d.ensure_can_become(target)
    else:
        changes_nothing(d, lambda: d.ensure_can_become(target), InvalidTransition)


def test_deprecated_and_superseded_are_final_and_only_a_proposal_is_undecided() -> None:
    assert {s for s in Status if s.is_final} == {Status.DEPRECATED, Status.SUPERSEDED}
    assert {s for s in Status if not s.is_decided} == {Status.PROPOSED}


@given(statuses, st.sampled_from(sorted(STEPS)), moments)
def test_a_lifecycle_step_bumps_the_version_and_records_one_event_or_changes_nothing(
    current: Status, name: str, at: dt.datetime
) -> None:
    step, target, event = STEPS[name]
    d = decision(current)
    if target not in LIFECYCLE[current]:
        changes_nothing(d, lambda: step(d, at), InvalidTransition)
        return
    step(d, at)
    assert d.status is target
    assert d.version == 4
    assert [(e.name, e.version, e.actor, e.at, e.ref) for e in d.events] == [
        (event, 4, "dee", at, REF)
    ]
    assert d.date == at.date(), "date is the day of the last status change"


@given(statuses, moments)
def test_only_a_proposal_can_be_withdrawn(current: Status, at: dt.datetime) -> None:
    d = decision(current)
    if current is not Status.PROPOSED:
        changes_nothing(d, lambda: d.withdraw(by="ann", at=at), InvalidTransition)
        return
    d.withdraw(by="ann", at=at)
    assert [(e.name, e.version) for e in d.events] == [("decision.withdrawn", 4)]


def test_the_refusal_says_what_is_allowed_next() -> None:
    with pytest.raises(InvalidTransition, match="it is final"):
        decision(Status.DEPRECATED).reopen(by="dee", at=START)
    with pytest.raises(InvalidTransition, match="Allowed next statuses: proposed"):
        decision(Status.REJECTED).accept(by="dee", at=START)


@given(st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.integers(1, 50)), max_size=12))
def test_the_date_is_the_day_of_the_last_status_change(walk: list[tuple[str, int]]) -> None:
    d = decision(Status.PROPOSED)
    at, last_change, version = START, d.date, d.version
    for i, (name, hours) in enumerate(walk):
        at += dt.timedelta(hours=hours)
        step, target, _ = STEPS[name]
        if target in LIFECYCLE[d.status]:
            step(d, at)
            last_change, version = at.date(), version + 1
        else:
            with pytest.raises(InvalidTransition):
                step(d, at)
        d.edit(Changes(tags=[f"t{i}"]), by="ann", at=at + dt.timedelta(days=3))
        version += 1
        assert d.date == last_change
        assert d.version == version == 3 + len(d.events)


def test_a_proposal_starts_at_version_one_with_its_proposed_event() -> None:
    d = Decision.propose(ref=REF, title=" Use Kafka ", by="ann", at=START, supersedes=[OTHER])
    assert (d.status, d.version, d.date, d.title) == (
        Status.PROPOSED,
        1,
        START.date(),
        "Use Kafka",
    )
    assert [e.name for e in d.events] == ["decision.proposed"]
    assert d.supersedes == {OTHER}


def test_a_proposal_cannot_name_itself_as_superseded() -> None:
    with pytest.raises(InvalidLink):
        Decision.propose(ref=REF, title="Use Kafka", by="ann", at=START, supersedes=[REF])


# -- editing ----------------------------------------------------------------------

TITLES = ["Use Kafka", "  Use Kafka ", "Use Redis"]
PEOPLE = [(), ("Ann",), (" Ann ", "Ann"), ("Dee", "Ann")]
CONTENTS = [Content(context="We need a queue."), Content(), Content(context="Other.")]
TAGS = [(), ("kafka",), ("Kafka", "queue")]
DAYS = [None, dt.date(2026, 6, 1)]


def maybe(values: list[object]) -> st.SearchStrategy[object]:
    return st.none() | st.sampled_from(values)


changes = st.builds(
    Changes,
    title=maybe(TITLES),  # type: ignore[arg-type]
    content=maybe(CONTENTS),  # type: ignore[arg-type]
    decision_makers=maybe(PEOPLE),  # type: ignore[arg-type]
    consulted=maybe(PEOPLE),  # type: ignore[arg-type]
    informed=st.none(),
    tags=maybe(TAGS),  # type: ignore[arg-type]
    review_by=maybe(DAYS),  # type: ignore[arg-type]
    clear_review_by=st.booleans(),
).filter(lambda c: not (c.clear_review_by and c.review_by is not None))


def normalised(field: str, value: object) -> object:
    """What the record holds after an edit sets `field` to `value` (the reference)."""
    if field == "title":
        return str(value).strip()
    if field == "tags":
        return frozenset(str(t).lower() for t in value)  # type: ignore[attr-defined]
    if field in ("decision_makers", "consulted"):
        return tuple(dict.fromkeys(str(n).strip() for n in value))  # type: ignore[attr-defined]
    return value


@given(statuses, changes, st.sampled_from(DAYS))
def test_content_changes_only_while_proposed_and_a_no_op_edit_records_nothing(
    current: Status, edit: Changes, review_by: dt.date | None
) -> None:
    d = decision(current, review_by=review_by, tags=("kafka",))
    wanted = {
        field: normalised(field, getattr(edit, field))
        for field in ("title", "content", "decision_makers", "consulted", "tags")
        if getattr(edit, field) is not None
    }
    if edit.clear_review_by or edit.review_by is not None:
        wanted["review_by"] = None if edit.clear_review_by else edit.review_by
    changed = {field for field, value in wanted.items() if getattr(d, field) != value}
    frozen = changed - {"tags", "review_by"}

    if frozen and current is not Status.PROPOSED:
        changes_nothing(d, lambda: d.edit(edit, by="ann", at=START), DecisionFrozen)
        return
    before = state(d)
    d.edit(edit, by="ann", at=START)
    if not changed:
        assert state(d) == before, "an edit that changes nothing records nothing"
        return
    assert d.version == 4
    assert [(e.name, set(e.changed)) for e in d.events] == [("decision.edited", changed)]  # type: ignore[attr-defined]
    for field in changed:
        assert getattr(d, field) == wanted[field]
    assert d.status is current
    assert d.date == dt.date(2025, 12, 1), "an edit is not a status change"


@pytest.mark.parametrize("status", [s for s in Status if s.is_decided])
def test_tags_and_review_by_stay_editable_on_a_decided_record(status: Status) -> None:
    d = decision(status)
    d.edit(Changes(tags=["Queue"], review_by=dt.date(2027, 1, 1)), by="ann", at=START)
    assert (d.tags, d.review_by, d.version) == ({"queue"}, dt.date(2027, 1, 1), 4)


def test_an_invalid_edit_changes_nothing_even_on_a_proposal() -> None:
    d = decision(Status.PROPOSED)
    changes_nothing(
        d,
        lambda: d.edit(Changes(title="Use Redis", tags=["a,b"]), by="ann", at=START),
        DomainError,
    )


# -- links ------------------------------------------------------------------------

kinds = st.sampled_from(list(LinkKind))
targets = st.sampled_from([OTHER, THIRD, REF])


@given(statuses, kinds, targets)
def test_a_link_is_added_from_its_own_side_only_where_the_rules_allow(
    current: Status, kind: LinkKind, target: DecisionRef
) -> None:
    d = decision(current)
    link = Link(kind, target)
    allowed = (
        target != REF
        and kind not in (LinkKind.SUPERSEDED_BY, LinkKind.AMENDED_BY)
        and (kind is LinkKind.RELATES_TO or current is Status.PROPOSED)
    )
    if not allowed:
        changes_nothing(d, lambda: d.link(link, by="ann", at=START), InvalidLink)
        return
    assert d.link(link, by="ann", at=START)
    assert link in d.links
    assert [(e.name, e.version) for e in d.events] == [("decision.linked", 4)]
    assert not d.link(link, by="ann", at=START), "the same link twice is no change"
    assert d.version == 4


@given(statuses, kinds, st.sampled_from([OTHER, THIRD]))
def test_a_link_is_removed_from_its_own_side_only_where_the_rules_allow(
    current: Status, kind: LinkKind, target: DecisionRef
) -> None:
    link = Link(kind, target)
    d = decision(current, links=[link])
    allowed = kind not in (LinkKind.SUPERSEDED_BY, LinkKind.AMENDED_BY) and (
        kind is LinkKind.RELATES_TO or current is Status.PROPOSED
    )
    if not allowed:
        changes_nothing(d, lambda: d.unlink(link, by="ann", at=START), InvalidLink)
        return
    assert d.unlink(link, by="ann", at=START)
    assert link not in d.links
    assert [e.name for e in d.events] == ["decision.unlinked"]
    assert not d.unlink(link, by="ann", at=START), "removing what is not there is no change"
    assert d.version == 4


@given(statuses, kinds)
def test_an_inverse_is_received_in_any_status_but_supersession_is_never_dropped_once_decided(
    current: Status, kind: LinkKind
) -> None:
    d = decision(current)
    link = Link(kind, OTHER)
    assert d.receive_inverse(link, by="ann", at=START)
    assert not d.receive_inverse(link, by="ann", at=START)
    if current.is_decided and kind in (LinkKind.SUPERSEDES, LinkKind.SUPERSEDED_BY):
        changes_nothing(d, lambda: d.drop_inverse(link, by="ann", at=START), InvalidLink)
        return
    assert d.drop_inverse(link, by="ann", at=START)
    assert d.links == frozenset()
    assert [e.name for e in d.events] == ["decision.linked", "decision.unlinked"]


def test_superseding_records_the_successors_and_the_accepted_event_what_it_supersedes() -> None:
    proposal = decision(Status.PROPOSED, links=[Link(LinkKind.SUPERSEDES, THIRD)])
    proposal.accept(by="dee", at=START)
    assert proposal.events[-1].supersedes == (THIRD,)  # type: ignore[attr-defined]
    old = decision(Status.ACCEPTED)
    old.mark_superseded([OTHER, THIRD, OTHER], by="dee", at=START)
    assert old.superseded_by == {OTHER, THIRD}
    assert old.events[-1].successors == (THIRD, OTHER)  # type: ignore[attr-defined]


def test_an_edit_cannot_both_set_and_clear_review_by() -> None:
    decision = Decision.propose(ref=REF, title="Use X", by="ann", at=START)
    with pytest.raises(InvalidValue, match="not both"):
        decision.edit(Changes(review_by=START.date(), clear_review_by=True), by="ann", at=START)
    assert decision.version == 1
