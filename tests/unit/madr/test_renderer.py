"""The shape of a rendered MADR 4 file, and the escapes that let it read back."""

from __future__ import annotations

import datetime as dt

from adapters.madr.renderer import render_madr
from domain.content import Arguments, Content, ExtraSection, Option, Outcome
from domain.decision import Decision
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug
from tests.unit.madr.reading import LOG, assert_reads_back


def decision(number: int = 12, title: str = "Use a Queue", **fields: object) -> Decision:
    return Decision(
        ref=DecisionRef(LOG, DecisionNumber(number)),
        title=title,
        status=Status.ACCEPTED,
        date=dt.date(2025, 1, 2),
        **fields,  # type: ignore[arg-type]
    )


FULL = decision(
    decision_makers=["Ann", "Bob"],
    consulted=["Carol"],
    tags=["queue", "infra"],
    review_by=dt.date(2026, 1, 2),
    links=[
        Link(LinkKind.SUPERSEDES, DecisionRef(LOG, DecisionNumber(3))),
        Link(LinkKind.RELATES_TO, DecisionRef(LogSlug("payments"), DecisionNumber(7))),
    ],
    content=Content(
        context="Work piles up.",
        drivers=("Throughput", "Cost"),
        options=(
            Option("RabbitMQ", "A broker.", Arguments(good=("it is proven",), bad=("ops",))),
            Option("Kafka"),
        ),
        outcome=Outcome("RabbitMQ", "it fits."),
        consequences=Arguments(good=("less load",), neutral=("new skills",), bad=("one more",)),
        confirmation="Load tests.",
        more_information="See the runbook.",
        extra_sections=(
            ExtraSection("", "Technical Story: #42", 0, "Title"),
            ExtraSection("Costs", "Low.", 2, "Decision Outcome"),
        ),
        extra_metadata=(("parent", "Decisions"), ("nav_order", 12)),
    ),
)


def test_a_decision_renders_as_canonical_madr_4() -> None:
    assert render_madr(FULL) == (
        "---\n"
        "status: accepted\n"
        "date: 2025-01-02\n"
        "decision-makers: [Ann, Bob]\n"
        "consulted: [Carol]\n"
        "informed: []\n"
        "tags: [infra, queue]\n"
        "review-by: 2026-01-02\n"
        "supersedes: [ADR-0003]\n"
        "relates-to: [payments/7]\n"
        "parent: Decisions\n"
        "nav_order: 12\n"
        "---\n\n"
        "# Use a Queue\n\n"
        "Technical Story: #42\n\n"
        "## Context and Problem Statement\n\nWork piles up.\n\n"
        "## Decision Drivers\n\n* Throughput\n* Cost\n\n"
        "## Considered Options\n\n* RabbitMQ\n* Kafka\n\n"
        '## Decision Outcome\n\nChosen option: "RabbitMQ", because it fits.\n\n'
        "## Costs\n\nLow.\n\n"
        "### Consequences\n\n"
        "* Good, because less load\n* Neutral, because new skills\n* Bad, because one more\n\n"
        "### Confirmation\n\nLoad tests.\n\n"
        "## Pros and Cons of the Options\n\n"
        "### RabbitMQ\n\nA broker.\n\n* Good, because it is proven\n* Bad, because ops\n\n"
        "## More Information\n\nSee the runbook.\n"
    )
    assert_reads_back(FULL)


def test_empty_parts_are_left_out() -> None:
    assert render_madr(decision()) == (
        "---\nstatus: accepted\ndate: 2025-01-02\ndecision-makers: []\nconsulted: []\n"
        "informed: []\n---\n\n# Use a Queue\n"
    )


def test_a_title_that_starts_with_its_own_number_keeps_it() -> None:
    numbered = decision(7, "7. Seven Seas")

    assert "\n# 7. 7. Seven Seas\n" in render_madr(numbered)
    assert_reads_back(numbered)


def test_headings_ending_in_a_hash_keep_it() -> None:
    sharp = decision(title="Use C#", content=Content(options=(Option("F #", "Functional."),)))

    assert "\n# Use C# #\n" in render_madr(sharp)
    assert "\n### F # #\n" in render_madr(sharp)
    assert_reads_back(sharp)


def test_a_justification_that_starts_a_block_goes_below_the_chosen_option() -> None:
    listed = decision(content=Content(outcome=Outcome("A", "* fast\n* cheap")))

    assert 'Chosen option: "A", because\n\n* fast\n* cheap\n' in render_madr(listed)
    assert_reads_back(listed)


def test_an_outcome_without_a_choice_that_looks_like_one_is_marked_as_unchosen() -> None:
    tricky = decision(content=Content(outcome=Outcome("", 'Chosen option: "B", because no')))

    assert 'Chosen option: "", because\n\nChosen option: "B"' in render_madr(tricky)
    assert_reads_back(tricky)


def test_multi_line_bullets_are_indented_under_their_marker() -> None:
    multi = decision(content=Content(drivers=("first line\nsecond line",)))

    assert "* first line\n  second line\n" in render_madr(multi)
    assert_reads_back(multi)


def test_front_matter_keys_that_name_fields_are_not_written_twice() -> None:
    clash = decision(content=Content(extra_metadata=(("Status", "draft"), ("owner", "web"))))

    text = render_madr(clash)

    assert "Status: draft" not in text
    assert "owner: web" in text
