"""Files built to cost the parser minutes are refused before YAML or Markdown reads them
(issue #8, finding 1), quickly, with the line and a message that says what to do."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.madr.errors import InvalidMadr as MadrInvalid
from adapters.madr.front_matter import MAX_DEPTH, read_front_matter
from application.errors import InvalidMadr
from application.markdown_files import decode_markdown


def _front(yaml: str) -> list[str]:
    return ["---", *yaml.split("\n"), "---", "# Title"]


@pytest.mark.parametrize(
    ("yaml", "says"),
    [
        ("x: " + "[" * 20_000 + "]" * 20_000, "nested over"),
        ("x: " + "{a: " * 5_000 + "1" + "}" * 5_000, "nested over"),
        ("x:\n" + "".join(" " * (2 * n) + "- a:\n" for n in range(200)), "nested over"),
        ("x: " + "- " * 5_000 + "a", "nested over"),
        ("\n".join(f"k{n}: {n}" for n in range(60_000)), "over 500 lines"),
        ("x: {" + ", ".join(f"k{n}: 1" for n in range(2_000)) + "}", "over 500 keys"),
    ],
)
def test_costly_front_matter_is_refused_before_yaml_reads_it(yaml: str, says: str) -> None:
    started = time.perf_counter()
    with pytest.raises(MadrInvalid, match=says):
        read_front_matter(_front(yaml))
    assert time.perf_counter() - started < 0.5


@given(st.integers(min_value=1, max_value=MAX_DEPTH - 2))
def test_nesting_within_the_bound_is_read(depth: int) -> None:
    entries = read_front_matter(_front("x: " + "[" * depth + "1" + "]" * depth)).entries
    value: object = entries[0].value
    for _ in range(depth):
        assert isinstance(value, list)
        value = value[0]
    assert value == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("# Title\n\n" + "a\n=\n" * 250_000, "lines"),
        ("# Title\n\n" + "a\n" * 30_000, "lines"),
        ("# Title\n\n" + "## h\n" * 5_000, "headings"),
    ],
)
def test_files_with_too_many_lines_or_headings_are_refused_before_parsing(
    text: str, says: str
) -> None:
    with pytest.raises(InvalidMadr, match=says) as raised:
        decode_markdown("0001-x.md", text.encode()[: 1024 * 1024])
    assert raised.value.rule == "unreadable-file"
