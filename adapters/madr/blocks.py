"""The Markdown structure of a file, read with markdown-it as lines, headings and blocks.

Section bodies are cut from the source lines (never re-serialised from tokens), so they
stay verbatim; markdown-it only says where headings, lists and list items are, which
keeps `## ` lines inside code fences and HTML blocks out of the structure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark")
_LIST_MARKER = re.compile(r"^( {0,3})([*+-]|[0-9]{1,9}[.)])([ \t]*)")


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


def headings(lines: Sequence[str], offset: int) -> list[Heading]:
    """The top-level headings from line `offset` on (not those in lists or quotes)."""
    tokens = _MARKDOWN.parse("\n".join(lines[offset:]))
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            content = tokens[index + 1].content
            text = " ".join(part.strip() for part in content.split("\n")).strip()
            start, end = token.map
            found.append(Heading(offset + start, offset + end, int(token.tag[1:]), text))
    return found


def blocks_of(lines: Sequence[str]) -> list[Block]:
    """The top-level blocks of `lines`, with the items of each list."""
    blocks: list[Block] = []
    for token in _MARKDOWN.parse("\n".join(lines)):
        if token.map is None or token.nesting < 0:
            continue
        start, end = token.map
        if token.level == 0:
            blocks.append(Block(token.type.removesuffix("_open"), start, end))
        elif token.level == 1 and token.type == "list_item_open" and blocks:
            blocks[-1].items.append(Item(start, _item_text(lines[start:end])))
    return blocks


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
