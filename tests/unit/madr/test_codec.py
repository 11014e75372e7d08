"""The codec as the application sees it: the MadrCodec port."""

from __future__ import annotations

import pytest

from adapters.madr.codec import MadrFiles
from application.errors import InvalidMadr
from application.views import LintProblem
from tests.unit.madr.reading import LOG, TODAY

TEXT = "---\nstatus: accepted\ndate: 2024-01-01\n---\n\n# Use a Queue\n"


def test_a_file_reads_as_its_decision_and_renders_back() -> None:
    codec = MadrFiles()

    decision = codec.parse(TEXT, filename="0004-use-a-queue.md", log=LOG, today=TODAY)

    assert decision.title == "Use a Queue"
    assert codec.render(decision).startswith("---\nstatus: accepted\ndate: 2024-01-01\n")


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
