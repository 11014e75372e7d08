"""The outbox's and the webhook delivery log's backlog, for the metrics endpoint.

Read on each scrape, so every API process reports the same database-wide numbers,
however many processes or pods there are.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import for_reads
from adapters.sqlalchemy.tables import decision_events, webhook_deliveries
from application.ports import Backlog, BacklogView

_UNSENT = decision_events.c.sent_at.is_(None)
_UNSENT_COUNT = select(func.count()).where(_UNSENT)
# The oldest by id: the partial index on unsent ids finds it without a scan.
_OLDEST_UNSENT = select(decision_events.c.at).where(_UNSENT).order_by(decision_events.c.id).limit(1)
_DELIVERIES_BY_STATE = select(webhook_deliveries.c.state, func.count()).group_by(
    webhook_deliveries.c.state
)


class SqlAlchemyBacklog(Backlog):
    def __init__(self, engine: AsyncEngine) -> None:
        self._reads = for_reads(engine)

    async def read(self) -> BacklogView:
        async with self._reads.connect() as connection:
            unsent = (await connection.execute(_UNSENT_COUNT)).scalar_one()
            oldest = (await connection.execute(_OLDEST_UNSENT)).scalar_one_or_none()
            states = await connection.execute(_DELIVERIES_BY_STATE)
            return BacklogView(int(unsent), oldest, {state: int(n) for state, n in states})
