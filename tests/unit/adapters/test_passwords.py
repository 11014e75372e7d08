"""Argon2PasswordHasher: argon2id hashes, checked off the event loop."""

from __future__ import annotations

from argon2 import PasswordHasher as Argon2

from adapters.passwords import Argon2PasswordHasher

# Cheap parameters keep the test fast; production uses the library's defaults.
_CHEAP = Argon2(time_cost=1, memory_cost=8, parallelism=1)


async def test_a_hash_is_argon2id_salted_and_verifies_only_its_password() -> None:
    hasher = Argon2PasswordHasher(_CHEAP)
    first = await hasher.hash("a long pass phrase")
    assert first.startswith("$argon2id$")
    assert first != await hasher.hash("a long pass phrase")  # salted
    assert await hasher.verify(first, "a long pass phrase")
    assert not await hasher.verify(first, "a long pass phrasE")


async def test_no_hash_or_a_broken_one_verifies_nothing() -> None:
    hasher = Argon2PasswordHasher(_CHEAP)
    assert not await hasher.verify(None, "a long pass phrase")
    assert not await hasher.verify("not a hash", "a long pass phrase")


async def test_a_hash_made_with_weaker_parameters_needs_rehashing() -> None:
    weak = await Argon2PasswordHasher(_CHEAP).hash("a long pass phrase")
    current = Argon2PasswordHasher()
    assert current.needs_rehash(weak)
    assert not Argon2PasswordHasher(_CHEAP).needs_rehash(weak)
    assert await current.verify(weak, "a long pass phrase")
