"""Users' passwords and the disabled flag, stored and checked on SQLite and PostgreSQL."""

from __future__ import annotations

from adapters.clock import SystemClock
from adapters.sqlalchemy import SqlAlchemyReadModel
from application.authentication import PersonalAccessToken
from application.views import Actor
from domain.user import AccessToken, User
from domain.values import LogSlug, Role
from tests.integration.conftest import AT, Registry


async def test_a_users_password_hash_and_flags_round_trip(registry: Registry) -> None:
    async with registry.uow() as uow:
        await uow.users.add(User("ann", password_hash="$argon2id$first"))
        await uow.commit()
    async with registry.uow() as uow:
        user = await uow.users.get("ann")
        assert user == User("ann", password_hash="$argon2id$first")
        await uow.users.update(
            User("ann", is_admin=True, password_hash="$argon2id$second", disabled=True)
        )
        await uow.commit()
    async with registry.uow() as uow:
        assert await uow.users.get("ann") == User(
            "ann", is_admin=True, password_hash="$argon2id$second", disabled=True
        )


async def test_password_of_answers_only_for_an_enabled_user_with_a_password(
    registry: Registry,
) -> None:
    async with registry.uow() as uow:
        await uow.users.add(User("ann", is_admin=True, password_hash="hash-ann"))
        await uow.users.add(User("bot"))
        await uow.users.add(User("gone", password_hash="hash-gone", disabled=True))
        await uow.commit()
    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    assert await read.password_of("ann") == (Actor("ann", is_admin=True), "hash-ann")
    assert await read.password_of("bot") is None
    assert await read.password_of("gone") is None
    assert await read.password_of("nobody") is None


async def test_a_disabled_users_token_authenticates_no_request(registry: Registry) -> None:
    await registry.user("bob")
    async with registry.uow() as uow:
        await uow.users.add_token(AccessToken("t-bob", "bob", "cli", "hash-b", AT))
        await uow.commit()
    await registry.log("core", members={"bob": Role.AUTHOR})
    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    token = PersonalAccessToken("hash-b")
    assert await read.actor_for(token) == Actor("bob")

    async with registry.uow() as uow:
        await uow.users.update(User("bob", disabled=True))
        await uow.commit()
    # Both the lookup alone and the one folded into a read refuse the token.
    assert await read.actor_for(token) is None
    found, access = await read.log_access(LogSlug("core"), token)
    assert found is None
    assert access is not None
