"""People who use the registry and their personal access tokens."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from domain.values import username_of


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


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A personal access token; only the hash of its secret is ever stored."""

    id: str
    username: str
    name: str
    secret_hash: str
    created_at: datetime
