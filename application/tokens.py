"""Personal access tokens: random secrets of which only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "adr_"


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # A token has 256 bits of entropy, so one fast hash suffices: no salt or KDF needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_id() -> str:
    return secrets.token_hex(8)
