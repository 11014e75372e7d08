"""Flask + sqlite3, served by gunicorn's sync worker: the registry's reads the plain WSGI
way. One connection per worker process, opened on first use. The file is BENCH_SQLITE."""

from __future__ import annotations

import json
import os
import sqlite3

import reads
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
_connection: sqlite3.Connection | None = None


def db() -> sqlite3.Connection:
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(os.environ["BENCH_SQLITE"], isolation_level=None)
        _connection.execute("PRAGMA busy_timeout=30000")
    return _connection


@app.get("/v1/logs/<log>/decisions/<int:n>")
def get_decision(log: str, n: int):  # type: ignore[no-untyped-def]
    token = reads.token_hash(request.headers.get("Authorization"))
    row = db().execute(reads.DECISION[reads.kind(token)], (token, log, n)).fetchone()
    if not reads.readable(row, token) or row[4] is None:
        abort(404)
    return jsonify(reads.decision(log, row, json.loads))


@app.get("/v1/logs/<log>/decisions")
def list_decisions(log: str):  # type: ignore[no-untyped-def]
    token = reads.token_hash(request.headers.get("Authorization"))
    if not reads.readable(
        db().execute(reads.ACCESS[reads.kind(token)], (token, log)).fetchone(), token
    ):
        abort(404)
    limit = request.args.get("limit", 50, type=int)
    after = reads.after_cursor(log, request.args.get("cursor"))
    rows = db().execute(reads.PAGE, (log, after, limit + 1)).fetchall()
    return jsonify(reads.page(log, rows, limit, json.loads))
