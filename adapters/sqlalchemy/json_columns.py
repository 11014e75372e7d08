"""Reading JSON columns with orjson, without its two departures from the stdlib's JSON.

orjson parses several times faster than `json`, but reads an integer wider than 64 bits
as a float (losing digits) and refuses NaN and Infinity, which `json.dumps` writes. Text
with a long run of digits, or that orjson refuses, is read by `json` instead, so a value
always reads back as `json` would read it. Writes stay with `json.dumps` for the same
reasons (orjson would store NaN as null).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# 2**63 has 19 digits: anything shorter fits in 64 bits. Digits inside strings match
# too, which only costs the slower parser.
_LONG_DIGITS = re.compile(r"\d{19}")


def json_loads(text: str) -> Any:
    if _LONG_DIGITS.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
