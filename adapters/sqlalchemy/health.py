"""Readiness: can the database answer a query?"""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import for_reads
from application.ports import HealthProbe

_PING = select(1)


class SqlAlchemyHealthProbe(HealthProbe):
    def __init__(self, engine: AsyncEngine, *, timeout: float = 5.0) -> None:
        self._engine = for_reads(engine)
        self._timeout = timeout

    async def check(self) -> dict[str, str]:
        try:
            async with asyncio.timeout(self._timeout), self._engine.connect() as connection:
                await connection.execute(_PING)
        except TimeoutError:
            return {"database": f"no answer within {self._timeout:g} s"}
        except Exception as error:
            # A probe reports what is wrong instead of failing the request that asked.
            return {"database": f"{type(error).__name__}: {error}"}
        return {"database": "ok"}
