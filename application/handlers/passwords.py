"""Passwords: users who have one, signing in with it, changing it."""

from __future__ import annotations

from application.commands import CreatePasswordUser, RequestSessionToken, SetPassword, SignIn
from application.errors import AlreadyExists, Forbidden, NotAuthenticated, NotFound
from application.handlers.users import user_created
from application.ports import Clock, PasswordHasher, ReadModel, SessionTokens, UnitOfWork
from application.views import Actor, IssuedSession
from domain.audit import AuditAction, AuditRecord
from domain.errors import InvalidValue
from domain.password_policy import check_password
from domain.user import TokenScope, User
from domain.values import username_of

# One message for every failure, so a caller cannot learn which usernames exist, which
# have a password, or which are disabled.
SIGN_IN_FAILED = "the username or password is not right"


class SignInHandler:
    """The actor a username and password name; NotAuthenticated otherwise. Both outcomes
    go into the audit trail, with the address the attempt came from."""

    def __init__(
        self, read_model: ReadModel, hasher: PasswordHasher, uow: UnitOfWork, clock: Clock
    ) -> None:
        self.read_model = read_model
        self.hasher = hasher
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: SignIn) -> Actor:
        found = None
        valid_name = _is_username(cmd.username)
        if valid_name:
            found = await self.read_model.password_of(cmd.username)
        # Verify even when nobody was found: the reply takes as long either way.
        matches = await self.hasher.verify(None if found is None else found[1], cmd.password)
        if found is None or not matches:
            # The name as claimed, when it could be one: what it is not is not stored.
            target = f"user {cmd.username}" if valid_name else "an invalid username"
            async with self.uow:
                await self._record(AuditAction.SIGN_IN_FAILED, None, target, cmd.origin)
                await self.uow.commit()
            raise NotAuthenticated(SIGN_IN_FAILED)
        actor, password_hash = found
        # Stored again with today's parameters, now that the password is known.
        new_hash = (
            await self.hasher.hash(cmd.password)
            if self.hasher.needs_rehash(password_hash)
            else None
        )
        async with self.uow:
            if new_hash is not None:
                user = await self.uow.users.get(cmd.username)
                if user is not None:
                    await self.uow.users.update(user.with_password(new_hash))
            await self._record(
                AuditAction.SIGNED_IN, actor.username, f"user {cmd.username}", cmd.origin
            )
            await self.uow.commit()
        return actor

    async def _record(
        self, action: AuditAction, actor: str | None, target: str, origin: str | None
    ) -> None:
        await self.uow.audit.record(AuditRecord(action, self.clock.now(), actor, target, origin))


class RequestSessionTokenHandler:
    """Sign in, then issue a JWT. There is no refresh token: when it expires, the client
    signs in again (ADR-0011), which checks the password and the user afresh."""

    def __init__(self, sign_in: SignInHandler, tokens: SessionTokens, clock: Clock) -> None:
        self.sign_in = sign_in
        self.tokens = tokens
        self.clock = clock

    async def __call__(self, cmd: RequestSessionToken) -> IssuedSession:
        # A scope the grant cannot give is refused before the password is checked.
        scope = TokenScope.parse(cmd.scope)
        actor = await self.sign_in(SignIn(cmd.username, cmd.password, cmd.origin))
        assert actor.username is not None, "signing in names a user"
        return self.tokens.issue(actor.username, self.clock.now(), scope)


def _is_username(text: str) -> bool:
    # What no user can be named is not looked up (a NUL would fail on PostgreSQL).
    try:
        username_of(text)
    except InvalidValue:
        return False
    return True


class CreatePasswordUserHandler:
    """Only a site admin or the operator may create users."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> None:
        self.uow = uow
        self.hasher = hasher
        self.clock = clock

    async def __call__(self, cmd: CreatePasswordUser) -> None:
        if not cmd.actor.is_admin:
            raise Forbidden("only a site admin can create users")
        user = User(cmd.username, is_admin=cmd.is_admin)
        check_password(cmd.password, username=user.username)
        user = user.with_password(await self.hasher.hash(cmd.password))
        async with self.uow:
            if await self.uow.users.get(user.username) is not None:
                raise AlreadyExists(f"a user '{user.username}' already exists")
            await self.uow.users.add(user)
            await self.uow.audit.record(user_created(cmd.actor, user, self.clock.now(), cmd.origin))
            await self.uow.commit()


class SetPasswordHandler:
    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher) -> None:
        self.uow = uow
        self.hasher = hasher

    async def __call__(self, cmd: SetPassword) -> None:
        is_self = cmd.actor.username == cmd.username
        if not (cmd.actor.is_admin or is_self):
            raise Forbidden("only a site admin can set another user's password")
        check_password(cmd.password, username=cmd.username)
        new_hash = await self.hasher.hash(cmd.password)
        async with self.uow:
            user = await self.uow.users.get(cmd.username)
            if user is None:
                raise NotFound(f"there is no user '{cmd.username}'")
            if not cmd.actor.is_admin:
                current = cmd.current_password or ""
                if not await self.hasher.verify(user.password_hash, current):
                    raise Forbidden("the current password is not right: give it to change it")
            await self.uow.users.update(user.with_password(new_hash))
            await self.uow.commit()
