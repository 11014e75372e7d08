"""Reserved numbers: taken from the log's counter in the same statement a proposal's
number is (one UPDATE ... RETURNING, whose row lock queues concurrent callers), and
recorded with the file name to use and until when the number is held."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.tables import logs, number_reservations
from application.errors import NotFound
from application.git_views import Reservation
from application.ports import NumberReservations
from domain.values import LogSlug

_LOG_ID = select(logs.c.id).where(logs.c.slug == bindparam("slug")).scalar_subquery()
_TAKE_NUMBER = (
    update(logs)
    .where(logs.c.slug == bindparam("log_slug"))
    .values(next_number=logs.c.next_number + 1)
    .returning(logs.c.id, (logs.c.next_number - 1).label("taken"))
)
_R = number_reservations


class SqlAlchemyNumberReservations(NumberReservations):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def reserve(
        self, log: LogSlug, *, by: str, file_slug: str, at: datetime, until: datetime
    ) -> Reservation:
        async with self._engine.begin() as connection:
            row = (await connection.execute(_TAKE_NUMBER, {"log_slug": log.value})).first()
            if row is None:
                raise NotFound(f"there is no log '{log}'")
            log_id, number = row
            reservation = Reservation(
                log=log.value,
                number=number,
                file=f"{number:04d}-{file_slug}.md",
                reserved_by=by,
                expires_at=until,
            )
            await connection.execute(
                insert(_R).values(
                    log_id=log_id,
                    number=number,
                    reserved_by=by[:200],
                    file=reservation.file,
                    reserved_at=at,
                    expires_at=until,
                )
            )
        return reservation

    async def of(self, log: LogSlug) -> dict[int, Reservation]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(_R.c.number, _R.c.file, _R.c.reserved_by, _R.c.expires_at, _R.c.used_by)
                .where(_R.c.log_id == _LOG_ID)
                .order_by(_R.c.number),
                {"slug": log.value},
            )
            return {
                number: Reservation(log.value, number, file, by, expires_at, used_by)
                for number, file, by, expires_at, used_by in rows
            }

    async def use(self, log: LogSlug, number: int, file: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(_R)
                .where(_R.c.log_id == _LOG_ID, _R.c.number == number, _R.c.used_by.is_(None))
                .values(used_by=file[:255]),
                {"slug": log.value},
            )
