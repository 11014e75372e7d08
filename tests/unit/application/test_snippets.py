"""Snippets are HTML: <mark> around matches, everything else escaped, always well nested."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from application.snippets import MATCH_END, MATCH_START, highlighted

marked_text = st.lists(
    st.one_of(st.text(max_size=10), st.sampled_from([MATCH_START, MATCH_END, "<", "&", '"']))
).map("".join)


def test_matches_are_marked_and_the_rest_escaped() -> None:
    marked = f"a <script>&{MATCH_START}kafka{MATCH_END} 'x'"
    assert highlighted(marked) == "a &lt;script&gt;&amp;<mark>kafka</mark> &#x27;x&#x27;"


@given(marked_text)
def test_any_marked_text_becomes_well_nested_escaped_html(marked: str) -> None:
    out = highlighted(marked)
    tags = re.findall(r"</?mark>", out)
    assert tags == ["<mark>", "</mark>"] * (len(tags) // 2)
    text = re.sub(r"</?mark>", "", out)
    assert "<" not in text
    assert ">" not in text
    assert html.unescape(text) == marked.replace(MATCH_START, "").replace(MATCH_END, "")
