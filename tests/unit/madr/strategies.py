"""Hypothesis strategies for decisions that a MADR file can hold.

The domain, and why it is what it is:
- Text is any Unicode except NUL (CommonMark reads it as U+FFFD), CR (a line break on
  input) and surrogates, mixed with the characters Markdown gives meaning to.
- Single-line values (title, option titles, headings, people, tags) are stripped, as
  the parser strips them; a list item must read back as one item ('* * *' is a rule).
- A multi-line body is Markdown without top-level headings (a heading starts a section)
  and without unclosed fences or comments (they would swallow the next heading); it has
  no blank lines at its ends. Option descriptions do not end in 'Good, because' bullets,
  which read as arguments.
- Option titles are distinct, so each '### Option' heading finds its own bullet.
- Extra sections come in render order: by slot, heading-less text first; they stand
  after parts that are present. Heading-less text after a list does not start like a
  list item or indented text (it would join the list); headings are not MADR's own, and
  after the options they are '#' or '##' (a '###' there is an option).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import replace

from hypothesis import strategies as st
from markdown_it import MarkdownIt

from adapters.madr import layout
from adapters.madr.options import option_key
from domain.content import Arguments, Content, ExtraSection, Metadata, Option, Outcome
from domain.decision import Decision
from domain.errors import InvalidValue
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import (
    DecisionNumber,
    DecisionRef,
    LogSlug,
    slugify,
    tag_of,
    title_of,
)

LOG = LogSlug("main")
_MARKDOWN = MarkdownIt("commonmark")
_SIGNIFICANT = "#*`_[]\"'<>!-+=~|:.()\\{}&$ \t"
_ARGUMENT_ITEM = re.compile(r"^\s*([*+-]|\d+[.)])\s+(good|neutral|bad)\s*,?\s*because", re.I | re.M)

_char = st.one_of(
    st.characters(codec="utf-8", exclude_characters="\n\r\0"),
    st.sampled_from(_SIGNIFICANT),
    st.sampled_from(string.ascii_letters),
)


def _stripped(text: str) -> str:
    return text.strip()


line = st.text(_char, min_size=1, max_size=30).map(_stripped).filter(bool)
maybe_line = st.text(_char, max_size=30).map(_stripped)


def _reads_as_one_item(text: str) -> bool:
    """'* text' followed by another item is one list of two items."""
    lines = text.count("\n") + 1
    tokens = _MARKDOWN.parse("* " + text.replace("\n", "\n  ") + "\n* next\n")
    blocks = [t.type for t in tokens if t.level == 0 and t.nesting >= 0]
    items = [t.map for t in tokens if t.type == "list_item_open" and t.level == 1]
    return blocks == ["bullet_list_open"] and items == [[0, lines], [lines, lines + 1]]


def _reads_as_body(text: str) -> bool:
    """Markdown that keeps to itself: no top-level heading, nothing left open."""
    tokens = _MARKDOWN.parse(text + "\n\n# End\n")
    found = [t for t in tokens if t.type == "heading_open" and t.level == 0]
    return len(found) == 1 and found[0].map == [text.count("\n") + 2, text.count("\n") + 3]


_fence = st.builds(
    lambda body: "```\n" + body + "\n```",
    st.lists(st.one_of(line, st.just("## Not a heading"), st.just("# Nor this")), max_size=3).map(
        "\n".join
    ),
)
_comment = line.filter(lambda t: "-->" not in t and "--" not in t).map(lambda t: f"<!-- {t} -->")
_bullets = st.lists(line, min_size=1, max_size=3).map(
    lambda items: "\n".join("* " + i for i in items)
)
_quote = line.map(lambda t: "> " + t)
_paragraph = st.lists(line, min_size=1, max_size=3).map("\n".join)
_block = st.one_of(_paragraph, _paragraph, _fence, _comment, _bullets, _quote)

body = st.lists(_block, min_size=1, max_size=4).map("\n\n".join).filter(_reads_as_body)
maybe_body = st.one_of(st.just(""), body)
description = body.filter(lambda t: not _ARGUMENT_ITEM.search(t))
item_text = st.one_of(line, line, st.lists(line, min_size=2, max_size=3).map("\n".join)).filter(
    _reads_as_one_item
)
argument_text = st.one_of(st.just(""), item_text)
option_title = line.filter(_reads_as_one_item)
heading_text = maybe_line.filter(lambda t: not layout.is_canonical_heading(t))
bare_after_list = body.filter(lambda t: re.match(r"^(?:\s|[*+-](?:\s|$)|\d{1,9}[.)])", t) is None)


def arguments(max_size: int = 3) -> st.SearchStrategy[Arguments]:
    texts = st.lists(argument_text, max_size=max_size).map(tuple)
    return st.builds(Arguments, texts, texts, texts)


@st.composite
def options(draw: st.DrawFn) -> tuple[Option, ...]:
    titles = draw(st.lists(option_title, max_size=6, unique_by=option_key))
    return tuple(
        Option(title, draw(st.one_of(st.just(""), description)), draw(arguments()))
        for title in titles
    )


_json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(_char, max_size=20),
)
metadata_value: st.SearchStrategy[Metadata] = st.recursive(
    _json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(_char, max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
metadata_key = st.text(_char, max_size=15).filter(lambda k: not layout.names_a_field(k))


@st.composite
def _extras(draw: st.DrawFn, content: Content) -> tuple[ExtraSection, ...]:
    detailed = any(o.description or o.arguments for o in content.options)
    present = {
        layout.TITLE: True,
        layout.CONTEXT: bool(content.context),
        layout.DRIVERS: bool(content.drivers),
        layout.OPTIONS: bool(content.options),
        layout.OUTCOME: bool(content.outcome.chosen or content.outcome.justification),
        layout.CONSEQUENCES: bool(content.consequences),
        layout.CONFIRMATION: bool(content.confirmation),
        layout.PROS_AND_CONS: detailed,
        layout.MORE_INFORMATION: bool(content.more_information),
    }
    bare_text = {
        layout.PREAMBLE: body,
        layout.TITLE: body,
        layout.DRIVERS: bare_after_list,
        layout.OPTIONS: bare_after_list,
        layout.CONSEQUENCES: bare_after_list,
        layout.PROS_AND_CONS: body,
    }
    sections: list[ExtraSection] = []
    for slot in layout.SLOTS:
        if slot in bare_text and (slot == layout.PREAMBLE or present[slot]) and draw(st.booleans()):
            sections.append(ExtraSection("", draw(bare_text[slot]), 0, slot))
        if slot == layout.PREAMBLE or not present[slot]:
            continue
        top = 2 if slot == layout.PROS_AND_CONS else 6
        for _ in range(draw(st.integers(0, 2))):
            level = draw(st.integers(1, top))
            sections.append(ExtraSection(draw(heading_text), draw(maybe_body), level, slot))
    return tuple(sections)


@st.composite
def contents(draw: st.DrawFn) -> Content:
    opts = draw(options())
    chosen = draw(st.sampled_from(["", *(o.title for o in opts)]))
    content = Content(
        context=draw(maybe_body),
        drivers=tuple(draw(st.lists(item_text, max_size=4))),
        options=opts,
        outcome=Outcome(chosen, draw(maybe_body)),
        consequences=draw(arguments()),
        confirmation=draw(maybe_body),
        more_information=draw(maybe_body),
        extra_metadata=tuple(
            draw(st.dictionaries(metadata_key, metadata_value, max_size=3)).items()
        ),
    )
    return replace(content, extra_sections=draw(_extras(content)))


def _valid(normalise: Callable[[str], str], text: str) -> bool:
    try:
        normalise(text)
    except InvalidValue:
        return False
    return True


person = line.filter(lambda t: 0 < len(" ".join(t.split())) <= 200)
tag = line.filter(lambda t: _valid(tag_of, t))
ref = st.builds(
    DecisionRef,
    st.one_of(st.just(LOG), st.sampled_from(["payments", "and-or", "web-2"]).map(LogSlug)),
    st.integers(1, 99_999).map(DecisionNumber),
)
links = st.frozensets(st.builds(Link, st.sampled_from(LinkKind), ref), max_size=5)


@st.composite
def decisions(draw: st.DrawFn) -> Decision:
    return Decision(
        ref=DecisionRef(LOG, DecisionNumber(draw(st.integers(1, 99_999)))),
        title=draw(line.filter(lambda t: _valid(title_of, t))),
        status=draw(st.sampled_from(Status)),
        date=draw(st.dates()),
        decision_makers=draw(st.lists(person, max_size=3)),
        consulted=draw(st.lists(person, max_size=3)),
        informed=draw(st.lists(person, max_size=3)),
        tags=draw(st.lists(tag, max_size=4)),
        content=draw(contents()),
        links=draw(links),
        review_by=draw(st.none() | st.dates()),
    )


def file_name(decision: Decision) -> str:
    return f"{decision.ref.number.value:04d}-{slugify(decision.title)}.md"
