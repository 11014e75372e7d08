"""List cursors: opaque, bound to their list and filters, refused (never crashed on) when
they come from elsewhere or are made up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.cursors import (
    CURSOR_PATTERN,
    MAX_INT32,
    MAX_INT64,
    NUMBER,
    ROW_ID,
    SCORE,
    SLUG,
    VERSION,
    Cursors,
)
from application.errors import InvalidCursor

CURSORS = Cursors(b"a key from the settings")
SCOPE = ("decisions", "platform", "accepted", None, None, None, "kafka")

scopes = st.lists(st.one_of(st.none(), st.text(max_size=20), st.integers()), max_size=6)
numbers = st.integers(0, MAX_INT32)
row_ids = st.integers(1, MAX_INT64)
scores = st.floats(allow_nan=False, allow_infinity=False)
slugs = st.from_regex(r"\A[a-z0-9]{1,20}(-[a-z0-9]{1,20}){0,2}\Z")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@given(scopes, numbers, slugs)
def test_a_cursor_gives_back_its_key_to_the_list_that_wrote_it(
    scope: list[str | int | None], number: int, slug: str
) -> None:
    cursor = CURSORS.encode(scope, number, slug)
    assert re.match(CURSOR_PATTERN, cursor)
    assert CURSORS.decode(cursor, scope, NUMBER, SLUG) == (number, slug)


@given(scores, row_ids)
def test_a_score_comes_back_exactly(score: float, row_id: int) -> None:
    cursor = CURSORS.encode(SCOPE, score, row_id)
    assert CURSORS.decode(cursor, SCOPE, SCORE, ROW_ID) == (score, row_id)


@given(scopes, scopes, numbers)
def test_a_cursor_from_another_list_or_filters_is_refused(
    scope: list[str | int | None], other: list[str | int | None], number: int
) -> None:
    cursor = CURSORS.encode(scope, number)
    if scope == other:
        return
    with pytest.raises(InvalidCursor, match="another list"):
        CURSORS.decode(cursor, other, NUMBER)


def test_a_cursor_signed_with_another_key_is_refused() -> None:
    cursor = Cursors(b"another key").encode(SCOPE, 7)
    with pytest.raises(InvalidCursor, match="another list"):
        CURSORS.decode(cursor, SCOPE, NUMBER)


@given(st.text(max_size=300))
def test_made_up_text_is_refused_as_an_invalid_cursor(text: str) -> None:
    with pytest.raises(InvalidCursor):
        CURSORS.decode(text, SCOPE, NUMBER)


@pytest.mark.parametrize(
    "cursor",
    [
        _b64(b"int:\xc2\xb2"),  # the old format, with a superscript two
        _b64(b"int:99999999999999999999"),
        "garbage!",
        "=",
        "a" * 257,
        _b64(b"x" * 16),
        "",
    ],
)
def test_crafted_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        CURSORS.decode(cursor, SCOPE, NUMBER)


def _unsigned(scope: tuple[object, ...], payload: object) -> str:
    """What anyone can write when no key is configured: the tag is a plain digest."""
    raw = json.dumps(payload).encode()
    identity = json.dumps([1, *scope], separators=(",", ":"), ensure_ascii=False).encode()
    tag = hmac.new(b"", identity + b"\x00" + raw, hashlib.sha256).digest()[:16]
    return _b64(raw + tag)


@pytest.mark.parametrize(
    ("payload", "kinds"),
    [
        ([2**31], (NUMBER,)),
        ([-1], (NUMBER,)),
        ([2**63], (ROW_ID,)),
        ([0], (ROW_ID,)),
        ([True], (VERSION,)),
        (["7"], (NUMBER,)),
        ([1.5], (NUMBER,)),
        ([1], (SCORE,)),
        (["Not A Slug"], (SLUG,)),
        ([1, 2], (NUMBER,)),
        ({"n": 1}, (NUMBER,)),
    ],
)
def test_without_a_key_a_forged_cursor_still_only_holds_keys_in_range(
    payload: object, kinds: tuple[object, ...]
) -> None:
    unsigned = Cursors(b"")
    with pytest.raises(InvalidCursor, match=r"out of range|not one this list gave out"):
        unsigned.decode(_unsigned(SCOPE, payload), SCOPE, *kinds)  # type: ignore[arg-type]


def test_a_forged_float_that_is_not_finite_is_refused() -> None:
    raw = b"[NaN]"
    identity = json.dumps([1, *SCOPE], separators=(",", ":")).encode()
    tag = hmac.new(b"", identity + b"\x00" + raw, hashlib.sha256).digest()[:16]
    with pytest.raises(InvalidCursor):
        Cursors(b"").decode(_b64(raw + tag), SCOPE, SCORE)
