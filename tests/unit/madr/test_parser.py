"""Reading single MADR details: front matter, status, numbers, titles, outcomes."""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.madr.errors import MadrParseError
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug
from tests.unit.madr.reading import LOG, parse


def ref(number: int, log: LogSlug = LOG) -> DecisionRef:
    return DecisionRef(log, DecisionNumber(number))


def front(yaml: str, body: str = "# A Title\n") -> str:
    return f"---\n{yaml}\n---\n\n{body}"


def refused(text: str, filename: str = "0007-a-decision.md") -> MadrParseError:
    with pytest.raises(MadrParseError) as raised:
        parse(text, filename)
    return raised.value


# -- front matter ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml", "line", "rule", "words"),
    [
        ("status: accepted\nowner: !!python/object:os.system x", 3, "unsafe-yaml", "tag"),
        ("base: &b {a: 1}\nother: *b", 2, "unsafe-yaml", "anchor or alias"),
        ("status: [accepted", 2, "parse-error", "not valid YAML"),
        ("- accepted\n- 2024-01-01", 1, "parse-error", "keys with values"),
        ("status: accepted\n7: seven", 3, "parse-error", "is not text"),
        ("weight: .nan", 2, "parse-error", "cannot be stored"),
        ("date: 2024-13-01", 2, "invalid-date", "date"),
        ("date: next tuesday", 2, "invalid-date", "YYYY-MM-DD"),
        ("status: accepted\ndecision-makers: {ann: 1}", 3, "invalid-value", "decision-makers"),
        ("tags: ['a, b', [c]]", 2, "invalid-value", "tags"),
        ("superseded-by: [yesterday]", 2, "invalid-value", "does not name a decision"),
    ],
)
def test_bad_front_matter_is_refused_at_its_line(
    yaml: str, line: int, rule: str, words: str
) -> None:
    error = refused(front(yaml))

    assert (error.line, error.rule) == (line, rule)
    assert words in error.message


def test_front_matter_that_is_never_closed_is_refused_at_line_1() -> None:
    error = refused("---\nstatus: accepted\n\n# A Title\n")

    assert (error.line, error.rule) == (1, "parse-error")
    assert "never closed" in error.message


def test_deeply_nested_front_matter_is_refused_not_crashed() -> None:
    error = refused(front("x: " + "[" * 1000 + "]" * 1000))

    assert (error.line, error.rule) == (2, "parse-error")
    assert "nested over 20 levels deep" in error.message


def test_dates_may_be_quoted_or_times() -> None:
    assert parse(front('date: "2025-05-11"')).decision.date == dt.date(2025, 5, 11)
    assert parse(front("date: 2025-05-11 10:30:00")).decision.date == dt.date(2025, 5, 11)


def test_other_keys_keep_their_order_and_json_values() -> None:
    text = front("nav_order: 3\ndate: 2024-01-01\nowner: {team: web, since: 2020-02-02}\nadr: true")

    content = parse(text).decision.content

    assert content.extra_metadata == (
        ("nav_order", 3),
        ("owner", {"team": "web", "since": "2020-02-02"}),
        ("adr", True),
    )


def test_deciders_and_decision_makers_together_name_everyone_once() -> None:
    text = front("deciders: [ann, bob]\ndecision-makers: bob, carol")

    assert parse(text).decision.decision_makers == ("ann", "bob", "carol")


# -- status ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("accepted", Status.ACCEPTED),
        ('"Accepted"', Status.ACCEPTED),
        ("'  PROPOSED '", Status.PROPOSED),
        ("Rejected.", Status.REJECTED),
        ("deprecated", Status.DEPRECATED),
        ("superseded", Status.SUPERSEDED),
    ],
)
def test_status_case_quotes_and_spaces_do_not_matter(written: str, status: Status) -> None:
    parsed = parse(front(f"status: {written}"))

    assert parsed.decision.status is status
    assert "nonstandard-status" not in [w.rule for w in parsed.warnings]


@pytest.mark.parametrize(
    ("written", "status"),
    [("draft", Status.PROPOSED), ("on hold", Status.PROPOSED), ("Approved", Status.ACCEPTED)],
)
def test_status_synonyms_are_read_with_a_warning(written: str, status: Status) -> None:
    parsed = parse(front(f"status: {written}\ndate: 2024-01-01"))

    assert parsed.decision.status is status
    assert [(w.rule, w.line) for w in parsed.warnings] == [("nonstandard-status", 2)]


@pytest.mark.parametrize(
    ("written", "targets"),
    [
        ("superseded by ADR-0123", [ref(123)]),
        ("Superseded by [ADR-0005](0005-example.md)", [ref(5)]),
        ('"superseded by ADR-0012 and payments/3"', [ref(12), ref(3, LogSlug("payments"))]),
        ("superseded by [3. Use X](0003-use-x.md), [ADR-0004](0004-y.md)", [ref(3), ref(4)]),
    ],
)
def test_superseded_by_in_the_status_is_a_supersede_link(
    written: str, targets: list[DecisionRef]
) -> None:
    decision = parse(front(f"status: {written}")).decision

    assert decision.status is Status.SUPERSEDED
    assert decision.links == {Link(LinkKind.SUPERSEDED_BY, t) for t in targets}


def test_an_unknown_status_names_its_line() -> None:
    error = refused("# A Title\n\n* Status: pondering\n* Date: 2024-01-01\n")

    assert (error.line, error.rule) == (3, "unknown-status")


def test_front_matter_status_wins_over_a_status_section() -> None:
    text = front("status: accepted", "# A Title\n\n## Status\n\nProposed\n")

    decision = parse(text).decision

    assert decision.status is Status.ACCEPTED
    assert decision.content.extra_sections[0].heading == "Status"


# -- number and title ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "text", "number", "source", "title"),
    [
        ("0042-x.md", "# 7. Seven\n", 42, "file name", "7. Seven"),
        ("0007-x.md", "# 7. Seven\n", 7, "file name", "Seven"),
        ("notes.md", "# ADR-0007: Seven\n", 7, "title", "Seven"),
        ("notes.md", "# 0012 Twelve\n", 12, "title", "Twelve"),
        ("notes.md", front("number: ADR-0009", "# Nine\n"), 9, "front matter", "Nine"),
        ("docs/adr/0003-three.md", "# Three\n", 3, "file name", "Three"),
        ("0000-zero.md", "# 2024 Roadmap\n", 0, "file name", "2024 Roadmap"),
    ],
)
def test_the_number_comes_from_the_file_name_front_matter_or_title(
    filename: str, text: str, number: int, source: str, title: str
) -> None:
    parsed = parse(text, filename)

    assert parsed.decision.ref == ref(number)
    assert parsed.number_source == source
    assert parsed.decision.title == title


def test_the_fallback_number_is_used_when_nothing_gives_one() -> None:
    parsed = parse("# Untitled\n", "notes.md", number=31)

    assert (parsed.decision.ref, parsed.number_source) == (ref(31), "fallback")


def test_no_number_is_an_error_naming_the_file_at_line_1() -> None:
    error = refused("# A Title\n", "first.md")

    assert (error.filename, error.line, error.rule) == ("first.md", 1, "missing-number")
    assert "name the file NNNN-title.md" in error.message


def test_adr_0000_keeps_its_number() -> None:
    assert parse("# Use MADR\n", "0000-use-madr.md").decision.ref == ref(0)


HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        (f"{HUGE}-x.md", "# T\n"),
        ("x.md", f"# {HUGE} T\n"),
        ("x.md", front(f"number: {HUGE}")),
        ("0001-x.md", front(f"superseded-by: ADR-{HUGE}")),
        ("0001-x.md", f"# T\n\n## Status\n\nSuperseded by [x]({HUGE}-x.md)\n"),
    ],
)
def test_numbers_too_long_for_an_int_are_refused_not_crashed(filename: str, text: str) -> None:
    refused(text, filename)


def test_the_front_matter_title_is_used_without_a_heading() -> None:
    decision = parse(front("title: 0007 From Front Matter", "Some text.\n")).decision

    assert decision.title == "From Front Matter"
    assert decision.content.extra_metadata == (("title", "0007 From Front Matter"),)


def test_no_title_at_all_is_an_error() -> None:
    error = refused(front("status: accepted", "## Context and Problem Statement\n\nText.\n"))

    assert (error.line, error.rule) == (1, "missing-title")


def test_a_title_longer_than_the_domain_allows_is_refused_at_its_line() -> None:
    error = refused(front("status: accepted", "# " + "x" * 301 + "\n"))

    assert (error.line, error.rule) == (5, "invalid-value")


# -- outcome -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "chosen", "justification"),
    [
        ('Chosen option: "A", because it is fast.', "A", "it is fast."),
        ("Chosen option: 'A \"quoted\"', because why not", 'A "quoted"', "why not"),
        ("Chosen option: A, because B, because C", "A", "B, because C"),
        ('Chosen option: "A", because "B", because C', 'A", because "B', "C"),
        ('Chosen option: "A"', "A", ""),
        ("chosen option: A", "A", ""),
    ],
)
def test_the_chosen_option_line_in_its_forms(line: str, chosen: str, justification: str) -> None:
    text = f"# A Title\n\n## Decision Outcome\n\n{line}\n"

    outcome = parse(text).decision.content.outcome

    assert (outcome.chosen, outcome.justification) == (chosen, justification)


def test_a_justification_may_follow_in_paragraphs_and_lists() -> None:
    text = '# T\n\n## Decision Outcome\n\nChosen option: "A", because\n\n* one\n* two\n\nDone.\n'

    outcome = parse(text).decision.content.outcome

    assert outcome.justification == "* one\n* two\n\nDone."


def test_an_outcome_without_a_chosen_option_is_its_justification() -> None:
    text = "# T\n\n## Decision Outcome\n\nWe keep what we have.\n"

    assert parse(text).decision.content.outcome.justification == "We keep what we have."
