"""Signing in with a password, setting one, and disabling users (handlers over fakes)."""

from __future__ import annotations

import pytest

from application.authentication import PersonalAccessToken
from application.commands import (
    Authenticate,
    CreatePasswordUser,
    CreateUser,
    SetPassword,
    SetUserDisabled,
    SignIn,
)
from application.errors import AlreadyExists, Forbidden, NotAuthenticated, NotFound
from application.handlers.passwords import (
    SIGN_IN_FAILED,
    CreatePasswordUserHandler,
    SetPasswordHandler,
    SignInHandler,
)
from application.handlers.users import (
    AuthenticateHandler,
    CreateUserHandler,
    SetUserDisabledHandler,
)
from application.views import OPERATOR, Actor
from domain.audit import AuditAction
from domain.errors import InvalidValue
from domain.user import User
from tests.fakes import FakeClock, FakePasswordHasher, FakeReadModel, FakeUnitOfWork, Store

GOOD = "a long pass phrase"
ADMIN = Actor("root", is_admin=True)


@pytest.fixture
def hasher() -> FakePasswordHasher:
    return FakePasswordHasher()


async def _create(store: Store, hasher: FakePasswordHasher, name: str = "ann") -> None:
    await CreatePasswordUserHandler(FakeUnitOfWork(store), hasher, FakeClock())(
        CreatePasswordUser(OPERATOR, name, GOOD)
    )


def _sign_in(store: Store, hasher: FakePasswordHasher) -> SignInHandler:
    return SignInHandler(FakeReadModel(store), hasher, FakeUnitOfWork(store), FakeClock())


async def test_a_user_signs_in_with_the_password_they_were_created_with(
    store: Store, hasher: FakePasswordHasher
) -> None:
    await _create(store, hasher)
    assert store.users["ann"].password_hash != GOOD
    assert await _sign_in(store, hasher)(SignIn("ann", GOOD)) == Actor("ann")


@pytest.mark.parametrize(
    ("username", "password"),
    [("ann", "a wrong pass phrase"), ("nobody", GOOD), ("bad name\x00", GOOD), ("ann", "")],
)
async def test_every_failed_sign_in_says_the_same_and_costs_one_verification(
    store: Store, hasher: FakePasswordHasher, username: str, password: str
) -> None:
    await _create(store, hasher)
    with pytest.raises(NotAuthenticated) as failed:
        await _sign_in(store, hasher)(SignIn(username, password))
    assert str(failed.value) == SIGN_IN_FAILED
    assert hasher.verified == 1


async def test_a_token_only_user_cannot_sign_in_with_a_password(
    store: Store, hasher: FakePasswordHasher
) -> None:
    await CreateUserHandler(FakeUnitOfWork(store), FakeClock())(CreateUser(OPERATOR, "bot"))
    with pytest.raises(NotAuthenticated):
        await _sign_in(store, hasher)(SignIn("bot", ""))


async def test_signing_in_rehashes_a_password_hashed_with_old_parameters(
    store: Store, hasher: FakePasswordHasher
) -> None:
    await _create(store, FakePasswordHasher(version=1))
    assert await _sign_in(store, hasher)(SignIn("ann", GOOD)) == Actor("ann")
    assert store.users["ann"].password_hash == await hasher.hash(GOOD)


async def test_creating_a_password_user_checks_the_policy_and_who_asks(
    store: Store, hasher: FakePasswordHasher
) -> None:
    create = CreatePasswordUserHandler(FakeUnitOfWork(store), hasher, FakeClock())
    with pytest.raises(InvalidValue, match="at least 12"):
        await create(CreatePasswordUser(OPERATOR, "ann", "short"))
    with pytest.raises(Forbidden):
        await create(CreatePasswordUser(Actor("ann"), "eve", GOOD))
    await create(CreatePasswordUser(ADMIN, "ann", GOOD, is_admin=True))
    assert store.users["ann"].is_admin
    with pytest.raises(AlreadyExists):
        await create(CreatePasswordUser(ADMIN, "ann", GOOD))


async def test_an_admin_sets_any_password_and_a_user_their_own_given_the_current(
    store: Store, hasher: FakePasswordHasher
) -> None:
    await _create(store, hasher)
    set_password = SetPasswordHandler(FakeUnitOfWork(store), hasher)
    await set_password(SetPassword(ADMIN, "ann", "admin chose this one"))
    assert await _sign_in(store, hasher)(SignIn("ann", "admin chose this one"))

    with pytest.raises(Forbidden, match="current password"):
        await set_password(SetPassword(Actor("ann"), "ann", "my own new phrase"))
    await set_password(
        SetPassword(Actor("ann"), "ann", "my own new phrase", "admin chose this one")
    )
    assert await _sign_in(store, hasher)(SignIn("ann", "my own new phrase"))

    with pytest.raises(Forbidden, match="another user"):
        await set_password(SetPassword(Actor("eve"), "ann", "eve chose this one"))
    with pytest.raises(InvalidValue, match="contains the username"):
        await set_password(SetPassword(ADMIN, "ann", "ann ann ann ann"))
    with pytest.raises(NotFound):
        await set_password(SetPassword(ADMIN, "nobody", GOOD))


async def test_a_disabled_users_token_and_password_stop_working_at_once(
    store: Store, hasher: FakePasswordHasher
) -> None:
    await _create(store, hasher)
    issued = await CreateUserHandler(FakeUnitOfWork(store), FakeClock())(
        CreateUser(OPERATOR, "bob")
    )
    store.users["bob"] = store.users["bob"].with_password(await hasher.hash(GOOD))
    disable = SetUserDisabledHandler(FakeUnitOfWork(store), FakeClock())
    authenticate = AuthenticateHandler(FakeReadModel(store))
    token = Authenticate(PersonalAccessToken.presented(issued.token))

    await disable(SetUserDisabled(ADMIN, "bob"))
    with pytest.raises(NotAuthenticated):
        await authenticate(token)
    with pytest.raises(NotAuthenticated):
        await _sign_in(store, hasher)(SignIn("bob", GOOD))

    await disable(SetUserDisabled(ADMIN, "bob", disabled=False))
    assert await authenticate(token) == Actor("bob")
    assert await _sign_in(store, hasher)(SignIn("bob", GOOD)) == Actor("bob")


async def test_only_another_site_admin_can_disable_a_user(store: Store) -> None:
    store.users["root"] = User("root", is_admin=True)
    disable = SetUserDisabledHandler(FakeUnitOfWork(store), FakeClock())
    with pytest.raises(Forbidden, match="only a site admin"):
        await disable(SetUserDisabled(Actor("ann"), "root"))
    with pytest.raises(Forbidden, match="yourself"):
        await disable(SetUserDisabled(ADMIN, "root"))
    with pytest.raises(NotFound):
        await disable(SetUserDisabled(ADMIN, "nobody"))
    assert not store.users["root"].disabled


async def test_sign_ins_and_failures_go_into_the_audit_trail_with_their_origin(
    store: Store, hasher: FakePasswordHasher
) -> None:
    await _create(store, hasher)
    sign_in = _sign_in(store, hasher)
    await sign_in(SignIn("ann", GOOD, origin="192.0.2.1"))
    for username in ("ann", "no such\x00name"):
        with pytest.raises(NotAuthenticated):
            await sign_in(SignIn(username, "wrong password", origin="192.0.2.2"))
    trail = [(e.action, e.actor, e.target, e.origin) for e in store.audit]
    assert trail == [
        (AuditAction.USER_CREATED, None, "user ann", None),
        (AuditAction.SIGNED_IN, "ann", "user ann", "192.0.2.1"),
        (AuditAction.SIGN_IN_FAILED, None, "user ann", "192.0.2.2"),
        # What cannot be a username is not stored as one.
        (AuditAction.SIGN_IN_FAILED, None, "an invalid username", "192.0.2.2"),
    ]
