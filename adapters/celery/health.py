"""Readiness: can the broker be reached?"""

from __future__ import annotations

import asyncio

from celery import Celery

from application.ports import HealthProbe


class CeleryBrokerProbe(HealthProbe):
    def __init__(self, app: Celery, *, timeout: float = 5.0) -> None:
        self._app = app
        self._timeout = timeout

    async def check(self) -> dict[str, str]:
        try:
            async with asyncio.timeout(self._timeout):
                await asyncio.to_thread(self._connect)
        except TimeoutError:
            return {"broker": f"no answer within {self._timeout:g} s"}
        except Exception as error:
            # A probe reports what is wrong instead of failing the request that asked.
            return {"broker": f"{type(error).__name__}: {error}"}
        return {"broker": "ok"}

    def _connect(self) -> None:
        with self._app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=self._timeout)
