"""The SQL and the reply shapes every raw-SQL peer shares, so that they run the same queries.

The queries are the ones the registry runs on its hot path, as SQLAlchemy compiles
them: the caller's token, the log's visibility and the caller's role in it, and the
decision, in one statement; a list page by keyset on (log_id, number). `?`
placeholders; `postgres()` renumbers them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

# Whom the token names (or nobody, for an anonymous caller), the log's visibility and
# the caller's role in it, and the decision: always one row.
_BY_TOKEN = (
    "(SELECT users.username AS username, users.is_admin AS is_admin FROM users "
    "JOIN access_tokens ON access_tokens.username = users.username "
    "WHERE access_tokens.secret_hash = ?) AS caller"
)
_ANONYMOUS = "(SELECT CAST(? AS VARCHAR) AS username, false AS is_admin) AS caller"
_ACCESS = (
    "SELECT caller.username, caller.is_admin, logs.visibility, log_members.role{columns} "
    "FROM (SELECT 1 AS one) AS one LEFT OUTER JOIN {caller} ON true "
    "LEFT OUTER JOIN logs ON logs.slug = ? "
    "LEFT OUTER JOIN log_members ON log_members.log_id = logs.id "
    "AND log_members.username = caller.username{join}"
)
_DECISION_COLUMNS = (
    ", decisions.number, decisions.title, decisions.status, decisions.date, "
    "decisions.decision_makers, decisions.consulted, decisions.informed, decisions.tags, "
    "decisions.content, decisions.links, decisions.review_by, decisions.version"
)
_DECISION_JOIN = " LEFT OUTER JOIN decisions ON decisions.log_id = logs.id AND decisions.number = ?"
# Parameters: (token hash or None, slug[, number]).
DECISION = {
    kind: _ACCESS.format(columns=_DECISION_COLUMNS, caller=caller, join=_DECISION_JOIN)
    for kind, caller in (("token", _BY_TOKEN), ("anonymous", _ANONYMOUS))
}
ACCESS = {
    kind: _ACCESS.format(columns="", caller=caller, join="")
    for kind, caller in (("token", _BY_TOKEN), ("anonymous", _ANONYMOUS))
}
# Parameters: (slug, after, limit).
PAGE = (
    "SELECT decisions.number, decisions.title, decisions.status, decisions.date, "
    "decisions.tags, decisions.review_by, decisions.version FROM decisions "
    "WHERE decisions.log_id = (SELECT logs.id FROM logs WHERE logs.slug = ?) "
    "AND decisions.number > ? ORDER BY decisions.number LIMIT ?"
)


def kind(token: str | None) -> str:
    return "anonymous" if token is None else "token"


def postgres(sql: str) -> str:
    """The same statement with asyncpg's numbered placeholders."""
    counter = iter(range(1, 100))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


def token_hash(authorization: str | None) -> str | None:
    """The stored hash of a bearer token, or None when no token was sent."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return hashlib.sha256(token.strip().encode()).hexdigest() if scheme.lower() == "bearer" else ""


def readable(row: Any, token: str | None) -> bool:
    """The registry's rule for a read, in short: a valid token if one was sent, and a
    public log or a role in it."""
    if row[2] is None or (token is not None and row[0] is None):
        return False
    return row[2] == "public" or row[3] is not None


# Cursors as the registry writes them (application/cursors.py): the key as JSON, then an
# HMAC-SHA256 tag over the list's identity and the key, under the key both are given.
CURSOR_KEY = b"benchmark cursor key"
_TAG_BYTES = 16


def _tag(slug: str, payload: bytes) -> bytes:
    identity = json.dumps(
        [1, "decisions", slug, None, None, None, None, None], separators=(",", ":")
    )
    message = identity.encode() + b"\x00" + payload
    return hmac.new(CURSOR_KEY, message, hashlib.sha256).digest()[:_TAG_BYTES]


def after_cursor(slug: str, cursor: str | None) -> int:
    """The number a list cursor holds; -1 (before ADR-0000) for the first page."""
    if not cursor:
        return -1
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    payload, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(slug, payload)):
        raise ValueError("not a cursor of this list")
    (number,) = json.loads(payload)
    return int(number)


def cursor_after(slug: str, number: int) -> str:
    payload = json.dumps([number], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload + _tag(slug, payload)).decode().rstrip("=")


def decision(slug: str, row: Any, loads: Any) -> dict[str, Any]:
    """`row` from DECISION; `loads` reads a JSON column as the driver gives it."""
    return {
        "log": slug,
        "number": row[4],
        "title": row[5],
        "status": row[6],
        "date": _day(row[7]),
        "decision_makers": loads(row[8]),
        "consulted": loads(row[9]),
        "informed": loads(row[10]),
        "tags": loads(row[11]),
        "content": loads(row[12]),
        "links": loads(row[13]),
        "review_by": _day(row[14]),
        "version": row[15],
        # The registry counts links into logs the caller may not read; the benchmark's
        # links all stay in one public log.
        "hidden_links": 0,
    }


def page(slug: str, rows: list[Any], limit: int, loads: Any) -> dict[str, Any]:
    """A page from PAGE fetched with limit + 1 rows: the extra row only says there is more."""
    items = [
        {
            "log": slug,
            "number": row[0],
            "title": row[1],
            "status": row[2],
            "date": _day(row[3]),
            "tags": loads(row[4]),
            "review_by": _day(row[5]),
            "version": row[6],
        }
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    return {
        "items": items,
        "next_cursor": cursor_after(slug, items[-1]["number"]) if more else None,
    }


def _day(value: Any) -> str | None:
    # SQLite hands back the ISO text; asyncpg a date.
    return None if value is None else str(value)
