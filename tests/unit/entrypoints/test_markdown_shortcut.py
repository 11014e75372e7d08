"""The shortcut for plain sentences renders exactly what markdown-it and nh3 would."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from entrypoints.web.markdown import is_plain_paragraph, parsed_and_cleaned, render_markdown
from tests.web.seed import HOSTILE_MARKDOWN

_MARKS = ["", "", "", "*", "**", "_", "`"]
_WORDS = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6)
# Words, some wrapped in Markdown (emphasis, code), between separators: mostly plain
# punctuation, now and then a space too many, a tag, an entity, a tab or a list marker.
_WRAPPED = st.builds(lambda mark, word: mark + word + mark, st.sampled_from(_MARKS), _WORDS)
_SEPARATORS = st.sampled_from([*" ,.;:?'\"()/%+=-", "  ", "<b>", "&amp;", "\t", "- ", "*"])
_LINES = st.lists(st.tuples(_SEPARATORS, _WRAPPED).map("".join), max_size=8).map("".join)
_TEXTS = st.lists(st.tuples(_WORDS, _LINES).map("".join), min_size=1, max_size=4).map("\n".join)


@given(_TEXTS)
@example("Good, because it is simple to run")
@example('Chosen "Component 7" (50% cheaper)')
@example("Two lines\nof one paragraph")
@example("Plain *but* emphasised")
@example("Plain _but_ emphasised")
@example("Plain `but` code")
@example("Plain <b>but</b> tagged")
@settings(max_examples=300)
def test_a_plain_paragraph_renders_as_the_full_path_would(text: str) -> None:
    assert str(render_markdown(text)) == parsed_and_cleaned(text)


@given(st.text())
def test_any_text_renders_as_the_full_path_would(text: str) -> None:
    assert str(render_markdown(text)) == parsed_and_cleaned(text)


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE_MARKDOWN,
        "Plain until <b>here</b>",
        "Ends with two spaces  \nfor a line break",
        "- a list",
        "A\n===",
        "Fish & chips",
        "A [link](https://example.org)",
        "",
    ],
)
def test_markdown_and_markup_take_the_full_path(text: str) -> None:
    assert not is_plain_paragraph(text)
