"""Telling a unique-constraint violation (someone stored it first) from other errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

_SQLITE_UNIQUE = (sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
_POSTGRES_UNIQUE = "23505"


@contextmanager
def unique_violation_as(error: Exception) -> Iterator[None]:
    """Raise `error` instead when a statement breaks a unique constraint.

    Such a violation means another transaction stored the same thing first; any other
    integrity error is a bug and goes up as it is.
    """
    try:
        yield
    except IntegrityError as integrity_error:
        if is_unique_violation(integrity_error):
            raise error from integrity_error
        raise


def is_unique_violation(error: IntegrityError) -> bool:
    driver_error = error.orig
    code = getattr(driver_error, "sqlite_errorcode", None)
    state = getattr(driver_error, "sqlstate", None)
    return code in _SQLITE_UNIQUE or state == _POSTGRES_UNIQUE
