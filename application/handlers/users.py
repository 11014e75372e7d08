"""Use cases for users and their personal access tokens."""

from __future__ import annotations

import datetime as dt

from application.access import require_signed_in
from application.authentication import authenticate
from application.commands import Authenticate, CreateToken, CreateUser, SetUserDisabled
from application.errors import AlreadyExists, Forbidden, NotFound
from application.ports import Clock, ReadModel, UnitOfWork
from application.tokens import hash_secret, new_secret, new_token_id
from application.views import Actor, IssuedToken
from domain.audit import AuditAction, AuditRecord
from domain.errors import InvalidValue
from domain.user import AccessToken, User


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
        secret = new_secret()
        token = AccessToken(
            id=new_token_id(),
            username=user.username,
            name=_token_name(cmd.token_name),
            secret_hash=hash_secret(secret),
            created_at=self.clock.now(),
        )
        async with self.uow:
            if await self.uow.users.get(user.username) is not None:
                raise AlreadyExists(f"a user '{user.username}' already exists")
            await self.uow.users.add(user)
            await self.uow.users.add_token(token)
            await self.uow.audit.record(user_created(cmd.actor, user, token.created_at, cmd.origin))
            await self.uow.audit.record(token_created(cmd.actor, token, cmd.origin))
            await self.uow.commit()
        return IssuedToken(id=token.id, username=user.username, name=token.name, token=secret)


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
        username = cmd.actor.username
        if username is None:
            raise NotFound("the operator has no tokens of its own: create a user instead")
        secret = new_secret()
        token = AccessToken(
            id=new_token_id(),
            username=username,
            name=_token_name(cmd.name),
            secret_hash=hash_secret(secret),
            created_at=self.clock.now(),
        )
        async with self.uow:
            await self.uow.users.add_token(token)
            await self.uow.audit.record(token_created(cmd.actor, token, cmd.origin))
            await self.uow.commit()
        return IssuedToken(id=token.id, username=username, name=token.name, token=secret)


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
