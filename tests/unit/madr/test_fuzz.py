"""Arbitrary text, laced with Markdown and YAML fragments, never breaks the parser."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.madr.blocks import lines_of
from adapters.madr.errors import MadrParseError
from adapters.madr.rules import RULES
from tests.unit.madr.reading import assert_reads_back, parse

_FRAGMENTS = [
    "---\n", "---", "...\n", "status: ", "accepted", "superseded by ADR-", "date: ",
    "2021-02-03", "2020-13-45", "2024-02-30", "\x08", "\x1b", "1e999", "&a [*a]", "*a",
    "!!python/object:os.system", "{", "[",
    "tags: ", "- ", "deciders: a, b", "review-by: ", "superseded-by: ", "supersedes: [3, x/4]",
    "number: 7", "title: ", "# ", "## ", "### ", "#### ", "1. ", "ADR-0007: ", "Title", "\n",
    "\n\n", "\r\n", "\r", "\ufeff", "\0", "\x85", "\u2028", "\t", "    ", "* ", "> ", "===",
    "* Good, because ", "* Bad, because ", "Neutral, because", 'Chosen option: "', '", because ',
    "```", "~~~", "<!--", "-->", "<div>", "Date: 2018-01-01", "* Status: ", "* Deciders: ",
    "Technical Story: ", "Context and Problem Statement", "Decision Drivers",
    "Considered Options", "Decision Outcome", "Consequences", "Positive Consequences",
    "Confirmation", "Validation", "Pros and Cons of the Options", "More Information", "Status",
    "Context", "Decision", "Supersedes [2. X](0002-x.md)", "Superseded by ", "Amended by 3",
    "[x](0003-x.md)",
]  # fmt: skip
_piece = st.one_of(st.sampled_from(_FRAGMENTS), st.sampled_from(_FRAGMENTS), st.text(max_size=8))
_line = st.lists(_piece, max_size=8).map("".join)
_lines = st.lists(_line, max_size=30).map("\n".join)
texts = st.one_of(
    st.lists(_piece, max_size=60).map("".join),
    st.tuples(_lines, _lines).map(lambda parts: f"{parts[0]}\n# T\n{parts[1]}"),
    st.tuples(_lines, _lines).map(
        lambda parts: f"---\nstatus: accepted\n---\n{parts[0]}\n# T\n{parts[1]}"
    ),
)
file_names = st.sampled_from(["0007-x.md", "x.md", "0000-x.md", "docs/0012-y.md"])
fallbacks = st.sampled_from([None, 5])


@settings(max_examples=300)
@given(texts, file_names, fallbacks)
def test_parsing_anything_raises_nothing_but_madr_parse_error(
    text: str, filename: str, fallback: int | None
) -> None:
    try:
        parse(text, filename, number=fallback)
    except MadrParseError as error:
        refused = error
    else:
        return
    assert refused.filename == filename
    assert 1 <= refused.line <= len(lines_of(text))
    assert refused.rule in RULES


@settings(max_examples=300)
@given(texts, file_names, fallbacks)
@example("\n# T\n\x85\n...\n---\n", "0007-x.md", None)  # a setext heading led by NEL
@example("\n# T\n* Deciders: \n...\n---\n", "0007-x.md", None)  # read lines unveil one
def test_whatever_parses_renders_to_a_file_that_reads_the_same(
    text: str, filename: str, fallback: int | None
) -> None:
    try:
        parsed = parse(text, filename, number=fallback)
    except MadrParseError:
        return
    assert_reads_back(parsed.decision)
