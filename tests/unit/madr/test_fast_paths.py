"""The parser's fast paths read exactly what the reference readers read.

- Markdown: each file is read once (`blocks.outline`); its line-based pass, when it
  answers, gives the headings and blocks markdown-it gives, and the blocks between two
  headings are those markdown-it finds in those lines alone (as each section was read
  before). Anything the line-based pass is unsure of goes to markdown-it.
- YAML: plain front matter is read by libyaml; when it answers, it gives the entries
  (values and lines) the pure-Python loader gives, and anything else (tags, invalid
  YAML, bad values) is reported by the pure-Python path, as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from adapters.madr import blocks, front_matter
from adapters.madr.blocks import Block, Item, lines_of, outline
from adapters.madr.errors import InvalidMadr, MadrParseError
from tests.unit.madr.reading import FIXTURES, SHARED, parse, read

_MARKDOWN = MarkdownIt("commonmark")

# -- Markdown ------------------------------------------------------------------------

_LINES = [
    "", "  ", "\t", "text", "more text", "#", "# T", "## Context and Problem Statement",
    "## Considered Options", "## Pros and Cons of the Options", "### Option A", "#### deep",
    "####### seven", "## closed ##", "## x #", "##\ttab", "#hash", "# \x85", "#\x0bx",
    "* A", "* B", "- A", "+ A", "*  wide", "*    four", "*     five", "*\ttab", "* ", "*",
    "-", "* * *", "- - -", "---", "***", "___", "===", "--", "=x", "-x", "_x_", "**b**",
    "1. one", "2) two", "1.5 million", "10. ten", "* Good, because it is", "* Bad, because",
    'Chosen option: "A", because', "  continued", "   three", "    four", "     five",
    "  * nested", "  - nested", "    * deeper", "   * odd", "  1. nested", "  # h", "  ```",
    "```", "~~~", "```py", "> quote", "  > q", "<div>", "<!-- c -->", "* # h", "* > q",
    "* ```", "* 1. x", "* -x", "[a]: /url", "[link](x)", "* [ ] task", "\x0b", "\xa0x",
    "\u2028", " x", "|a|b|", "\\# esc", "  text\t",
]  # fmt: skip
# Lines the line-based pass reads itself, so that it answers often.
_PLAIN = [
    "", "text", "# T", "## Considered Options", "### Option A", "#### deep", "## x ##",
    "#hash", "* A", "- A", "+ A", "*  wide", "*    four", "* Good, because it is", "  more",
    "   three", "    four", "     five", "  * nested", "  - nested", "    * deeper", "-x",
    "1.5 million", "\xa0x", "1. one", "2. two", "1) one", "  1. nested", "  2. nested",
    "```", "````", "~~~", "```py", "``` x`", " ```", "<!-- c -->", "<!--", "-->", "x -->",
    "* <!-- c -->", "  <!-- c -->", "* <!--", "---", "***", "_ _ _", "- - -", "===",
]  # fmt: skip
_line = st.one_of(
    st.sampled_from(_LINES),
    st.sampled_from(_LINES).map(lambda text: text + " tail"),
    st.text(st.sampled_from("#*-+ >`~=_1.)[]:x\t"), max_size=6),
)
markdown = st.one_of(
    st.lists(_line, max_size=40).map("\n".join),
    st.lists(st.sampled_from(_PLAIN), max_size=40).map("\n".join),
)


def _markdown_it_blocks(lines: list[str]) -> list[Block]:
    """What each section's blocks were: markdown-it's reading of its lines alone."""
    found: list[Block] = []
    for token in _MARKDOWN.parse("\n".join(lines)):
        if token.map is None or token.nesting < 0:
            continue
        start, end = token.map
        if token.level == 0:
            found.append(Block(token.type.removesuffix("_open"), start, end))
        elif token.level == 1 and token.type == "list_item_open" and found:
            found[-1].items.append(Item(start, blocks._item_text(lines[start:end])))
    return found


def _markdown_it_headings(lines: list[str], offset: int) -> list[blocks.Heading]:
    """What the headings were: markdown-it's reading of the file below its front matter."""
    tokens = _MARKDOWN.parse("\n".join(lines[offset:]))
    return [
        blocks.Heading(
            offset + token.map[0],
            offset + token.map[1],
            int(token.tag[1:]),
            " ".join(part.strip() for part in tokens[index + 1].content.split("\n")).strip(),
        )
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.level == 0 and token.map
    ]


def _trimmed(found: list[Block], lines: list[str]) -> list[tuple[object, ...]]:
    """Blocks with the blank lines after each left out, as the outline gives them."""

    def end(start: int, stop: int) -> int:
        while stop > start + 1 and blocks.is_blank(lines[stop - 1]):
            stop -= 1
        return stop

    return [
        (b.kind, b.start, end(b.start, b.end), [(i.start, i.text) for i in b.items]) for b in found
    ]


def assert_outline_is_markdown_its(text: str, offset: int = 0) -> None:
    lines = lines_of(text)
    offset = min(offset, len(lines))
    by_lines = blocks._by_lines(lines, offset)
    by_markdown_it = blocks._by_markdown_it(lines, offset)
    if by_lines is not None:
        assert by_lines.headings == by_markdown_it.headings
        assert by_lines._spans == by_markdown_it._spans
    structure = outline(lines, offset)
    assert structure.headings == _markdown_it_headings(lines, offset)
    bounds = [offset, *(h.start for h in structure.headings), len(lines)]
    starts = [offset, *(h.end for h in structure.headings)]
    for start, end in zip(starts, bounds[1:], strict=True):
        reference = _markdown_it_blocks(list(lines[start:end]))
        found = structure.blocks(start, end)
        assert _trimmed(found, list(lines[start:end])) == _trimmed(reference, lines[start:end])


@settings(max_examples=400)
@given(markdown, st.sampled_from([0, 2]))
@example("* a\n\n  b\nc\n## H\n", 0)  # continuation, then a paragraph
@example("* a\nlazy\n- b\n\n+ c\n", 0)  # a lazy line; each bullet starts its own list
@example("text\n* item\n# H\n* a\n  * b\n    c\n   d\n", 0)
@example("# T\n```\n## not a heading\n```\n## H\n", 0)
@example("## x ##\n## y #\n##\n# \\#\n####### z\n", 0)
def test_one_reading_gives_what_markdown_it_gives(text: str, offset: int) -> None:
    assert_outline_is_markdown_its(text, offset)


def test_a_fenced_heading_is_no_heading_in_either_reading() -> None:
    fenced = "# T\n\n```\n## Not a heading\n```\n<!--\n## Nor this\n-->\n## H\n"
    in_a_list = "# T\n\n* a\n  ```\n## Yes, a heading\n\n## H\n"

    assert blocks._by_lines(lines_of(fenced), 0) is not None
    assert blocks._by_lines(lines_of(in_a_list), 0) is None  # left to markdown-it
    assert [h.text for h in outline(lines_of(fenced)).headings] == ["T", "H"]
    assert [h.text for h in outline(lines_of(in_a_list)).headings] == ["T", "Yes, a heading", "H"]
    assert_outline_is_markdown_its(fenced)
    assert_outline_is_markdown_its(in_a_list)


def _shared_files() -> list[Path]:
    folders = [SHARED / "madr-samples" / "madr", SHARED / "seed", FIXTURES]
    return sorted(path for folder in folders for path in folder.glob("*.md"))


@pytest.mark.parametrize("path", _shared_files(), ids=lambda path: path.name)
def test_real_files_read_the_same_either_way(path: Path) -> None:
    assert_outline_is_markdown_its(read(path))


_TYPICAL = """---
status: superseded
date: 2024-10-09
decision-makers: [ann, dee]
consulted: [ops]
tags: [area-9, backend]
superseded-by: [ADR-0010]
---

# Decision 9: use component 9 for concern 9

## Context and Problem Statement

We need to choose how concern 9 is handled in service 9.
The current approach does not scale past the load we expect next year.

## Decision Drivers

* Operability
* Cost

## Considered Options

* Component 9
* Do nothing

## Decision Outcome

Chosen option: "Component 9", because it meets every driver at the lowest cost.

### Consequences

* Good, because it is simple to run
* Bad, because it is one more thing to learn

## Pros and Cons of the Options

### Component 9

* Good, because it is mature
  and well known
* Neutral, because it is new to us
"""


def test_a_typical_file_takes_both_fast_paths() -> None:
    """The import benchmark's files look like this one; neither reading falls back."""
    lines = lines_of(_TYPICAL)

    assert blocks._by_lines(lines, 8) is not None
    if yaml.__with_libyaml__:
        assert front_matter._fast_load("\n".join(lines[1:7]), 2) is not None
    assert_outline_is_markdown_its(_TYPICAL, 8)
    assert parse(_TYPICAL, "0009-use-component-9.md").decision.superseded_by


# -- YAML ----------------------------------------------------------------------------

_WORDS = [
    "accepted", "2024-01-01", "2024-02-30", "2024-01-01T10:00:00Z", "10:30", "1_000", "0x1f",
    "1e3", "1e999", ".nan", "yes", "No", "~", "null", "ann", "ADR-0012", "x/3", "012", "<<",
    "a b", "é", "日本", "😀", "-", ":", "#", "'", '"', "\\", "[", "]", "{", "}", ",", "!", "&",
    "*", "|", ">", "?", "%", "@", "`", "\t", "\x85", "\u2028", "\ufeff", "\x7f", "\xa0",
]  # fmt: skip
_TAME_WORDS = [w for w in _WORDS if not front_matter._UNTAME.search(w)]


def _front_matters(word: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    scalar = st.one_of(
        word,
        st.tuples(word, word).map(" ".join),
        word.map(lambda w: "'" + w.replace("'", "''") + "'"),
        st.tuples(st.sampled_from(["", "\\n", "\\x41", "\\u00e9", "\\/", "\\_"]), word).map(
            lambda parts: '"' + parts[0] + parts[1].replace("\\", "").replace('"', "") + '"'
        ),
    )
    value = st.recursive(
        scalar,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
            st.lists(st.tuples(word, inner), max_size=3).map(
                lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
            ),
            st.lists(inner, min_size=1, max_size=3).map(
                lambda items: "".join(f"\n  - {item}" for item in items)
            ),
        ),
        max_leaves=5,
    )
    entry = st.tuples(word, st.sampled_from([": ", ":", ":  "]), value, st.sampled_from(["", " #"]))
    return st.one_of(
        st.lists(entry.map("".join), max_size=6).map("\n".join),
        st.lists(st.one_of(word, st.sampled_from([": ", "\n", "\n  ", "- "])), max_size=30).map(
            "".join
        ),
    )


_key = st.sampled_from(["status", "date", "tags", "a", "x y", "é"])
front_matters = st.one_of(
    _front_matters(st.one_of(_key, _key, st.sampled_from(_TAME_WORDS))),
    _front_matters(
        st.one_of(_key, st.sampled_from(_WORDS), st.text(max_size=4)),
    ),
)


def _python_reading(source: str) -> object:
    try:
        front_matter._refuse_unsafe(source, 2)
        return front_matter._load(source, 2)
    except (yaml.YAMLError, InvalidMadr, RecursionError, ValueError) as error:
        return type(error)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")
@settings(max_examples=500)
@given(front_matters)
@example("status: |#\n  x")  # libyaml reads it, PyYAML refuses it: Python decides
@example("k: [a?]")  # the same in a flow sequence
@example("status: accepted\ndate: 2024-01-01\ndeciders: [ann, 'dee']\ntags:\n  - a\n  - 12")
def test_libyaml_answers_only_with_what_the_python_loader_reads(source: str) -> None:
    fast = front_matter._fast_load(source, 2)

    if fast is not None:
        assert _python_reading(source) == fast


def test_deep_nesting_never_reaches_the_c_composer() -> None:
    source = "x: " + "[" * 100_000 + "]" * 100_000  # would overflow the C stack

    assert front_matter._fast_load(source, 2) is None


@pytest.mark.parametrize(
    "yaml_text",
    ["status: |#\n  x", "a: [b?]", "tags: [a, *b]", "owner: !!str x", "date: 2024-02-30", "k: \t1"],
)
def test_front_matter_errors_are_those_of_the_python_loader(
    yaml_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = f"---\n{yaml_text}\n---\n# A Title\n"

    def outcome() -> object:
        try:
            return parse(text).decision.snapshot()
        except MadrParseError as error:
            return (error.line, error.rule, error.message)

    with_libyaml = outcome()
    monkeypatch.setattr(front_matter, "_C_LOADER", None)
    assert outcome() == with_libyaml
