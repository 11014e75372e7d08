"""Who is calling: the one place that turns what a caller presents into an Actor.

A request presents a `Caller`: an Actor already established (anonymous, the CLI's
operator), or credentials still to be checked against storage (a personal access
token; a JWT whose signature and claims hold, but whose user may since have been
disabled). Checking them is a lookup; the read side folds that lookup into the query a
read makes anyway (one statement, not two) and hands back whom it found, and
`verified` applies the rule to it. Whatever has no such query calls `authenticate`.

To add a kind of credential: a class in `Credentials`, its case in `verified`, and its
lookup beside the others in the read model (adapters/sqlalchemy/credentials.py),
so that every check that makes the lookup (user disabled, token expired) holds at once
for every request. A token's scope comes back with its user (`Actor.scope`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Self

from application.errors import NotAuthenticated
from application.tokens import hash_secret
from application.views import Actor
from domain.user import TokenScope

if TYPE_CHECKING:
    from application.ports import ReadModel


@dataclass(frozen=True, slots=True)
class PersonalAccessToken:
    """A bearer token as presented, by the hash it is stored under; not yet checked."""

    secret_hash: str

    @classmethod
    def presented(cls, secret: str) -> Self:
        return cls(hash_secret(secret))


@dataclass(frozen=True, slots=True)
class SignedToken:
    """A JWT already verified (signature, issuer, audience, lifetime): it names a user,
    who must still exist and not be disabled, and the scope it was granted."""

    username: str
    scope: TokenScope = TokenScope.READ_WRITE


Credentials = PersonalAccessToken | SignedToken
Caller = Actor | Credentials


def verified(caller: Caller, found: Actor | None) -> Actor:
    """The actor behind `caller`, given whom the storage lookup of its credentials found."""
    if isinstance(caller, Actor):
        return caller
    if found is None:
        if isinstance(caller, SignedToken):
            raise NotAuthenticated("the bearer token's user is disabled or no longer exists")
        raise NotAuthenticated(
            "the bearer token is not valid: it is mistyped, revoked or was never issued; "
            "create one with POST /v1/tokens or `adr-registry users create`"
        )
    if isinstance(caller, SignedToken):
        # The lookup found the user; what the JWT may do is in the JWT.
        return replace(found, scope=caller.scope)
    return found


def token_expired(expired_at: datetime) -> NotAuthenticated:
    """What a caller hears whose personal access token has expired."""
    return NotAuthenticated(
        f"the bearer token expired at {expired_at.isoformat(timespec='seconds')}: "
        "create a new one with POST /v1/tokens"
    )


async def authenticate(read_model: ReadModel, caller: Caller) -> Actor:
    """The actor behind `caller`, with a lookup of its own (for callers that make no read)."""
    if isinstance(caller, Actor):
        return caller
    return verified(caller, await read_model.actor_for(caller))
