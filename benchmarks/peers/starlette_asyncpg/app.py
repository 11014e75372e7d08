"""Bare Starlette + asyncpg: the registry's reads with nothing but the framework and the
driver. The database is BENCH_POSTGRES_DSN (a libpq URL)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
import reads
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_DECISION = {kind: reads.postgres(sql) for kind, sql in reads.DECISION.items()}
_ACCESS = {kind: reads.postgres(sql) for kind, sql in reads.ACCESS.items()}
_PAGE = reads.postgres(reads.PAGE)
_NOT_FOUND = Response(b'{"status":404}', 404, media_type="application/json")
_pool: asyncpg.Pool | None = None


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    global _pool
    _pool = await asyncpg.create_pool(os.environ["BENCH_POSTGRES_DSN"], min_size=10, max_size=10)
    yield
    await _pool.close()


async def get_decision(request: Request) -> Response:
    assert _pool is not None
    slug = request.path_params["log"]
    token = reads.token_hash(request.headers.get("authorization"))
    row = await _pool.fetchrow(_DECISION[reads.kind(token)], token, slug, request.path_params["n"])
    if not reads.readable(row, token) or row[4] is None:
        return _NOT_FOUND
    return Response(
        orjson.dumps(reads.decision(slug, row, orjson.loads)), media_type="application/json"
    )


async def list_decisions(request: Request) -> Response:
    assert _pool is not None
    slug = request.path_params["log"]
    token = reads.token_hash(request.headers.get("authorization"))
    if not reads.readable(await _pool.fetchrow(_ACCESS[reads.kind(token)], token, slug), token):
        return _NOT_FOUND
    limit = int(request.query_params.get("limit", 50))
    after = reads.after_cursor(slug, request.query_params.get("cursor"))
    rows = await _pool.fetch(_PAGE, slug, after, limit + 1)
    return Response(
        orjson.dumps(reads.page(slug, rows, limit, orjson.loads)), media_type="application/json"
    )


app = Starlette(
    routes=[
        Route("/v1/logs/{log}/decisions/{n:int}", get_decision),
        Route("/v1/logs/{log}/decisions", list_decisions),
    ],
    lifespan=lifespan,
)
