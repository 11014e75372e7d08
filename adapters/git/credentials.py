"""Credentials for a private git remote: kept in the settings (per log), never shown by
the API, and scrubbed from every reason a sync records."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class GitCredential:
    username: str
    password: str

    def __repr__(self) -> str:
        return f"GitCredential(username={self.username!r}, password='***')"

    def scrub(self, text: str) -> str:
        """`text` with the password (and its URL-quoted form) replaced by ***."""
        for secret in {self.password, quote(self.password, safe="")}:
            if secret:
                text = text.replace(secret, "***")
        return text
