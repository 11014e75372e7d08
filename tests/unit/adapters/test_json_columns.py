"""JSON columns are read with orjson, and always to what the stdlib's `json` would read."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.sqlalchemy.json_columns import json_loads

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to itself and a float never equal to an int."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=300)
@given(_JSON)
@example(2**64 + 1)
@example([float("nan"), float("inf"), -float("inf")])
@example({"wide": 123456789012345678901234567890, "id": "1234567890123456789012"})
def test_a_stored_value_reads_back_as_the_stdlib_reads_it(value: Any) -> None:
    text = json.dumps(value)
    assert _same(json_loads(text), json.loads(text))
