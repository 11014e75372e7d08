"""The JWT keys setting: named keys, long enough, each name once."""

from __future__ import annotations

import pytest

from entrypoints.settings import Settings


def test_jwt_keys_must_be_long_and_named_once() -> None:
    with pytest.raises(ValueError, match="32 characters"):
        Settings(jwt_keys="k1:short")
    with pytest.raises(ValueError, match="kid:secret"):
        Settings(jwt_keys="no-kid-here")
    with pytest.raises(ValueError, match="given twice"):
        Settings(jwt_keys=f"a:{'x' * 32},a:{'y' * 32}")


def test_the_first_jwt_key_signs_and_every_key_verifies() -> None:
    ring = Settings(jwt_keys=f" new:{'n' * 32} , old:{'o' * 32} ").jwt_key_ring()
    assert list(ring) == ["new", "old"]
    assert ring["old"] == b"o" * 32
    assert Settings().jwt_key_ring() == {}
