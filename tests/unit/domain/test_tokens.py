"""A personal access token's scope and lifetime: the rules of domain.user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.user import TOKEN_DAYS_AT_MOST, TOKEN_DAYS_BY_DEFAULT, TokenScope, token_expiry

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
_WORDS = st.lists(st.sampled_from(["read", "write"]), max_size=4)
_SPACE = st.text(" \t", min_size=1, max_size=3)


@given(_WORDS, _SPACE)
def test_a_scope_is_read_only_exactly_when_it_names_read_and_not_write(
    words: list[str], space: str
) -> None:
    scope = TokenScope.parse(space.join(words))
    assert scope.may_write is ("write" in words or not words)
    assert scope is (TokenScope.READ if set(words) == {"read"} else TokenScope.READ_WRITE)


def test_no_scope_is_read_write_what_tokens_could_always_do() -> None:
    assert TokenScope.parse(None) is TokenScope.READ_WRITE
    assert TokenScope.parse("  ") is TokenScope.READ_WRITE


@given(st.text(min_size=1).filter(lambda w: w.strip() and set(w.split()) - {"read", "write"}))
def test_an_unknown_scope_word_is_refused_by_name(text: str) -> None:
    with pytest.raises(InvalidValue, match="unknown scope") as refused:
        TokenScope.parse(text)
    assert refused.value.field == "scope"


@given(st.integers(min_value=1, max_value=TOKEN_DAYS_AT_MOST))
def test_a_token_lives_the_days_asked_within_the_bound(days: int) -> None:
    assert token_expiry(NOW, in_days=days) == NOW + timedelta(days=days)


@given(st.integers().filter(lambda d: not 1 <= d <= TOKEN_DAYS_AT_MOST))
def test_days_outside_the_bound_are_refused(days: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        token_expiry(NOW, in_days=days)
    assert refused.value.field == "expires_in_days"


@given(st.timedeltas(min_value=timedelta(seconds=-(10**7)), max_value=timedelta(days=400)))
def test_an_expiry_time_is_kept_only_if_in_the_future_and_within_the_bound(
    ahead: timedelta,
) -> None:
    at = NOW + ahead
    if timedelta(0) < ahead <= timedelta(days=TOKEN_DAYS_AT_MOST):
        assert token_expiry(NOW, at=at) == at
    else:
        with pytest.raises(InvalidValue) as refused:
            token_expiry(NOW, at=at)
        assert refused.value.field == "expires_at"


def test_without_a_lifetime_a_token_gets_the_default() -> None:
    assert token_expiry(NOW) == NOW + timedelta(days=TOKEN_DAYS_BY_DEFAULT)


def test_days_and_a_time_together_are_refused() -> None:
    with pytest.raises(InvalidValue, match="not both"):
        token_expiry(NOW, in_days=3, at=NOW + timedelta(days=3))
