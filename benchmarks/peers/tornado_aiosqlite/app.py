"""Tornado + aiosqlite: the registry's reads on Tornado's own server and event loop.
The SQLite file is BENCH_SQLITE; the port is the first argument."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import aiosqlite
import reads
import tornado.web

_POOL_SIZE = 4


class Pool:
    def __init__(self) -> None:
        self.idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()

    async def open(self, path: str) -> None:
        for _ in range(_POOL_SIZE):
            connection = await aiosqlite.connect(path, isolation_level=None)
            await connection.execute("PRAGMA busy_timeout=30000")
            self.idle.put_nowait(connection)

    async def fetch(self, sql: str, params: tuple[object, ...], many: bool) -> object:
        connection = await self.idle.get()
        try:
            async with connection.execute(sql, params) as cursor:
                return await (cursor.fetchall() if many else cursor.fetchone())
        finally:
            self.idle.put_nowait(connection)


class DecisionHandler(tornado.web.RequestHandler):
    def initialize(self, pool: Pool) -> None:
        self.pool = pool

    async def get(self, log: str, n: str) -> None:
        token = reads.token_hash(self.request.headers.get("Authorization"))
        row = await self.pool.fetch(
            reads.DECISION[reads.kind(token)], (token, log, int(n)), many=False
        )
        if not reads.readable(row, token) or row[4] is None:  # type: ignore[index]
            raise tornado.web.HTTPError(404)
        self.write(reads.decision(log, row, json.loads))


class DecisionsHandler(tornado.web.RequestHandler):
    def initialize(self, pool: Pool) -> None:
        self.pool = pool

    async def get(self, log: str) -> None:
        token = reads.token_hash(self.request.headers.get("Authorization"))
        access = await self.pool.fetch(reads.ACCESS[reads.kind(token)], (token, log), many=False)
        if not reads.readable(access, token):
            raise tornado.web.HTTPError(404)
        limit = int(self.get_query_argument("limit", "50"))
        after = reads.after_cursor(log, self.get_query_argument("cursor", None))
        rows = await self.pool.fetch(reads.PAGE, (log, after, limit + 1), many=True)
        self.write(reads.page(log, rows, limit, json.loads))  # type: ignore[arg-type]


async def main() -> None:
    pool = Pool()
    await pool.open(os.environ["BENCH_SQLITE"])
    app = tornado.web.Application(
        [
            (r"/v1/logs/([^/]+)/decisions/([0-9]+)", DecisionHandler, {"pool": pool}),
            (r"/v1/logs/([^/]+)/decisions", DecisionsHandler, {"pool": pool}),
        ]
    )
    app.listen(int(sys.argv[1]), address="127.0.0.1")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
