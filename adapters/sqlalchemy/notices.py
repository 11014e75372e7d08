"""What the beat's sweeps need: decisions due for a notice, and storing notices once.

A notice is a history row (and so an outbox row) with a dedup_key; the key's unique
index makes a second beat or a repeated tick insert nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, bindparam, cast, exists, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import for_reads
from adapters.sqlalchemy.event_rows import decision_event_row
from adapters.sqlalchemy.tables import decision_events, decisions, logs
from application.handlers.notices import stale_key, stale_period
from application.ports import Notice, Notices
from application.views import DecisionView, LinkView
from domain.events import DecisionReviewDue
from domain.lifecycle import Status

_VIEW_COLUMNS = (
    logs.c.slug,
    decisions.c.id,
    decisions.c.number,
    decisions.c.title,
    decisions.c.status,
    decisions.c.date,
    decisions.c.decision_makers,
    decisions.c.consulted,
    decisions.c.informed,
    decisions.c.tags,
    decisions.c.content,
    decisions.c.links,
    decisions.c.review_by,
    decisions.c.version,
)
# Written as application.handlers.notices.review_key writes it (a date casts to ISO
# text on both backends).
_REVIEW_KEY = (
    literal(f"{DecisionReviewDue.name}:")
    + logs.c.slug
    + "/"
    + cast(decisions.c.number, String)
    + ":"
    + cast(decisions.c.review_by, String)
)
# Uses the (status, review_by) index; each candidate's key is one unique-index probe.
_DUE_FOR_REVIEW = (
    select(*_VIEW_COLUMNS)
    .join(logs, logs.c.id == decisions.c.log_id)
    .where(
        decisions.c.status == Status.ACCEPTED.value,
        decisions.c.review_by <= bindparam("on"),
        ~exists().where(decision_events.c.dedup_key == _REVIEW_KEY),
    )
    .order_by(decisions.c.review_by, decisions.c.id)
    .limit(bindparam("limit"))
)
# A change is an event without a dedup_key; notices do not count as touching.
_TOUCHED = (
    select(func.max(decision_events.c.at))
    .where(
        decision_events.c.log_slug == logs.c.slug,
        decision_events.c.number == decisions.c.number,
        decision_events.c.dedup_key.is_(None),
    )
    .scalar_subquery()
)
_PROPOSALS = (
    select(*_VIEW_COLUMNS, logs.c.stale_after_days, _TOUCHED.label("touched"))
    .join(logs, logs.c.id == decisions.c.log_id)
    .where(decisions.c.status == Status.PROPOSED.value, decisions.c.id > bindparam("after"))
    .order_by(decisions.c.id)
    .limit(bindparam("page"))
    .subquery()
)
_KNOWN_KEYS = select(decision_events.c.dedup_key).where(
    decision_events.c.dedup_key.in_(bindparam("keys", expanding=True))
)
_PAGE = 500


def _view(row: Any) -> DecisionView:
    return DecisionView(
        log=row.slug,
        number=row.number,
        title=row.title,
        status=row.status,
        date=row.date,
        decision_makers=tuple(row.decision_makers),
        consulted=tuple(row.consulted),
        informed=tuple(row.informed),
        tags=tuple(row.tags),
        content=row.content,
        links=tuple(LinkView(kind=link["kind"], target=link["target"]) for link in row.links),
        review_by=row.review_by,
        version=row.version,
    )


class SqlAlchemyNotices(Notices):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reads = for_reads(engine)

    async def due_for_review(self, on: dt.date, limit: int) -> list[DecisionView]:
        async with self._reads.connect() as connection:
            rows = await connection.execute(_DUE_FOR_REVIEW, {"on": on, "limit": limit})
            return [_view(row) for row in rows]

    async def stale_proposals(
        self, now: dt.datetime, limit: int
    ) -> list[tuple[DecisionView, dt.datetime, int]]:
        found: list[tuple[DecisionView, dt.datetime, int]] = []
        after = 0
        async with self._reads.connect() as connection:
            while len(found) < limit:
                rows = list(
                    await connection.execute(select(_PROPOSALS), {"after": after, "page": _PAGE})
                )
                if not rows:
                    break
                after = rows[-1].id
                candidates = {}
                for row in rows:
                    if row.touched is None:
                        continue
                    touched = _aware(row.touched)
                    days = row.stale_after_days
                    period = stale_period(now, touched, days)
                    if period >= 1:
                        key = stale_key(row.slug, row.number, touched, period)
                        candidates[key] = (_view(row), touched, days)
                if candidates:
                    known = await connection.execute(_KNOWN_KEYS, {"keys": list(candidates)})
                    for (key,) in known:
                        del candidates[key]
                found.extend(candidates.values())
        return found[:limit]

    async def add(self, notices: Sequence[Notice]) -> int:
        if not notices:
            return 0
        rows = [decision_event_row(n.event, n.decision, dedup_key=n.key) for n in notices]
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(decision_events)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(decision_events.c.id)
        )
        async with self._engine.begin() as connection:
            added = 0
            for row in rows:
                result = await connection.execute(statement, row)
                added += len(result.all())
        return added


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
