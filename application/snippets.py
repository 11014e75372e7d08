"""Snippets of matching text, as the search backends mark them and as the API shows them."""

from __future__ import annotations

import html
import re

# What the backends put around a match: control characters, which the backends strip
# from the text before they mark it, so that every one is a mark.
MATCH_START = "\x02"
MATCH_END = "\x03"
MARKS = MATCH_START + MATCH_END
_MARK = re.compile(f"[{MARKS}]")


def highlighted(marked: str) -> str:
    """HTML: <mark> around each match, everything else escaped; always well nested."""
    parts: list[str] = []
    open_mark = False
    position = 0
    for found in _MARK.finditer(marked):
        parts.append(html.escape(marked[position : found.start()]))
        position = found.end()
        starts = found[0] == MATCH_START
        if starts != open_mark:
            parts.append("<mark>" if starts else "</mark>")
            open_mark = starts
    parts.append(html.escape(marked[position:]))
    if open_mark:
        parts.append("</mark>")
    return "".join(parts)
