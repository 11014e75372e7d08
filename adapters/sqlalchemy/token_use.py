"""When each personal access token was last used, stamped at most once a minute.

The credential lookup (credentials.py) reads a token's `last_used_at` along with its
user, in the statement the request makes anyway. Only when that stamp is a minute old or
more does the reader ask for a new one: one conditional UPDATE, which a concurrent
request stamping the same token turns into a no-op. So a token in constant use costs
one write a minute, not one per request, and a listed `last_used_at` is at most a
minute behind.

The write runs beside the request, not in it: on SQLite it may wait for the write lock
behind an import, and a read must not wait for that. Until it lands, the token's other
requests still read the old stamp; a process sends one stamp per token at a time, so
they add none. A stamp that fails is logged and dropped; the next request tries again.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import structlog
from sqlalchemy import bindparam, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.tables import access_tokens

STAMP_EVERY = timedelta(minutes=1)

_STAMP = (
    update(access_tokens)
    .where(
        access_tokens.c.id == bindparam("token_id"),
        or_(
            access_tokens.c.last_used_at.is_(None),
            access_tokens.c.last_used_at <= bindparam("due"),
        ),
    )
    .values(last_used_at=bindparam("now"))
)

log = structlog.get_logger(__name__)


class TokenUseStamps:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # The stamps under way, by token: until one lands, the token's requests still
        # read the old stamp, and must not each send another.
        self._pending: dict[str, asyncio.Task[None]] = {}

    def used(self, token_id: str, last_used_at: datetime | None, now: datetime) -> None:
        """Note that the token is used `now`; it was last stamped at `last_used_at`."""
        if last_used_at is not None and now - last_used_at < STAMP_EVERY:
            return
        if token_id in self._pending:
            return
        task = asyncio.create_task(self._stamp(token_id, now), name="stamp-token-use")
        self._pending[token_id] = task
        task.add_done_callback(lambda _: self._pending.pop(token_id, None))

    async def settled(self) -> None:
        """Wait for the stamps under way (for an orderly shutdown, and for tests)."""
        while self._pending:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)

    async def _stamp(self, token_id: str, now: datetime) -> None:
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    _STAMP, {"token_id": token_id, "due": now - STAMP_EVERY, "now": now}
                )
        except SQLAlchemyError as error:
            log.warning("token_use_not_stamped", token_id=token_id, error=str(error))
