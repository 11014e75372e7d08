"""The Markdown structure of a file, read once as lines, headings and blocks.

Section bodies are cut from the source lines (never re-serialised from tokens), so they
stay verbatim; the structure only says where headings, lists and list items are, which
keeps `## ` lines inside code fences and HTML blocks out of it.

A file is read once (`outline`). Most MADR files hold only ATX headings, paragraphs,
lists, fenced code, HTML comments and thematic breaks, and a line-based pass reads those
the way CommonMark does; a file with any line it is not sure of (a quote, other HTML, a
setext heading, a tab or odd indent, indented code, a link definition...) goes to
markdown-it, the reference. Either way the blocks between two headings are those
markdown-it finds in those lines alone, as each section was read before.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

# Block structure only: inline parsing says nothing about where blocks are.
_MARKDOWN = MarkdownIt("commonmark").disable(["inline", "text_join"])
_LIST_MARKER = re.compile(r"^( {0,3})([*+-]|[0-9]{1,9}[.)])([ \t]*)")
# The line-based pass: an ATX heading; a list item's marker (a bullet, or a number and
# its delimiter), one to four spaces and its text; fences; HTML comments; thematic
# breaks; and what keeps a line (from its first non-space) from being plain paragraph
# text: indent, HTML, a quote, a fence, a list marker, a heading, a setext underline or
# a thematic break.
_ATX = re.compile(r"#{1,6}(?=[ \t]|$)")
_ITEM = re.compile(r"(?:([*+-])|([0-9]{1,9})([.)]))( {1,4})(?=[^ \t])")
_OPENING_FENCE = re.compile(r"`{3,}|~{3,}")
_CLOSING_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*$")
_COMMENT, _COMMENT_END = "<!--", "-->"
_THEMATIC_BREAK = re.compile(r"([*_-])(?:[ \t]*\1){2,}[ \t]*$")
_NOT_PLAIN = re.compile(
    r"[ \t<>]|```|~~~|[*+-](?:[ \t]|$)|#{1,6}(?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)"
    r"|(?:=+|-+)[ \t]*$|([*_-])(?:[ \t]*\1){2,}[ \t]*$"
)
_LINK_DEFINITION = "]:"


def lines_of(text: str) -> list[str]:
    """The file's lines: BOM dropped, CRLF and CR read as LF, NUL as U+FFFD (CommonMark)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\0", "\ufffd").split("\n")


def is_blank(line: str) -> bool:
    return not line.strip(" \t")


def text_of(lines: Sequence[str]) -> str:
    """Lines joined, without the blank lines around them."""
    start, end = 0, len(lines)
    while start < end and is_blank(lines[start]):
        start += 1
    while end > start and is_blank(lines[end - 1]):
        end -= 1
    return "\n".join(lines[start:end])


@dataclass(frozen=True, slots=True)
class Heading:
    start: int  # index of its first line
    end: int  # index after its last line (a setext heading spans two or more)
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Item:
    start: int
    text: str


@dataclass(slots=True)
class Block:
    """A top-level block; `items` are a list's own items."""

    kind: str
    start: int
    end: int
    items: list[Item] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return self.kind in ("bullet_list", "ordered_list")


@dataclass(slots=True)
class _Span:
    """A top-level block: its lines, up to its last non-blank one, and its items'."""

    kind: str
    start: int
    end: int
    items: tuple[tuple[int, int], ...] = ()


class Outline:
    """The top-level headings and blocks of a file's lines from some offset on."""

    __slots__ = ("_spans", "_starts", "headings", "lines")

    def __init__(self, lines: Sequence[str], spans: list[_Span], found: list[Heading]) -> None:
        self.lines = lines
        self.headings = found  # not those in lists or quotes
        self._spans = spans
        self._starts = [span.start for span in spans]

    def blocks(self, start: int, end: int) -> list[Block]:
        """The top-level blocks of lines[start:end], numbered from `start`, with the items
        of each list: what markdown-it finds in those lines alone, when neither end falls
        inside a block (the range runs between headings, or to the end). A block's end
        leaves out the blank lines after it."""
        lines = self.lines
        found = []
        for span in self._spans[bisect_left(self._starts, start) : bisect_left(self._starts, end)]:
            block = Block(span.kind, span.start - start, min(span.end, end) - start)
            block.items.extend(
                Item(first - start, _item_text(lines[first : min(stop, end)]))
                for first, stop in span.items
            )
            found.append(block)
        return found


def outline(lines: Sequence[str], offset: int = 0) -> Outline:
    """The structure of lines[offset:], read once."""
    simple = _by_lines(lines, offset)
    return simple if simple is not None else _by_markdown_it(lines, offset)


def _by_markdown_it(lines: Sequence[str], offset: int) -> Outline:
    """The outline as markdown-it reads it, the reference: any Markdown at all."""
    tokens = _MARKDOWN.parse("\n".join(lines[offset:]))
    spans: list[tuple[str, int, int, list[tuple[int, int]]]] = []
    found: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.map is None or token.nesting < 0:
            continue
        start, end = offset + token.map[0], offset + token.map[1]
        if token.level == 0:
            spans.append((token.type.removesuffix("_open"), start, _last(lines, start, end), []))
            if token.type == "heading_open":
                text = _heading_text(tokens[index + 1].content)
                found.append(Heading(start, end, int(token.tag[1:]), text))
        elif token.level == 1 and token.type == "list_item_open" and spans:
            spans[-1][3].append((start, _last(lines, start, end)))
    return Outline(lines, [_Span(k, s, e, tuple(items)) for k, s, e, items in spans], found)


def _last(lines: Sequence[str], start: int, end: int) -> int:
    """`end`, less the blank lines before it (a block keeps at least its first line)."""
    while end > start + 1 and is_blank(lines[end - 1]):
        end -= 1
    return end


def _heading_text(content: str) -> str:
    return " ".join(part.strip() for part in content.split("\n")).strip()


def _by_lines(lines: Sequence[str], offset: int) -> Outline | None:
    """The outline of a file made of ATX headings, paragraphs, fenced code, HTML comments
    and thematic breaks at column 0, and lists whose items hold text, one-line comments
    and lists indented to the item's text, read as CommonMark reads them; None for any
    other file.
    """
    spans: list[_Span] = []
    found: list[Heading] = []
    kind = ""  # the open top-level block, "" for none
    start = last = 0  # its first and last non-blank line
    marker = ""  # a list's bullet or delimiter; a fence's opening run
    width = 0  # the column a list's open item's text starts at
    items: list[list[int]] = []  # a list's items: their first and last non-blank line
    text = False  # a paragraph is open, which a plain line continues (lazily in a list)
    for index in range(offset, len(lines)):
        line = lines[index]
        if kind == "fence":
            closing = _CLOSING_FENCE.match(line)
            if closing and closing[1][0] == marker[0] and len(closing[1]) >= len(marker):
                spans.append(_Span(kind, start, index + 1))
                kind = ""
            continue
        if kind == "html_block":
            if _COMMENT_END in line:
                spans.append(_Span(kind, start, index + 1))
                kind = ""
            continue
        if not line.strip(" \t"):
            text = False
            continue
        if _LINK_DEFINITION in line:
            return None
        if line[0] == " ":  # only a list item's text may be indented
            content = line.lstrip(" ")
            if not items or not width <= len(line) - len(content) < width + 4:
                return None
            inner = _inner(content, text)
            if inner is None:
                return None
            last = items[-1][1] = index
            text = inner
            continue
        if _THEMATIC_BREAK.match(line):
            if line[0] == "-" and kind == "paragraph" and text:
                return None  # a setext heading's underline
            if kind:
                spans.append(_span(kind, start, last, items))
            spans.append(_Span("hr", index, index + 1))
            kind, items, text = "", [], False
            continue
        item = _ITEM.match(line)
        if item is not None and item[2] and kind == "paragraph" and text and int(item[2]) != 1:
            last = index  # only '1.' starts an ordered list inside a paragraph
            continue
        if item is not None:
            inner = _inner(line[item.end() :], False)
            if inner is None:
                return None
            list_kind, list_marker = (
                ("bullet_list", item[1]) if item[1] else ("ordered_list", item[3])
            )
            if kind != list_kind or marker != list_marker:
                if kind:
                    spans.append(_span(kind, start, last, items))
                kind, marker, start, items = list_kind, list_marker, index, []
            items.append([index, index])
            width, last, text = item.end(), index, inner
            continue
        if text and not _NOT_PLAIN.match(line):  # a paragraph goes on
            if items:
                items[-1][1] = index
            last = index
            continue
        if kind:
            spans.append(_span(kind, start, last, items))
        kind, start, last, items, text = "", index, index, [], False
        heading = _ATX.match(line) if line[0] == "#" else None
        fence = _OPENING_FENCE.match(line) if heading is None else None
        if heading is not None:
            level = heading.end()
            found.append(Heading(index, index + 1, level, _atx_text(line[level:])))
            spans.append(_Span("heading", index, index + 1))
        elif line.startswith(_COMMENT):
            if _COMMENT_END in line:
                spans.append(_Span("html_block", index, index + 1))
            else:
                kind = "html_block"
        elif fence is not None:
            if fence[0][0] == "`" and "`" in line[fence.end() :]:
                return None  # no fence: text with code in it
            kind, marker = "fence", fence[0]
        elif _NOT_PLAIN.match(line):
            return None
        else:
            kind, text = "paragraph", True
    if kind in ("fence", "html_block"):
        spans.append(_Span(kind, start, _last(lines, start, len(lines))))
    elif kind:
        spans.append(_span(kind, start, last, items))
    return Outline(lines, spans, found)


def _span(kind: str, start: int, last: int, items: list[list[int]]) -> _Span:
    return _Span(kind, start, last + 1, tuple((first, end + 1) for first, end in items))


def _inner(content: str, after_text: bool) -> bool | None:
    """Whether a list item's text (`content`, from a line or after its marker) leaves a
    paragraph open, not a comment; None when this pass cannot tell."""
    item = _ITEM.match(content)
    if item is not None:  # a nested list's item
        if item[2] and after_text and int(item[2]) != 1:
            return None  # a paragraph's text or a list: left to markdown-it
        content = content[item.end() :]
    if content.startswith(_COMMENT):
        return False if _COMMENT_END in content else None
    return None if _NOT_PLAIN.match(content) else True


def _atx_text(rest: str) -> str:
    """An ATX heading's text, as markdown-it cuts it: without a closing '#' sequence."""
    end = len(rest.rstrip(" \t"))
    closing = len(rest[:end].rstrip("#"))
    if closing and rest[closing - 1] in " \t":
        end = closing
    return rest[:end].strip()


def _item_text(lines: Sequence[str]) -> str:
    """A list item's source without its marker, continuation lines de-indented."""
    first = lines[0]
    marker = _LIST_MARKER.match(first)
    if marker is None:  # markdown-it found an item here, so this does not happen
        return text_of(lines)
    lead, bullet, pad = marker.groups()
    # CommonMark: five or more spaces after the marker start indented code one space in.
    width = len(lead) + len(bullet) + (len(pad) if 0 < len(pad) <= 4 else 1)
    content = first[marker.end() :] if len(pad) <= 4 else first[len(lead) + len(bullet) + 1 :]
    rest = [_dedent(line, width) for line in lines[1:]]
    return text_of([content, *rest])


def _dedent(line: str, width: int) -> str:
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, width) :]


def item_lines(text: str, marker: str = "*") -> str:
    """`text` as one list item: continuation lines indented under the first."""
    first, *rest = text.split("\n")
    indent = " " * (len(marker) + 1)
    tail = "".join("\n" + (indent + line if line else "") for line in rest)
    return (f"{marker} {first}" if first else marker) + tail


def heading_line(level: int, text: str) -> str:
    """An ATX heading that reads back as `text`; a closing '#' keeps trailing '#'s."""
    closing = " #" if text.endswith("#") else ""
    return f"{'#' * level} {text}{closing}" if text else "#" * level
