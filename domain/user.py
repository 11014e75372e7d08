"""People who use the registry and their personal access tokens."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import InvalidValue
from domain.values import username_of

# A personal access token lives 90 days unless asked otherwise, and a year at most:
# a leaked token stops working by itself (ADR-0021).
TOKEN_DAYS_BY_DEFAULT = 90
TOKEN_DAYS_AT_MOST = 366


@dataclass(frozen=True, slots=True)
class User:
    """A user; `password_hash` is None for one who signs in only with tokens."""

    username: str
    is_admin: bool = False
    password_hash: str | None = None
    disabled: bool = False

    def __post_init__(self) -> None:
        username_of(self.username)

    def with_password(self, password_hash: str) -> User:
        return replace(self, password_hash=password_hash)

    def with_disabled(self, disabled: bool) -> User:
        return replace(self, disabled=disabled)


class TokenScope(StrEnum):
    """What a token may do: read only, or read and write (all its user's roles allow)."""

    READ = "read"
    READ_WRITE = "read write"

    @classmethod
    def parse(cls, text: str | None, field: str = "scope") -> TokenScope:
        """OAuth2's `scope`: space-separated words, `read` and `write` in any order;
        `write` includes reading. None or blank: read write, what a token could always do."""
        words = set((text or "").split())
        unknown = words - {"read", "write"}
        if unknown:
            raise InvalidValue(
                field,
                f"unknown scope {' '.join(sorted(unknown))!r}: use 'read' or 'read write'",
            )
        return cls.READ if words == {"read"} else cls.READ_WRITE

    @property
    def may_write(self) -> bool:
        return self is TokenScope.READ_WRITE


def token_expiry(
    now: datetime, *, in_days: int | None = None, at: datetime | None = None
) -> datetime:
    """When a token made `now` expires: `in_days` from now, or `at`, or the default;
    never later than TOKEN_DAYS_AT_MOST days from now."""
    if in_days is not None and at is not None:
        raise InvalidValue("expires_at", "give expires_in_days or expires_at, not both")
    if at is None:
        days = TOKEN_DAYS_BY_DEFAULT if in_days is None else in_days
        if not 1 <= days <= TOKEN_DAYS_AT_MOST:
            raise InvalidValue(
                "expires_in_days", f"a token lives 1 to {TOKEN_DAYS_AT_MOST} days, not {days}"
            )
        return now + timedelta(days=days)
    if at.tzinfo is None:
        raise InvalidValue("expires_at", "give a time zone, e.g. 2027-01-31T00:00:00Z")
    if at <= now:
        raise InvalidValue("expires_at", "the expiry must be in the future")
    if at > now + timedelta(days=TOKEN_DAYS_AT_MOST):
        raise InvalidValue(
            "expires_at", f"a token lives at most {TOKEN_DAYS_AT_MOST} days from its creation"
        )
    return at


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A personal access token; only the hash of its secret is ever stored.
    `expires_at` None: made before tokens expired (migration 0008), it never does."""

    id: str
    username: str
    name: str
    secret_hash: str
    created_at: datetime
    scope: TokenScope = TokenScope.READ_WRITE
    expires_at: datetime | None = None
