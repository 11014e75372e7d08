"""The storage side of application.authentication: whom a caller's credentials name.

Each kind of caller has one subquery giving (username, is_admin), at most one row. The
read model joins it into the statements that check access, so a request is
authenticated by the very query that answers it, and `actor_for` runs it alone. A
check (a disabled user; an expired token, to come) is a condition here, and holds for
every request at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, String, bindparam, false, select

from adapters.sqlalchemy.tables import access_tokens, users
from application.authentication import Caller, PersonalAccessToken, SignedToken

# The user of a token, while the token exists and the user is not disabled.
_BY_TOKEN: Select[Any, Any] = (
    select(users.c.username, users.c.is_admin)
    .join(access_tokens, access_tokens.c.username == users.c.username)
    .where(access_tokens.c.secret_hash == bindparam("credential"), users.c.disabled == false())
)
# The user a verified JWT names, while the user is not disabled.
_BY_SIGNED_TOKEN: Select[Any, Any] = select(users.c.username, users.c.is_admin).where(
    users.c.username == bindparam("credential"), users.c.disabled == false()
)
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
    bindparam("credential", type_=String).label("username"), false().label("is_admin")
)
CALLER_KINDS = (_BY_TOKEN, _BY_SIGNED_TOKEN, _ESTABLISHED)


def caller_lookup(caller: Caller) -> tuple[Select[Any, Any], str | None]:
    """The subquery for `caller`'s kind, and the value of its `credential` parameter."""
    if isinstance(caller, PersonalAccessToken):
        return _BY_TOKEN, caller.secret_hash
    if isinstance(caller, SignedToken):
        return _BY_SIGNED_TOKEN, caller.username
    return _ESTABLISHED, caller.username
