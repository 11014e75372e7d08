"""Reading test files, and the round-trip check the tests share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from adapters.madr.parser import ParsedDecision, parse_madr
from adapters.madr.renderer import render_madr
from domain.decision import Decision
from domain.values import LogSlug, slugify

LOG = LogSlug("main")
TODAY = dt.date(2030, 1, 1)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "madr"
SHARED = (Path(__file__).resolve().parents[3] / ".." / "shared").resolve()


def read(path: Path) -> str:
    """A file's text as it is on disk: CRLF and BOM included."""
    return path.read_bytes().decode("utf-8")


def parse(
    text: str, filename: str = "0007-a-decision.md", number: int | None = None
) -> ParsedDecision:
    return parse_madr(text, filename=filename, log=LOG, today=TODAY, number=number)


def canonical_name(decision: Decision) -> str:
    """The name an export gives the file: a rendered file carries no number of its own."""
    return f"{decision.ref.number.value:04d}-{slugify(decision.title)}.md"


def assert_reads_back(decision: Decision) -> None:
    """Rendering the decision and reading the result gives the same decision."""
    text = render_madr(decision)
    again = parse(text, canonical_name(decision))
    assert again.decision.snapshot() == decision.snapshot(), text
