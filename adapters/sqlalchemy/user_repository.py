"""Users and their access tokens, written as soon as they are added."""

from __future__ import annotations

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.tables import access_tokens, users
from adapters.sqlalchemy.unique_violations import unique_violation_as
from application.errors import AlreadyExists
from application.ports import UserRepository
from domain.user import AccessToken, User

_SELECT_USER = select(users.c.username, users.c.is_admin).where(
    users.c.username == bindparam("name")
)
_INSERT_USER = insert(users)
_INSERT_TOKEN = insert(access_tokens)
_COUNT_USERS = select(func.count()).select_from(users)


class SqlAlchemyUserRepository(UserRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, username: str) -> User | None:
        row = (await self._connection.execute(_SELECT_USER, {"name": username})).one_or_none()
        return None if row is None else User(username=row.username, is_admin=row.is_admin)

    async def add(self, user: User) -> None:
        with unique_violation_as(AlreadyExists(f"user {user.username} already exists")):
            await self._connection.execute(
                _INSERT_USER, {"username": user.username, "is_admin": user.is_admin}
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
            },
        )

    async def count(self) -> int:
        count: int = (await self._connection.execute(_COUNT_USERS)).scalar_one()
        return count
