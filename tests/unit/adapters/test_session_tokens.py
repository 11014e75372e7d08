"""The JWT adapter remembers what it verified, and only while the token is valid."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from adapters.session_tokens import JwtSessionTokens
from application.errors import NotAuthenticated
from domain.user import TokenScope

KEYS = {"k1": b"s" * 32}


def tokens() -> JwtSessionTokens:
    return JwtSessionTokens(
        KEYS, issuer="adr-registry", audience="adr-registry", lifetime=timedelta(minutes=15)
    )


def test_a_remembered_token_is_not_checked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = tokens()
    token = adapter.issue("ann", datetime.now(UTC), TokenScope.READ).access_token
    first = adapter.verified(token)
    decoded: list[str] = []
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: decoded.append("again"))
    assert adapter.verified(token) == first
    assert first.username == "ann"
    assert decoded == []


def test_a_remembered_token_stops_working_when_it_expires() -> None:
    adapter = JwtSessionTokens(
        KEYS,
        issuer="adr-registry",
        audience="adr-registry",
        lifetime=timedelta(minutes=15),
        leeway=timedelta(0),
    )
    # Issued so that it expires a second from now.
    issued = datetime.now(UTC) - timedelta(minutes=15) + timedelta(seconds=1)
    token = adapter.issue("ann", issued, TokenScope.READ_WRITE).access_token
    adapter.verified(token)
    time.sleep(1.2)
    with pytest.raises(NotAuthenticated, match="expired"):
        adapter.verified(token)


def test_a_refused_token_is_never_remembered() -> None:
    adapter = tokens()
    other = JwtSessionTokens(
        {"k1": b"w" * 32},
        issuer="adr-registry",
        audience="adr-registry",
        lifetime=timedelta(minutes=15),
    )
    forged = other.issue("ann", datetime.now(UTC), TokenScope.READ_WRITE).access_token
    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            adapter.verified(forged)
