"""The password policy: length decides, and the first guesses are refused by name."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.password_policy import COMMON_PASSWORDS, MAX_LENGTH, MIN_LENGTH, check_password

# Letters and digits only, so a drawn password never holds a control character.
_PLAIN = st.characters(categories=("Ll", "Lu", "Nd"))


@given(st.text(_PLAIN, min_size=MIN_LENGTH, max_size=MAX_LENGTH))
def test_any_long_enough_password_without_the_username_is_accepted(password: str) -> None:
    assume(len(set(password)) > 1 and password.casefold() not in COMMON_PASSWORDS)
    # '@' is no letter or digit, so the drawn password cannot contain this username.
    assert check_password(password, username="ann@x") == password


@given(st.text(_PLAIN, max_size=MIN_LENGTH - 1))
def test_a_short_password_is_refused_with_the_length_to_reach(password: str) -> None:
    with pytest.raises(InvalidValue, match=f"at least {MIN_LENGTH}") as refused:
        check_password(password, username="ann")
    assert refused.value.field == "password"


def test_a_pass_phrase_with_spaces_and_any_script_is_welcome() -> None:
    assert check_password("grüne tür am see 7", username="ann")
    assert check_password("日本語のパスフレーズです", username="ann")


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("x" * (MAX_LENGTH + 1), "at most 128"),
        ("ann-the-great-2026", "contains the username"),
        ("ANN-THE-GREAT-2026", "contains the username"),
        ("aaaaaaaaaaaaaaaa", "one character repeated"),
        ("Password1234", "most common passwords"),
        ("correct horse battery staple", "most common passwords"),
        ("long enough\x00but nul", "control character"),
    ],
)
def test_guessable_passwords_are_refused_saying_why(password: str, says: str) -> None:
    with pytest.raises(InvalidValue, match=says):
        check_password(password, username="ann")


def test_a_username_of_two_letters_is_too_common_a_substring_to_forbid() -> None:
    assert check_password("a rather long phrase", username="ra")
