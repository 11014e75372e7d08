"""Opaque keyset cursors: the last key of a page, so the next page starts after it."""

from __future__ import annotations

import base64
import binascii

from domain.errors import InvalidValue


def encode_cursor(key: str | int) -> str:
    raw = f"{type(key).__name__}:{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_int_cursor(cursor: str) -> int:
    value = _decode(cursor, "int")
    if not value.isdigit():
        raise _invalid()
    return int(value)


def decode_str_cursor(cursor: str) -> str:
    return _decode(cursor, "str")


def _decode(cursor: str, kind: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid() from None
    prefix, sep, value = raw.partition(":")
    if prefix != kind or not sep:
        raise _invalid()
    return value


def _invalid() -> InvalidValue:
    return InvalidValue(
        "cursor", "is not a cursor this list gave out: pass next_cursor from the previous page"
    )
