"""Markdown from decisions is untrusted: rendered without raw HTML, then sanitised.

markdown-it escapes raw HTML and refuses `javascript:`, `vbscript:`, `file:` and `data:`
links; nh3 (ammonia) then keeps only known tags, attributes and URL schemes, and gives
every link `rel="nofollow noopener noreferrer"`. Images are not rendered: a page makes
no request to another host, so `![alt](url)` stays a link.

Most texts of a decision are one plain sentence (a driver, an argument, a
justification), and markdown-it, pure Python, takes a tenth of a millisecond even for
those: a decision page has ten of them. A text made of lines that start with a letter
and hold only letters, digits, spaces and harmless punctuation can open no Markdown
construct and holds nothing to escape, so it is one paragraph of itself; it skips both
passes. A property test holds the shortcut to the full path's output.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"http", "https", "mailto"}
# Built once: a Cleaner set up per call costs as much as the cleaning.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=_SCHEMES,
    link_rel="nofollow noopener noreferrer",
)
_SNIPPET_CLEANER = nh3.Cleaner(tags={"mark"}, attributes={})
# One plain line: a word character first (no digit, no underscore), then letters, digits,
# spaces and punctuation that neither starts nor closes any Markdown construct and needs
# no escaping; no space last (two would be a line break). A plain paragraph is plain
# lines, none of them blank.
_PLAIN_LINE = r"""[^\W\d_](?:[^\W_]|[ ,.;:?'"()/%+=-])*(?<! )"""
_PLAIN_PARAGRAPH = re.compile(rf"{_PLAIN_LINE}(?:\n{_PLAIN_LINE})*")


def is_plain_paragraph(text: str) -> bool:
    """Whether `text` renders as one paragraph holding exactly its own characters."""
    return _PLAIN_PARAGRAPH.fullmatch(text) is not None


def parsed_and_cleaned(text: str) -> str:
    """The full path: markdown-it without raw HTML, then nh3."""
    return _CLEANER.clean(_PARSER.render(text))


def render_markdown(text: str) -> Markup:
    if is_plain_paragraph(text):
        return Markup(f"<p>{text}</p>\n")
    return Markup(parsed_and_cleaned(text))


def marked_snippet(snippet: str) -> Markup:
    """A search snippet: escaped text with <mark> around what matched, and nothing else."""
    return Markup(_SNIPPET_CLEANER.clean(snippet))
