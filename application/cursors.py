"""Opaque keyset cursors: the last key of a page, so that the next page starts after it.

A cursor is bound to the list that gave it out: it carries an HMAC-SHA256 tag over that
list's identity (which list, of what, with which filters) and the key, under the key of
the `cursor_key` setting. A cursor from another list or query, or one made up, fails the
check and is refused as InvalidCursor, before anything reaches the database; the key's
parts are checked against their ranges all the same. Without a configured key the tag is
still a digest of list and key: cursors stay bound to their list, but can be forged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from application.errors import InvalidCursor

# base64url without padding, as every cursor is written; what the API documents.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,256}$"
_CURSOR = re.compile(CURSOR_PATTERN)
_TAG_BYTES = 16
_FORMAT = 1
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# What the database columns hold: integer (numbers, versions) and bigint (row ids).
MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1

KeyPart = int | float | str
# What identifies a list: its name and everything that selects its items.
Scope = Sequence[str | int | None]


@dataclass(frozen=True, slots=True)
class Kind:
    """What one part of a list's key may be."""

    name: str
    accepts: Callable[[object], bool]


def _whole(low: int, high: int) -> Callable[[object], bool]:
    return lambda value: type(value) is int and low <= value <= high


NUMBER = Kind("decision number", _whole(0, MAX_INT32))
VERSION = Kind("version", _whole(0, MAX_INT32))
ROW_ID = Kind("row id", _whole(1, MAX_INT64))
SCORE = Kind("score", lambda value: type(value) is float and math.isfinite(value))
TOKEN_ID = Kind(
    "token id",
    lambda value: isinstance(value, str) and bool(re.fullmatch(r"[0-9a-f]{1,64}", value)),
)
SLUG = Kind(
    "slug", lambda value: isinstance(value, str) and len(value) <= 64 and bool(_SLUG.match(value))
)

_WHAT_TO_PASS = "pass the next_cursor of the previous page, or leave cursor out for the first"
_NOT_OURS = f"the cursor is not one this list gave out: {_WHAT_TO_PASS}"
_OTHER_LIST = (
    "the cursor belongs to another list, or to other filters or another query: " + _WHAT_TO_PASS
)


class Cursors:
    """Writes and checks the cursors of every list."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encode(self, scope: Scope, *key: KeyPart) -> str:
        payload = json.dumps(list(key), separators=(",", ":"), allow_nan=False).encode()
        raw = payload + self._tag(scope, payload)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str, scope: Scope, *kinds: Kind) -> tuple[Any, ...]:
        """The key a cursor holds, if this list, with this scope, gave it out."""
        if not _CURSOR.match(cursor):
            raise InvalidCursor(_NOT_OURS)
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursor(_NOT_OURS) from None
        if len(raw) <= _TAG_BYTES:
            raise InvalidCursor(_NOT_OURS)
        payload, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
        if not hmac.compare_digest(tag, self._tag(scope, payload)):
            raise InvalidCursor(_OTHER_LIST)
        try:
            parts = json.loads(payload, parse_constant=_no_constants)
        except ValueError:
            raise InvalidCursor(_NOT_OURS) from None
        if not isinstance(parts, list) or len(parts) != len(kinds):
            raise InvalidCursor(_NOT_OURS)
        for part, kind in zip(parts, kinds, strict=True):
            if not kind.accepts(part):
                raise InvalidCursor(f"the cursor holds a {kind.name} out of range: {_WHAT_TO_PASS}")
        return tuple(parts)

    def _tag(self, scope: Scope, payload: bytes) -> bytes:
        identity = json.dumps([_FORMAT, *scope], separators=(",", ":"), ensure_ascii=False)
        message = identity.encode("utf-8", "surrogatepass") + b"\x00" + payload
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_TAG_BYTES]


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a key")
