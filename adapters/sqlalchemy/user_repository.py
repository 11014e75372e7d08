"""Users and their access tokens, written as soon as they are added."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.tables import access_tokens, users
from adapters.sqlalchemy.unique_violations import unique_violation_as
from application.errors import AlreadyExists
from application.ports import UserRepository
from domain.user import AccessToken, User

_SELECT_USER = select(
    users.c.username, users.c.is_admin, users.c.password_hash, users.c.disabled
).where(users.c.username == bindparam("name"))
_UPDATE_USER = (
    update(users)
    .where(users.c.username == bindparam("name"))
    .values(
        is_admin=bindparam("is_admin"),
        password_hash=bindparam("password_hash"),
        disabled=bindparam("disabled"),
    )
)
_INSERT_USER = insert(users)
_INSERT_TOKEN = insert(access_tokens)
_DELETE_TOKEN = delete(access_tokens).where(access_tokens.c.id == bindparam("token_id"))
_DELETE_TOKEN_OF = _DELETE_TOKEN.where(access_tokens.c.username == bindparam("username"))
_COUNT_USERS = select(func.count()).select_from(users)


class SqlAlchemyUserRepository(UserRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, username: str) -> User | None:
        row = (await self._connection.execute(_SELECT_USER, {"name": username})).one_or_none()
        if row is None:
            return None
        return User(
            username=row.username,
            is_admin=row.is_admin,
            password_hash=row.password_hash,
            disabled=row.disabled,
        )

    async def add(self, user: User) -> None:
        with unique_violation_as(AlreadyExists(f"user {user.username} already exists")):
            await self._connection.execute(
                _INSERT_USER,
                {
                    "username": user.username,
                    "is_admin": user.is_admin,
                    "password_hash": user.password_hash,
                    "disabled": user.disabled,
                },
            )

    async def update(self, user: User) -> None:
        await self._connection.execute(
            _UPDATE_USER,
            {
                "name": user.username,
                "is_admin": user.is_admin,
                "password_hash": user.password_hash,
                "disabled": user.disabled,
            },
        )

    async def add_token(self, token: AccessToken) -> None:
        await self._connection.execute(
            _INSERT_TOKEN,
            {
                "id": token.id,
                "username": token.username,
                "name": token.name,
                "secret_hash": token.secret_hash,
                "created_at": token.created_at,
                "scope": token.scope.value,
                "expires_at": token.expires_at,
            },
        )

    async def remove_token(self, token_id: str, username: str | None) -> bool:
        if username is None:
            result = await self._connection.execute(_DELETE_TOKEN, {"token_id": token_id})
        else:
            result = await self._connection.execute(
                _DELETE_TOKEN_OF, {"token_id": token_id, "username": username}
            )
        return result.rowcount > 0

    async def count(self) -> int:
        count: int = (await self._connection.execute(_COUNT_USERS)).scalar_one()
        return count
