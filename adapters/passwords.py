"""Argon2id password hashes (argon2-cffi), computed off the event loop."""

from __future__ import annotations

import asyncio
from functools import cached_property

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError

from application.ports import PasswordHasher


class Argon2PasswordHasher(PasswordHasher):
    """argon2id with the library's defaults: RFC 9106's second recommended profile."""

    def __init__(self, hasher: Argon2 | None = None) -> None:
        self._argon2 = hasher or Argon2()

    @cached_property
    def _decoy(self) -> str:
        # Made once, with the current parameters, so checking it costs what a real one does.
        return self._argon2.hash("a password nobody has")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._matches, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)

    def _matches(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:
            self._matches(self._decoy, password)
            return False
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
