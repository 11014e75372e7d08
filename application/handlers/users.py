"""Use cases for users and their personal access tokens."""

from __future__ import annotations

import datetime as dt

from application.access import require_signed_in, require_write_scope
from application.authentication import authenticate
from application.commands import (
    Authenticate,
    CreateToken,
    CreateUser,
    RevokeToken,
    SetUserDisabled,
)
from application.errors import AlreadyExists, Forbidden, NotFound
from application.ports import Clock, ReadModel, UnitOfWork
from application.tokens import hash_secret, new_secret, new_token_id
from application.views import Actor, IssuedToken
from domain.audit import AuditAction, AuditRecord
from domain.errors import InvalidValue
from domain.user import AccessToken, TokenScope, User, token_expiry


def _token_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > 100:
        raise InvalidValue("name", "a token name is 1 to 100 characters, e.g. 'ci'")
    return clean


class CreateUserHandler:
    """Create a user and their first token; only a site admin or the operator may."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: CreateUser) -> IssuedToken:
        if not cmd.actor.is_admin:
            raise Forbidden("only a site admin can create users")
        user = User(cmd.username, is_admin=cmd.is_admin)
        token, secret = _new_token(user.username, cmd.token_name, self.clock.now())
        async with self.uow:
            if await self.uow.users.get(user.username) is not None:
                raise AlreadyExists(f"a user '{user.username}' already exists")
            await self.uow.users.add(user)
            await self.uow.users.add_token(token)
            await self.uow.audit.record(user_created(cmd.actor, user, token.created_at, cmd.origin))
            await self.uow.audit.record(token_created(cmd.actor, token, cmd.origin))
            await self.uow.commit()
        return _issued(token, secret)


class SetUserDisabledHandler:
    """A site admin disables or enables a user; disabled, the user's tokens and password
    stop working with the next request (the credential lookup checks the flag)."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: SetUserDisabled) -> None:
        if not cmd.actor.is_admin:
            raise Forbidden("only a site admin can disable or enable users")
        if cmd.disabled and cmd.actor.username == cmd.username:
            raise Forbidden("you cannot disable yourself: ask another site admin")
        async with self.uow:
            user = await self.uow.users.get(cmd.username)
            if user is None:
                raise NotFound(f"there is no user '{cmd.username}'")
            await self.uow.users.update(user.with_disabled(cmd.disabled))
            await self.uow.audit.record(
                AuditRecord(
                    AuditAction.USER_DISABLED if cmd.disabled else AuditAction.USER_ENABLED,
                    self.clock.now(),
                    cmd.actor.username,
                    user_target(cmd.username),
                    cmd.origin,
                )
            )
            await self.uow.commit()


class CreateTokenHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: CreateToken) -> IssuedToken:
        require_signed_in(cmd.actor)
        # A read-only token must not mint itself a read-write one.
        require_write_scope(cmd.actor)
        username = cmd.actor.username
        if username is None:
            raise NotFound("the operator has no tokens of its own: create a user instead")
        token, secret = _new_token(
            username,
            cmd.name,
            self.clock.now(),
            scope=TokenScope.parse(cmd.scope),
            expires_in_days=cmd.expires_in_days,
            expires_at=cmd.expires_at,
        )
        async with self.uow:
            await self.uow.users.add_token(token)
            await self.uow.audit.record(token_created(cmd.actor, token, cmd.origin))
            await self.uow.commit()
        return _issued(token, secret)


class RevokeTokenHandler:
    """Delete a token: the caller's own, or anyone's for a site admin. It stops working
    with the next request (the credential lookup finds it no more)."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: RevokeToken) -> None:
        require_signed_in(cmd.actor)
        require_write_scope(cmd.actor)
        owner = None if cmd.actor.is_admin else cmd.actor.username
        async with self.uow:
            if not await self.uow.users.remove_token(cmd.token_id, owner):
                # Someone else's token looks missing: its id says nothing to a stranger.
                raise NotFound(f"you have no token '{cmd.token_id}'")
            await self.uow.audit.record(
                AuditRecord(
                    AuditAction.TOKEN_REVOKED,
                    self.clock.now(),
                    cmd.actor.username,
                    f"token {cmd.token_id}",
                    cmd.origin,
                )
            )
            await self.uow.commit()


def _new_token(
    username: str,
    name: str,
    now: dt.datetime,
    *,
    scope: TokenScope = TokenScope.READ_WRITE,
    expires_in_days: int | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[AccessToken, str]:
    """A token and its secret, which is shown once and never stored."""
    secret = new_secret()
    token = AccessToken(
        id=new_token_id(),
        username=username,
        name=_token_name(name),
        secret_hash=hash_secret(secret),
        created_at=now,
        scope=scope,
        expires_at=token_expiry(now, in_days=expires_in_days, at=expires_at),
    )
    return token, secret


def _issued(token: AccessToken, secret: str) -> IssuedToken:
    return IssuedToken(
        id=token.id,
        username=token.username,
        name=token.name,
        token=secret,
        scope=token.scope,
        created_at=token.created_at,
        expires_at=token.expires_at,
    )


def user_target(username: str) -> str:
    return f"user {username}"


def user_created(actor: Actor, user: User, at: dt.datetime, origin: str | None) -> AuditRecord:
    details = {"admin": "yes"} if user.is_admin else {}
    return AuditRecord(
        AuditAction.USER_CREATED, at, actor.username, user_target(user.username), origin, details
    )


def token_created(actor: Actor, token: AccessToken, origin: str | None) -> AuditRecord:
    return AuditRecord(
        AuditAction.TOKEN_CREATED,
        token.created_at,
        actor.username,
        f"token {token.id} of user {token.username}",
        origin,
        {"name": token.name},
    )


class AuthenticateHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, cmd: Authenticate) -> Actor:
        return await authenticate(self.read_model, cmd.caller)
