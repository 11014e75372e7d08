"""Markdown from decisions is untrusted: rendered without raw HTML, then sanitised.

markdown-it escapes raw HTML and refuses `javascript:`, `vbscript:`, `file:` and `data:`
links; nh3 (ammonia) then keeps only known tags, attributes and URL schemes, and gives
every link `rel="nofollow noopener noreferrer"`. Images are not rendered: a page makes
no request to another host, so `![alt](url)` stays a link.
"""

from __future__ import annotations

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


def render_markdown(text: str) -> Markup:
    html = _PARSER.render(text)
    return Markup(
        nh3.clean(
            html,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes=_SCHEMES,
            link_rel="nofollow noopener noreferrer",
        )
    )


def marked_snippet(snippet: str) -> Markup:
    """A search snippet: escaped text with <mark> around what matched, and nothing else."""
    return Markup(nh3.clean(snippet, tags={"mark"}, attributes={}))
