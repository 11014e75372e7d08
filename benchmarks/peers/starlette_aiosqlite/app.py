"""Bare Starlette + aiosqlite: the registry's reads with nothing but the framework and
the driver. The SQLite file is BENCH_SQLITE; the log is public or the caller a member."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
import orjson
import reads
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_POOL: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
_POOL_SIZE = 4
_NOT_FOUND = Response(b'{"status":404}', 404, media_type="application/json")


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    for _ in range(_POOL_SIZE):
        connection = await aiosqlite.connect(os.environ["BENCH_SQLITE"], isolation_level=None)
        await connection.execute("PRAGMA busy_timeout=30000")
        _POOL.put_nowait(connection)
    yield
    while not _POOL.empty():
        await _POOL.get_nowait().close()


async def _fetch(sql: str, params: tuple[object, ...], many: bool) -> object:
    connection = await _POOL.get()
    try:
        async with connection.execute(sql, params) as cursor:
            return await (cursor.fetchall() if many else cursor.fetchone())
    finally:
        _POOL.put_nowait(connection)


async def get_decision(request: Request) -> Response:
    slug = request.path_params["log"]
    token = reads.token_hash(request.headers.get("authorization"))
    row = await _fetch(
        reads.DECISION[reads.kind(token)], (token, slug, request.path_params["n"]), many=False
    )
    if not reads.readable(row, token) or row[4] is None:  # type: ignore[index]
        return _NOT_FOUND
    return Response(
        orjson.dumps(reads.decision(slug, row, orjson.loads)), media_type="application/json"
    )


async def list_decisions(request: Request) -> Response:
    slug = request.path_params["log"]
    token = reads.token_hash(request.headers.get("authorization"))
    if not reads.readable(
        await _fetch(reads.ACCESS[reads.kind(token)], (token, slug), many=False), token
    ):
        return _NOT_FOUND
    limit = int(request.query_params.get("limit", 50))
    after = reads.after_cursor(slug, request.query_params.get("cursor"))
    rows = await _fetch(reads.PAGE, (slug, after, limit + 1), many=True)
    return Response(
        orjson.dumps(reads.page(slug, rows, limit, orjson.loads)), media_type="application/json"
    )  # type: ignore[arg-type]


app = Starlette(
    routes=[
        Route("/v1/logs/{log}/decisions/{n:int}", get_decision),
        Route("/v1/logs/{log}/decisions", list_decisions),
    ],
    lifespan=lifespan,
)
