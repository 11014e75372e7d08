"""The storage side of application.authentication: whom a caller's credentials name.

Each kind of caller has one subquery giving (username, is_admin, and its token's scope,
id, expiry and last use), at most one row. The
read model joins it into the statements that check access, so a request is
authenticated by the very query that answers it, and `actor_for` runs it alone. A
check (a disabled user) is a condition here, and holds for every request at once; a
token's expiry comes back with it and the reader compares it with its clock (the
statements are prebuilt, and the clock is the tests' to set).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, String, bindparam, false, literal_column, select

from adapters.sqlalchemy.tables import UtcDateTime, access_tokens, users
from application.authentication import Caller, PersonalAccessToken, SignedToken


def _no_token() -> tuple[Any, ...]:
    """The token columns of a caller who came without a personal access token."""
    return (
        literal_column("NULL", String).label("scope"),
        literal_column("NULL", String).label("token_id"),
        literal_column("NULL", UtcDateTime).label("expires_at"),
        literal_column("NULL", UtcDateTime).label("last_used_at"),
    )


# The user of a token, while the token exists and the user is not disabled; with the
# token's scope, its expiry (checked by the reader against its clock) and when it was
# last used (so that the reader stamps it at most once a minute: token_use.py).
_BY_TOKEN: Select[Any, Any] = (
    select(
        users.c.username,
        users.c.is_admin,
        access_tokens.c.scope,
        access_tokens.c.id.label("token_id"),
        access_tokens.c.expires_at,
        access_tokens.c.last_used_at,
    )
    .join(access_tokens, access_tokens.c.username == users.c.username)
    .where(access_tokens.c.secret_hash == bindparam("credential"), users.c.disabled == false())
)
# The user a verified JWT names, while the user is not disabled.
_BY_SIGNED_TOKEN: Select[Any, Any] = select(users.c.username, users.c.is_admin, *_no_token()).where(
    users.c.username == bindparam("credential"), users.c.disabled == false()
)
# How many columns each kind's subquery has: the statements that fold one in put
# theirs after these.
CALLER_WIDTH = 6
# The password hash of an enabled user who has one: what signing in checks.
PASSWORD_OF: Select[Any, Any] = select(
    users.c.username, users.c.is_admin, users.c.password_hash
).where(
    users.c.username == bindparam("username"),
    users.c.password_hash.is_not(None),
    users.c.disabled == false(),
)
# An actor already established (anonymous, the operator): nothing to look up, its name
# is the one to find roles by.
_ESTABLISHED: Select[Any, Any] = select(
    bindparam("credential", type_=String).label("username"),
    false().label("is_admin"),
    *_no_token(),
)
CALLER_KINDS = (_BY_TOKEN, _BY_SIGNED_TOKEN, _ESTABLISHED)


def caller_lookup(caller: Caller) -> tuple[Select[Any, Any], str | None]:
    """The subquery for `caller`'s kind, and the value of its `credential` parameter."""
    if isinstance(caller, PersonalAccessToken):
        return _BY_TOKEN, caller.secret_hash
    if isinstance(caller, SignedToken):
        return _BY_SIGNED_TOKEN, caller.username
    return _ESTABLISHED, caller.username
