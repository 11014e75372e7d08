"""The SQL and the reply shapes every raw-SQL peer shares, so that they run the same queries.

The queries are the ones the registry runs on its hot path: the caller's token, the
log's visibility and the caller's role in it, and the decision, in one statement; a
list page by keyset on (log_id, number). `?` placeholders; `postgres()` renumbers them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

# The caller is found by the hash of its token; a NULL hash (anonymous) finds nobody.
_CALLER = (
    "(SELECT u.username AS username, u.is_admin AS is_admin FROM access_tokens t "
    "JOIN users u ON u.username = t.username WHERE t.secret_hash = ?) AS caller"
)

DECISION = (
    "SELECT caller.username, l.visibility, m.role, d.number, d.title, d.status, d.date, "
    "d.decision_makers, d.consulted, d.informed, d.tags, d.content, d.links, d.review_by, "
    "d.version "
    f"FROM logs l LEFT JOIN {_CALLER} ON true "
    "LEFT JOIN log_members m ON m.log_id = l.id AND m.username = caller.username "
    "LEFT JOIN decisions d ON d.log_id = l.id AND d.number = ? "
    "WHERE l.slug = ?"
)
ACCESS = (
    "SELECT caller.username, l.visibility, m.role "
    f"FROM logs l LEFT JOIN {_CALLER} ON true "
    "LEFT JOIN log_members m ON m.log_id = l.id AND m.username = caller.username "
    "WHERE l.slug = ?"
)
PAGE = (
    "SELECT d.number, d.title, d.status, d.date, d.tags, d.review_by, d.version "
    "FROM decisions d WHERE d.log_id = (SELECT id FROM logs WHERE slug = ?) "
    "AND d.number > ? ORDER BY d.number LIMIT ?"
)


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
    if row is None or (token is not None and row[0] is None):
        return False
    return row[1] == "public" or row[2] is not None


def after_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    return int(raw.removeprefix("int:"))


def cursor_after(number: int) -> str:
    return base64.urlsafe_b64encode(f"int:{number}".encode()).decode().rstrip("=")


def decision(slug: str, row: Any, loads: Any) -> dict[str, Any]:
    """`row` from DECISION; JSON columns arrive as text (`loads` them) on both drivers."""
    return {
        "log": slug,
        "number": row[3],
        "title": row[4],
        "status": row[5],
        "date": _day(row[6]),
        "decision_makers": loads(row[7]),
        "consulted": loads(row[8]),
        "informed": loads(row[9]),
        "tags": loads(row[10]),
        "content": loads(row[11]),
        "links": loads(row[12]),
        "review_by": _day(row[13]),
        "version": row[14],
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
    return {"items": items, "next_cursor": cursor_after(items[-1]["number"]) if more else None}


def _day(value: Any) -> str | None:
    # SQLite hands back the ISO text; asyncpg a date.
    return None if value is None else str(value)
