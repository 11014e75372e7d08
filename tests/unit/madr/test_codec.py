"""The codec as the application sees it: the MadrCodec port."""

from __future__ import annotations

import pytest

from adapters.madr.codec import MadrFiles
from application.errors import InvalidMadr
from application.parsed_files import AliasLink
from application.views import LintProblem
from domain.links import LinkKind
from domain.values import DecisionNumber, DecisionRef
from tests.unit.madr.reading import LOG, TODAY

TEXT = "---\nstatus: accepted\ndate: 2024-01-01\n---\n\n# Use a Queue\n"


def test_a_file_reads_as_its_decision_and_renders_back() -> None:
    codec = MadrFiles()

    parsed = codec.parse(TEXT, filename="0004-use-a-queue.md", log=LOG, today=TODAY)

    assert (parsed.decision.title, parsed.numbered, parsed.alias) == ("Use a Queue", True, None)
    assert parsed.state().ref.number.value == 4
    assert codec.render(parsed.decision).startswith("---\nstatus: accepted\ndate: 2024-01-01\n")


def test_a_day_named_file_comes_with_its_alias_and_its_links_by_alias() -> None:
    text = "# Old\n\n- Status: superseded by [new](20240301-new.md)\n- Date: 2024-01-01\n"

    parsed = MadrFiles().parse(text, filename="adr/20240101-old.md", log=LOG, today=TODAY)

    assert (parsed.numbered, parsed.alias) == (False, "20240101-old")
    assert parsed.alias_links == (AliasLink(LinkKind.SUPERSEDED_BY, "20240301-new", 3),)
    with pytest.raises(ValueError, match="give it one"):
        parsed.state()
    assert parsed.state(DecisionNumber(7)).ref == DecisionRef(LOG, DecisionNumber(7))


def test_readmes_and_templates_are_not_decisions() -> None:
    assert MadrFiles().not_a_decision("docs/adr/README.md") is not None
    assert MadrFiles().not_a_decision("docs/adr/0001-use-x.md") is None


def test_a_bad_file_raises_the_applications_error_with_file_and_line() -> None:
    with pytest.raises(InvalidMadr) as raised:
        MadrFiles().parse(
            "---\nstatus: soon\n---\n# T\n", filename="0001-t.md", log=LOG, today=TODAY
        )

    assert (raised.value.filename, raised.value.line) == ("0001-t.md", 2)
    assert "not a MADR status" in raised.value.message


def test_lint_problems_come_as_the_applications_view() -> None:
    problems = MadrFiles().lint({"notes.md": TEXT})

    assert problems == [
        LintProblem("notes.md", 1, "missing-number", "error", problems[0].message),
        LintProblem("notes.md", 1, "unnamed-file", "warning", problems[1].message),
    ]
