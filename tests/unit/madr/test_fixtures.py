"""A corpus of tricky files (tests/fixtures/madr) and what each must read as."""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.madr.errors import MadrParseError
from adapters.madr.parser import ParsedDecision
from domain.content import Arguments, ExtraSection, Option, Outcome
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug
from tests.unit.madr.reading import FIXTURES, LOG, TODAY, assert_reads_back, parse, read


def fixture(name: str) -> ParsedDecision:
    return parse(read(FIXTURES / name), name)


def ref(number: int, log: LogSlug = LOG) -> DecisionRef:
    return DecisionRef(log, DecisionNumber(number))


def rules(parsed: ParsedDecision) -> list[str]:
    return [problem.rule for problem in parsed.warnings]


READABLE = sorted(
    path.name
    for path in FIXTURES.glob("*.md")
    if path.name
    not in {"0017-python-object-tag.md", "0018-unknown-status.md", "0019-invalid-date.md"}
)


@pytest.mark.parametrize("name", READABLE)
def test_every_readable_fixture_renders_to_a_file_that_reads_the_same(name: str) -> None:
    assert_reads_back(fixture(name).decision)


def test_madr_2_bullets_under_the_title_give_status_people_date_and_a_supersede_link() -> None:
    parsed = fixture("0002-use-madr-2-bullets.md")
    decision = parsed.decision

    assert decision.ref == ref(2)
    assert decision.status is Status.SUPERSEDED
    assert decision.links == {Link(LinkKind.SUPERSEDED_BY, ref(5))}
    assert decision.decision_makers == ("Oliver Kopp", "Tobias Diez")
    assert decision.date == dt.date(2017, 12, 19)
    content = decision.content
    assert content.drivers == ("Readability", "Maintainability")
    assert content.outcome == Outcome("Plain JUnit5", "it is a standard framework.")
    assert content.consequences == Arguments(
        good=("no extra library", "the team knows it"), bad=("some assertions read awkwardly",)
    )
    assert content.options[0] == Option(
        "Plain JUnit5",
        "Homepage: <https://junit.org/junit5/docs/current/user-guide/>",
        Arguments(
            good=('Junit5 is "common Java knowledge"',),
            bad=("complex assertions tend to get hard to read",),
        ),
    )
    assert content.options[1].arguments.neutral == ("it is one more dependency",)
    assert content.options[2] == Option("AssertJ")
    assert content.extra_sections == (
        ExtraSection(
            "", "Technical Story: [description | ticket/issue URL] <!-- optional -->", 0, "Title"
        ),
        ExtraSection(
            "Links",
            "* Refined by [ADR-0006](0006-use-assertj-soft-assertions.md)",
            2,
            "Pros and Cons of the Options",
        ),
    )
    assert rules(parsed) == []


def test_a_nygard_file_reads_status_links_date_and_sections() -> None:
    parsed = fixture("0003-use-postgresql.md")
    decision = parsed.decision

    assert decision.title == "Use PostgreSQL"
    assert decision.status is Status.SUPERSEDED
    assert decision.links == {Link(LinkKind.SUPERSEDED_BY, ref(5))}
    assert decision.date == dt.date(2018, 3, 4)
    assert decision.content.context == "We need a relational database."
    assert decision.content.outcome == Outcome("", "We will use PostgreSQL 10.")
    # Free-text consequences have no Good/Bad to read: kept as written, with a warning.
    assert decision.content.extra_sections == (
        ExtraSection("Consequences", "Operations must learn PostgreSQL.", 2, "Decision Outcome"),
    )
    assert rules(parsed) == ["unstructured-section"]
    assert parsed.link_lines == {Link(LinkKind.SUPERSEDED_BY, ref(5)): 7}


def test_a_nygard_successor_reads_supersedes_and_amends_and_bulleted_consequences() -> None:
    decision = fixture("0005-use-cockroachdb.md").decision

    assert decision.status is Status.ACCEPTED
    assert decision.links == {
        Link(LinkKind.SUPERSEDES, ref(3)),
        Link(LinkKind.AMENDS, ref(2)),
    }
    assert decision.content.consequences == Arguments(
        good=("writes scale out",), bad=("it costs more",)
    )
    assert decision.content.extra_sections == ()


def test_a_numbered_title_gives_the_number_when_the_file_name_has_none() -> None:
    parsed = fixture("record-architecture-decisions.md")

    assert parsed.decision.ref == ref(1)
    assert parsed.number_source == "title"
    assert parsed.decision.title == "Record architecture decisions"


def test_people_may_be_lists_and_tags_are_normalised() -> None:
    decision = fixture("0010-people-as-lists.md").decision

    assert decision.status is Status.ACCEPTED
    assert decision.decision_makers == ("Ada Lovelace", "Grace Hopper")
    assert decision.consulted == ("Alan Turing",)
    assert decision.informed == ()
    assert decision.tags == {"storage", "event-sourcing"}
    assert decision.review_by == dt.date(2025, 2, 28)


def test_people_and_tags_may_be_comma_separated_text() -> None:
    decision = fixture("0011-people-as-text.md").decision

    assert decision.status is Status.PROPOSED
    assert decision.decision_makers == ("Ada Lovelace", "Grace Hopper")
    assert decision.consulted == ("Alan Turing",)
    assert decision.informed == ()
    assert decision.tags == {"storage", "audit"}


def test_crlf_line_endings_and_a_bom_read_like_plain_lines() -> None:
    raw = read(FIXTURES / "0012-crlf-and-bom.md")
    assert raw.startswith("\ufeff")
    assert "\r\n" in raw

    crlf = parse(raw, "0012-crlf-and-bom.md").decision
    plain = parse(raw.removeprefix("\ufeff").replace("\r\n", "\n"), "0012-crlf-and-bom.md")

    assert crlf.snapshot() == plain.decision.snapshot()
    assert crlf.content.context == "Files come from Windows editors.\nThey keep their BOM."
    assert crlf.content.outcome == Outcome("Accept CRLF", "editors differ.")


def test_missing_sections_are_empty_and_missing_metadata_is_warned_about() -> None:
    parsed = fixture("0013-only-a-title-and-context.md")

    assert parsed.decision.status is Status.PROPOSED
    assert parsed.decision.date == TODAY
    assert parsed.decision.content.options == ()
    assert parsed.decision.content.outcome == Outcome()
    assert rules(parsed) == ["missing-status", "missing-date"]


def test_trailing_spaces_in_headings_and_values_are_ignored() -> None:
    decision = fixture("0014-trailing-spaces-in-headings.md").decision

    assert decision.title == "Trailing Spaces in Headings"
    assert decision.status is Status.ACCEPTED
    assert decision.content.context == "Headings end in spaces."
    assert decision.content.option_titles == ("Trim them", "Keep them")
    assert decision.content.outcome.chosen == "Trim them"


def test_lines_in_code_fences_are_never_headings_or_bullets() -> None:
    content = fixture("0015-code-fences.md").decision.content

    assert "## Decision Outcome" in content.context
    assert "# Not a title either" in content.context
    assert content.option_titles == ("Fences", "Indentation")
    assert content.outcome == Outcome("Fences", "```text\n## still not a heading\n```")
    assert content.options[0].description == (
        "```markdown\n### Not an option\n* Good, because this is inside the fence\n```"
    )
    assert content.options[0].arguments == Arguments(
        good=("they are explicit",), bad=("they need closing",)
    )


def test_html_comments_are_kept_where_they_stand() -> None:
    content = fixture("0016-html-comments.md").decision.content

    assert content.context.endswith("<!-- This is an optional element. Feel free to remove. -->")
    assert content.drivers == ("Nothing is lost",)
    assert content.extra_sections == (
        ExtraSection("", "<!-- Generated from the MADR template; keep this comment. -->", 0, ""),
        ExtraSection(
            "", "<!-- This is an optional element. Feel free to remove. -->", 0, "Decision Drivers"
        ),
    )


def test_madr_3_deciders_validation_and_single_quoted_choice() -> None:
    decision = fixture("0020-madr-3.md").decision

    assert decision.decision_makers == ("Ann", "Bob")
    assert decision.consulted == ("Carol",)
    assert decision.content.outcome == Outcome("MADR 3", "it has front matter.")
    assert decision.content.consequences == Arguments(
        ("tools read the front matter",), ("the bullets move",), ("old files differ",)
    )
    assert decision.content.confirmation == "Reviews check new records."
    assert decision.content.more_information == "See the MADR changelog."


def test_superseded_by_in_the_status_text_and_link_keys_become_links() -> None:
    decision = fixture("0021-superseded-by-text.md").decision

    assert decision.status is Status.SUPERSEDED
    assert decision.links == {
        Link(LinkKind.SUPERSEDED_BY, ref(12)),
        Link(LinkKind.RELATES_TO, ref(7, LogSlug("payments"))),
        Link(LinkKind.RELATES_TO, ref(3)),
        Link(LinkKind.AMENDED_BY, ref(13)),
    }
    # Dates inside other keys are kept as ISO text, so the value stays JSON.
    assert decision.content.extra_metadata == (
        ("custom", {"owner": "platform", "since": "2020-01-01"}),
    )


def test_unknown_sections_preamble_and_front_matter_keys_are_kept_in_order() -> None:
    decision = fixture("0022-extra-sections.md").decision
    content = decision.content

    assert decision.title == "Keep What MADR Does Not Name"
    assert content.extra_metadata == (
        ("title", "0022 Keep What MADR Does Not Name"),
        ("parent", "Decisions"),
        ("nav_order", 22),
    )
    assert content.extra_sections == (
        ExtraSection(
            "", "[![status](https://img.shields.io/badge/status-accepted-green)](#)", 0, ""
        ),
        ExtraSection("", "Owner: the platform team.", 0, "Title"),
        ExtraSection("Background", "It started in 2019.", 3, "Context and Problem Statement"),
        ExtraSection("", "<!-- comment after the drivers -->", 0, "Decision Drivers"),
        ExtraSection(
            "Cost Estimate",
            "| item | cost |\n| ---- | ---- |\n| disk | low  |",
            2,
            "Decision Drivers",
        ),
        ExtraSection("", "Both were tried for a week.", 0, "Pros and Cons of the Options"),
        ExtraSection("Appendix", "Raw notes.", 2, "Pros and Cons of the Options"),
    )
    # A deeper heading under an option belongs to that option.
    assert content.options[0] == Option(
        "Keep them",
        "#### Details\n\nThey render where they stood.",
        Arguments(good=("nothing is lost",)),
    )


@pytest.mark.parametrize(
    ("name", "line", "rule", "words"),
    [
        ("0017-python-object-tag.md", 4, "unsafe-yaml", "!!python/object/apply:os.system"),
        ("0018-unknown-status.md", 3, "unknown-status", "'maybe later' is not a MADR status"),
        ("0019-invalid-date.md", 3, "invalid-date", "day is out of range"),
    ],
)
def test_a_bad_file_is_refused_naming_file_line_and_problem(
    name: str, line: int, rule: str, words: str
) -> None:
    with pytest.raises(MadrParseError) as raised:
        fixture(name)

    error = raised.value
    assert (error.filename, error.line, error.rule) == (name, line, rule)
    assert words in error.message
    assert str(error) == f"{name}:{line}: {error.message}"
