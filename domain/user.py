"""People who use the registry and their personal access tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.values import username_of


@dataclass(frozen=True, slots=True)
class User:
    username: str
    is_admin: bool = False

    def __post_init__(self) -> None:
        username_of(self.username)


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A personal access token; only the hash of its secret is ever stored."""

    id: str
    username: str
    name: str
    secret_hash: str
    created_at: datetime
