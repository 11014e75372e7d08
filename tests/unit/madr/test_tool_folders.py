"""Folders as adr-tools and log4brains write them: names, aliases, labels and dates."""

from __future__ import annotations

import datetime as dt

import hypothesis.strategies as st
import pytest
from hypothesis import given

from adapters.madr.file_names import Alias, alias_of, not_a_decision, number_of
from adapters.madr.lint import lint_madr
from adapters.madr.parser import ParsedDecision
from domain.content import ExtraSection
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef
from tests.unit.madr.reading import FIXTURES, LOG, assert_reads_back, parse, read

TOOLS = FIXTURES.parent
ADR_TOOLS = sorted((TOOLS / "adr-tools").glob("*.md"))
LOG4BRAINS = sorted((TOOLS / "log4brains").glob("*.md"))


def ref(number: int) -> DecisionRef:
    return DecisionRef(LOG, DecisionNumber(number))


def nygard(status_lines: str, date: str = "1992-01-12") -> str:
    return f"# 3. Third Record\n\nDate: {date}\n\n## Status\n\n{status_lines}\n\n## Context\n\nX.\n"


# -- file names --------------------------------------------------------------------------

days = st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31))
slugs = st.from_regex(r"[a-z0-9]+(-[a-z0-9]+){0,4}", fullmatch=True)


@given(days, slugs)
def test_a_file_named_by_day_and_title_goes_by_its_slug_and_has_no_number(
    day: dt.date, slug: str
) -> None:
    name = f"docs/adr/{day:%Y%m%d}-{slug}.md"

    assert alias_of(name) == Alias(f"{day:%Y%m%d}-{slug}")
    assert alias_of(f"{day:%Y%m%d}-{slug}") == alias_of(name.upper().replace(".MD", ".md"))
    assert number_of(name) is None
    assert not_a_decision(name) is None


@given(st.integers(0, 99_999_999), slugs)
def test_a_numbered_file_has_its_number_unless_the_digits_are_a_real_day(
    number: int, slug: str
) -> None:
    name = f"{number:04d}-{slug}.md"
    digits = f"{number:04d}"
    is_day = len(digits) == 8 and alias_of(name) is not None

    assert number_of(name) == (None if is_day else number)
    if is_day:
        assert dt.datetime.strptime(digits, "%Y%m%d").year >= 1900


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("README.md", "README.md is the folder's readme page, not a decision record"),
        ("docs/adr/index.md", "index.md is the folder's index page, not a decision record"),
        ("template.md", "template.md is a template for new records, not a decision record"),
        ("adr-template.md", "adr-template.md is a template for new records, not a decision record"),
        ("0012-use-a-template-engine.md", None),
        ("20240101-templates-for-emails.md", None),
        ("use-postgresql.md", None),
    ],
)
def test_readmes_indexes_and_templates_are_not_decisions(name: str, reason: str | None) -> None:
    assert not_a_decision(name) == reason


# -- adr-tools -----------------------------------------------------------------------------


def test_adr_tools_superceded_spelling_is_read_as_superseded_by() -> None:
    parsed = parse(nygard("Superceded by [4. Fourth Record](0004-fourth-record.md)"))

    assert parsed.decision.status is Status.SUPERSEDED
    assert parsed.decision.links == {Link(LinkKind.SUPERSEDED_BY, ref(4))}
    assert parsed.link_lines == {Link(LinkKind.SUPERSEDED_BY, ref(4)): 7}


def test_adr_tools_supercedes_lines_are_read_as_supersedes() -> None:
    parsed = parse(
        nygard(
            "Accepted\n\nSupercedes [1. First Record](0001-first-record.md)\n\n"
            "Supercedes [2. Second Record](0002-second-record.md)"
        )
    )

    assert parsed.decision.status is Status.ACCEPTED
    assert parsed.decision.links == {
        Link(LinkKind.SUPERSEDES, ref(1)),
        Link(LinkKind.SUPERSEDES, ref(2)),
    }
    assert parsed.decision.content.extra_sections == ()


def test_a_superceded_status_value_is_read_with_a_warning() -> None:
    parsed = parse("---\nstatus: Superceded by ADR-0009\ndate: 2024-01-01\n---\n# X\n")

    assert parsed.decision.status is Status.SUPERSEDED
    assert parsed.decision.links == {Link(LinkKind.SUPERSEDED_BY, ref(9))}
    assert [w.rule for w in parsed.warnings] == ["nonstandard-status"]


def test_custom_link_labels_are_relates_to_links_and_the_status_section_keeps_them() -> None:
    status = (
        "Accepted\n\nAmends [1. First Record](0001-first-record.md)\n\n"
        "Clarifies [2. Second Record](0002-second-record.md)"
    )

    parsed = parse(nygard(status))

    assert parsed.decision.status is Status.ACCEPTED
    assert parsed.decision.links == {
        Link(LinkKind.AMENDS, ref(1)),
        Link(LinkKind.RELATES_TO, ref(2)),
    }
    assert parsed.decision.content.extra_sections == (ExtraSection("Status", status, 2, "Title"),)
    assert_reads_back(parsed.decision)


def test_a_status_with_a_link_on_its_first_line_is_still_read_as_the_status() -> None:
    with pytest.raises(Exception, match="not a MADR status") as raised:
        parse(nygard("Accepted [with conditions](0004-conditions.md)"))
    assert raised.value.line == 7  # type: ignore[attr-defined]


def test_a_status_line_that_links_elsewhere_is_a_note_not_a_link() -> None:
    status = "Accepted\n\nDiscussed in [the forum](https://example.com/t/42)"

    parsed = parse(nygard(status))

    assert parsed.decision.links == frozenset()
    assert parsed.decision.content.extra_sections == (ExtraSection("Status", status, 2, "Title"),)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("12/01/1992", dt.date(1992, 1, 12)),
        ("1/2/2003", dt.date(2003, 2, 1)),
        ("1992-01-12", dt.date(1992, 1, 12)),
    ],
)
def test_dates_may_be_day_month_year_as_adr_tools_once_wrote_them(
    written: str, day: dt.date
) -> None:
    assert parse(nygard("Accepted", date=written)).decision.date == day
    assert parse(f"---\ndate: {written}\n---\n# X\n").decision.date == day


@pytest.mark.parametrize("written", ["31/02/2024", "12/13/2024", "2024/01/12"])
def test_a_day_month_year_that_is_no_day_names_its_line(written: str) -> None:
    with pytest.raises(Exception, match="is not a day") as raised:
        parse(nygard("Accepted", date=written))
    assert raised.value.line == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ADR_TOOLS, ids=lambda p: p.name)
def test_every_adr_tools_fixture_renders_to_a_file_that_reads_the_same(path: object) -> None:
    assert_reads_back(parse(read(path), path.name).decision)  # type: ignore[attr-defined]


# -- log4brains ----------------------------------------------------------------------------


def log4brains(name: str) -> ParsedDecision:
    return parse(read(TOOLS / "log4brains" / name), name)


def test_a_day_named_file_waits_for_its_number_and_links_by_slug() -> None:
    parsed = log4brains("20210315-number-decisions-from-a-counter.md")

    assert (parsed.number_source, parsed.decision.ref.number.value) == ("alias", 0)
    assert parsed.alias == Alias("20210315-number-decisions-from-a-counter")
    assert parsed.decision.status is Status.SUPERSEDED
    assert parsed.decision.links == frozenset()
    assert parsed.alias_links == {
        (LinkKind.SUPERSEDED_BY, Alias("20210602-name-decisions-by-date-and-slug")): 3
    }
    assert parsed.numbered(3).decision.ref == ref(3)


def test_a_links_section_gives_typed_links_and_is_kept_as_written() -> None:
    parsed = log4brains("20210602-name-decisions-by-date-and-slug.md")

    assert parsed.alias_links == {
        (LinkKind.SUPERSEDES, Alias("20210315-number-decisions-from-a-counter")): 17
    }
    assert [e.heading for e in parsed.decision.content.extra_sections] == ["Links"]


def test_a_links_section_line_that_names_no_decision_is_prose() -> None:
    parsed = parse(
        "# 7. X\n\n## Links\n\n- Supersedes [the old wiki page](https://wiki/x)\n"
        "- Refined by [ADR-0006](0006-y.md)\n- Relates to ADR-0002\n"
    )

    assert parsed.decision.links == {Link(LinkKind.RELATES_TO, ref(2))}


def test_a_day_named_file_with_a_front_matter_number_keeps_it_and_its_title_is_all_title() -> None:
    numbered = parse("---\nnumber: 12\n---\n# 2020 Vision\n", "20200101-vision.md")
    plain = parse("# 2020 Vision\n", "20200101-vision.md")

    assert (numbered.number_source, numbered.decision.ref) == ("front matter", ref(12))
    assert (plain.number_source, plain.decision.title) == ("alias", "2020 Vision")
    assert numbered.alias == plain.alias == Alias("20200101-vision")


@pytest.mark.parametrize("path", LOG4BRAINS, ids=lambda p: p.name)
def test_every_log4brains_decision_renders_to_a_file_that_reads_the_same(path: object) -> None:
    name = path.name  # type: ignore[attr-defined]
    if not_a_decision(name):
        return
    assert_reads_back(log4brains(name).numbered(5).decision)


def test_both_tool_folders_lint_without_errors_or_duplicate_numbers() -> None:
    for paths in (ADR_TOOLS, LOG4BRAINS):
        problems = lint_madr({p.name: read(p) for p in paths})

        assert [p for p in problems if p.severity == "error"] == []
        assert not [p for p in problems if p.rule == "superseded-without-successor"]
        assert not any(p.file in ("README.md", "index.md", "template.md") for p in problems)


def test_lint_reports_a_successor_by_slug_that_is_not_among_the_files() -> None:
    files = {
        "20210315-old.md": "# Old\n\n- Status: superseded by [x](20210602-new.md)\n"
        "- Date: 2021-03-15\n"
    }

    problems = lint_madr(files)

    assert [(p.rule, p.line) for p in problems if p.severity == "error"] == [
        ("superseded-by-target-missing", 3)
    ]
