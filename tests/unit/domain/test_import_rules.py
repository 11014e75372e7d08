"""What an import may do to a decision: create it as the file says, or take a re-read
file within the lifecycle (or whatever the file says, for the log's source of truth)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from domain.content import Content, Outcome
from domain.decision import Decision, DecisionState
from domain.errors import DecisionFrozen, DomainError, InvalidLink, InvalidTransition
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug

PLATFORM = LogSlug("platform")
REF = DecisionRef(PLATFORM, DecisionNumber(7))
TWO = DecisionRef(PLATFORM, DecisionNumber(2))
NINE = DecisionRef(PLATFORM, DecisionNumber(9))
ELSEWHERE = DecisionRef(LogSlug("payments"), DecisionNumber(1))
AT = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
DAY = dt.date(2025, 12, 1)

# PRODUCT.md, "Lifecycle", written out independently of domain.lifecycle.
LIFECYCLE: dict[Status, set[Status]] = {
    Status.PROPOSED: {Status.ACCEPTED, Status.REJECTED},
    Status.REJECTED: {Status.PROPOSED},
    Status.ACCEPTED: {Status.DEPRECATED, Status.SUPERSEDED},
    Status.DEPRECATED: set(),
    Status.SUPERSEDED: set(),
}


def file_state(status: Status = Status.ACCEPTED, **fields: object) -> DecisionState:
    values: dict[str, object] = {
        "ref": REF,
        "title": "Use Kafka",
        "status": status,
        "date": DAY,
        "decision_makers": ("Ann",),
        "consulted": ("Bo",),
        "informed": (),
        "tags": frozenset({"queue"}),
        "content": Content(context="We need a queue.", outcome=Outcome("Kafka", "it scales")),
        "links": frozenset({Link(LinkKind.RELATES_TO, TWO)}),
        "review_by": None,
    }
    return DecisionState(**{**values, **fields})  # type: ignore[arg-type]


def stored(status: Status = Status.ACCEPTED, **fields: object) -> Decision:
    return Decision(**file_state(status, **fields).fields(), version=3)


def recorded(d: Decision) -> tuple[object, ...]:
    return (d.snapshot(), d.version, list(d.events))


# -- snapshot and creation ------------------------------------------------------------


def test_a_snapshot_holds_every_recorded_field_as_its_value() -> None:
    d = stored(review_by=dt.date(2027, 1, 1))

    assert d.snapshot() == DecisionState(
        ref=REF,
        title="Use Kafka",
        status=Status.ACCEPTED,
        date=DAY,
        decision_makers=("Ann",),
        consulted=("Bo",),
        informed=(),
        tags=frozenset({"queue"}),
        content=Content(context="We need a queue.", outcome=Outcome("Kafka", "it scales")),
        links=frozenset({Link(LinkKind.RELATES_TO, TWO)}),
        review_by=dt.date(2027, 1, 1),
    )
    assert d.snapshot().fields()["title"] == "Use Kafka"


def test_a_snapshot_changes_with_the_record() -> None:
    d = stored(Status.PROPOSED)
    before = d.snapshot()

    d.accept(by="dee", at=AT)

    assert (before.status, d.snapshot().status) == (Status.PROPOSED, Status.ACCEPTED)
    assert d.snapshot().date == AT.date()


@pytest.mark.parametrize("status", list(Status))
def test_an_imported_decision_is_what_the_file_says_at_version_one_with_its_event(
    status: Status,
) -> None:
    state = file_state(status, date=dt.date(2019, 4, 2))

    d = Decision.imported(state, by="ann", at=AT, source="0007-use-kafka.md")

    assert d.snapshot() == state, "the status and date are the file's, not today's"
    assert d.version == 1
    assert [(e.name, e.version, e.actor, e.at) for e in d.events] == [
        ("decision.imported", 1, "ann", AT)
    ]
    assert d.events[0].details() == {"status": status.value, "source": "0007-use-kafka.md"}


# -- re-import: nothing changed ---------------------------------------------------------

CHANGES: dict[str, object] = {
    "title": "Use Kafka 3",
    "status": Status.DEPRECATED,
    "date": dt.date(2026, 2, 1),
    "decision_makers": ("Ann", "Dee"),
    "consulted": (),
    "informed": ("Everyone",),
    "tags": frozenset({"queue", "kafka"}),
    "content": Content(context="We need a faster queue."),
    "links": frozenset({Link(LinkKind.RELATES_TO, NINE)}),
    "review_by": dt.date(2027, 1, 1),
}


def test_reimporting_what_the_record_says_returns_false_and_records_nothing() -> None:
    d = stored()
    before = recorded(d)

    assert not d.reimport(file_state(), by="ann", at=AT, source="0007-use-kafka.md")
    assert recorded(d) == before


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_reimporting_a_change_to_any_one_field_returns_true_and_records_one_event(
    field: str,
) -> None:
    d = stored(Status.PROPOSED) if field != "status" else stored()
    state = dataclasses.replace(d.snapshot(), **{field: CHANGES[field]})

    assert d.reimport(state, by="ann", at=AT, source="0007-use-kafka.md", authoritative=True)
    assert d.snapshot() == state
    assert getattr(d, field) == CHANGES[field]
    assert d.version == 4
    assert [(e.name, e.details()["status"]) for e in d.events] == [  # type: ignore[index]
        ("decision.imported", state.status.value)
    ]


# -- re-import within the lifecycle -----------------------------------------------------


def test_an_import_cannot_rewrite_an_accepted_decision_as_rejected() -> None:
    """Issue 8, finding 7: a file with 'status: rejected' over an accepted decision."""
    d = stored(Status.ACCEPTED)
    before = recorded(d)
    rewritten = file_state(Status.REJECTED, title="Use RabbitMQ", content=Content("Other."))

    with pytest.raises(InvalidTransition, match="accepted; it cannot become rejected"):
        d.reimport(rewritten, by="admin", at=AT, source="0007-use-rabbitmq.md")
    assert recorded(d) == before


def test_a_decided_records_content_is_frozen_and_the_refusal_names_what_the_file_changes() -> None:
    d = stored(Status.ACCEPTED)
    before = recorded(d)
    changed = file_state(title="Use Kafka 3", content=Content("Faster."), date=dt.date(2026, 1, 1))

    with pytest.raises(DecisionFrozen, match=r"this changes its title, content, date"):
        d.reimport(changed, by="admin", at=AT, source="0007-use-kafka.md")
    assert recorded(d) == before


def test_a_proposal_may_be_edited_and_accepted_by_one_import() -> None:
    d = stored(Status.PROPOSED)
    state = file_state(Status.ACCEPTED, title="Use Kafka 3", date=dt.date(2026, 1, 2))

    assert d.reimport(state, by="admin", at=AT, source="0007-use-kafka-3.md")
    assert (d.status, d.title, d.date) == (Status.ACCEPTED, "Use Kafka 3", dt.date(2026, 1, 2))


def test_a_rejected_decision_may_be_reopened_and_edited_by_one_import() -> None:
    d = stored(Status.REJECTED)
    state = file_state(Status.PROPOSED, content=Content("Reconsidered."))

    assert d.reimport(state, by="admin", at=AT, source="0007-use-kafka.md")
    assert (d.status, d.content) == (Status.PROPOSED, Content("Reconsidered."))


def test_an_accepted_decision_becomes_superseded_when_its_file_names_a_successor() -> None:
    d = stored(Status.ACCEPTED)
    links = d.links | {Link(LinkKind.SUPERSEDED_BY, NINE)}
    state = file_state(Status.SUPERSEDED, links=links, date=dt.date(2026, 1, 3))

    assert d.reimport(state, by="admin", at=AT, source="0007-use-kafka.md")
    assert d.superseded_by == {NINE}


def test_a_superseded_decision_cannot_change_its_successor_unless_the_source_is_authoritative() -> (
    None
):
    old = Link(LinkKind.SUPERSEDED_BY, NINE)
    d = stored(Status.SUPERSEDED, links={old})
    renamed = file_state(Status.SUPERSEDED, links={Link(LinkKind.SUPERSEDED_BY, TWO)})
    before = recorded(d)

    with pytest.raises(InvalidLink, match="cannot gain its 'superseded-by' link to platform/2"):
        d.reimport(renamed, by="admin", at=AT, source="0007-use-kafka.md")
    assert recorded(d) == before

    assert d.reimport(renamed, by="git", at=AT, source="0007-use-kafka.md", authoritative=True)
    assert d.superseded_by == {TWO}


# The rule, written out as a reference model: which re-imports ordinary writes allow.
GAINABLE = {LinkKind.RELATES_TO, LinkKind.SUPERSEDES, LinkKind.AMENDED_BY}
LOSABLE = {LinkKind.RELATES_TO, LinkKind.AMENDED_BY}
CONTENT = ("title", "content", "decision_makers", "consulted", "informed")
LINKS = [Link(kind, target) for kind in LinkKind for target in (TWO, ELSEWHERE)]


def allowed(old: DecisionState, new: DecisionState) -> bool:
    moves = new.status is not old.status
    if moves and new.status not in LIFECYCLE[old.status]:
        return False
    if Status.PROPOSED in (old.status, new.status):
        return True
    if any(getattr(old, f) != getattr(new, f) for f in CONTENT):
        return False
    if not moves and old.date != new.date:
        return False
    superseding = moves and new.status is Status.SUPERSEDED
    gainable = GAINABLE | ({LinkKind.SUPERSEDED_BY} if superseding else set())
    return all(link.kind in gainable for link in new.links - old.links) and all(
        link.kind in LOSABLE for link in old.links - new.links
    )


@settings(max_examples=300)
@given(
    st.sampled_from(list(Status)),
    st.sampled_from(list(Status)),
    st.sets(st.sampled_from(sorted(set(CHANGES) - {"status", "links"}))),
    st.sets(st.sampled_from(LINKS), max_size=3),
    st.sets(st.sampled_from(LINKS), max_size=3),
)
def test_a_reimport_takes_exactly_what_ordinary_writes_could_reach_and_changes_nothing_else(
    current: Status,
    target: Status,
    changed: set[str],
    old_links: set[Link],
    new_links: set[Link],
) -> None:
    d = stored(current, links=frozenset(old_links))
    state = dataclasses.replace(
        d.snapshot(),
        status=target,
        links=frozenset(new_links),
        **{field: CHANGES[field] for field in changed},
    )
    before = recorded(d)

    if not allowed(before[0], state):  # type: ignore[arg-type]
        with pytest.raises(DomainError):
            d.reimport(state, by="admin", at=AT, source="0007-use-kafka.md")
        assert recorded(d) == before
        return
    assert d.reimport(state, by="admin", at=AT, source="0007-use-kafka.md") == (state != before[0])
    assert d.snapshot() == state


@given(st.sampled_from(list(Status)), st.sampled_from(list(Status)))
def test_the_source_of_truth_takes_any_file(current: Status, target: Status) -> None:
    d = stored(current)
    state = file_state(target, title="Rewritten", links=frozenset())

    assert d.reimport(state, by="git", at=AT, source="0007-x.md", authoritative=True)
    assert d.snapshot() == state


def test_the_source_of_truth_may_undo_a_decided_records_supersession() -> None:
    link = Link(LinkKind.SUPERSEDES, TWO)
    d = stored(Status.ACCEPTED, links={link})
    with pytest.raises(InvalidLink):
        d.drop_inverse(link, by="admin", at=AT)

    assert d.drop_inverse(link, by="git", at=AT, authoritative=True)
    assert d.links == frozenset()
