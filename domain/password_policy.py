"""What a password must be, after ASVS v4 2.1: long enough, not guessable, no other rules.

Length is what makes a password strong, so there are no composition rules (a digit,
a symbol); spaces and any Unicode are allowed, and a pass phrase is welcome. The
refusals are the passwords an attacker tries first: the username, one repeated
character, and the most common passwords of breach corpora.
"""

from __future__ import annotations

import unicodedata

from domain.errors import InvalidValue

MIN_LENGTH = 12
MAX_LENGTH = 128

# The most common passwords of 12 characters or more in published breach lists; the
# shorter ones already fail the length rule.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789012345",
        "1234567890123456",
        "123123123123",
        "111111111111",
        "000000000000",
        "qwertyuiopasdfghjkl",
        "qwertyuiopas",
        "qwertyuiop123",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "zaq12wsxcde3",
        "passwordpassword",
        "password1234",
        "password12345",
        "password123456",
        "administrator",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "changeme1234",
        "abcdefghijkl",
        "abc123abc123",
        "correcthorsebatterystaple",
        "correct horse battery staple",
    }
)


def check_password(password: str, *, username: str) -> str:
    """`password` if it meets the policy; else InvalidValue saying what to change."""
    length = len(unicodedata.normalize("NFC", password))
    if length < MIN_LENGTH:
        raise InvalidValue(
            "password",
            f"is {length} characters; use at least {MIN_LENGTH} (a few unrelated words "
            "make a pass phrase that is long and easy to remember)",
        )
    if length > MAX_LENGTH:
        raise InvalidValue("password", f"is {length} characters; use at most {MAX_LENGTH}")
    if any(unicodedata.category(c) == "Cc" for c in password):
        raise InvalidValue("password", "contains a control character (a NUL, a tab or a newline)")
    folded = password.casefold()
    # A name of one or two letters is in too many words to forbid.
    if len(username) >= 3 and username.casefold() in folded:
        raise InvalidValue("password", "contains the username; choose one that does not")
    if len(set(folded)) == 1:
        raise InvalidValue("password", "is one character repeated; choose a pass phrase")
    if folded in COMMON_PASSWORDS:
        raise InvalidValue(
            "password", "is among the most common passwords in breach lists; choose another"
        )
    return password
