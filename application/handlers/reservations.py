"""Numbers without collisions: a decision that will arrive through git reserves its
number first, so two branches never both add `0012-…` (ADR-0019)."""

from __future__ import annotations

import re
import unicodedata

from application.access import authorize
from application.commands import ReserveNumber
from application.git_views import Reservation
from application.handlers.git_sync import SyncLimits
from application.ports import Clock, NumberReservations, ReadModel
from application.views import actor_name
from domain.values import Role, title_of

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# The file name's slug stays short, as adr-tools and MADR's own files have them.
_SLUG_MAX = 60


def file_slug(title: str | None) -> str:
    """'Use Kafka for events' -> 'use-kafka-for-events'; 'title' when there is none."""
    if title is None:
        return "title"
    ascii_only = unicodedata.normalize("NFKD", title_of(title)).encode("ascii", "ignore")
    slug = _NOT_SLUG.sub("-", ascii_only.decode().lower()).strip("-")
    return slug[:_SLUG_MAX].rstrip("-") or "title"


class ReserveNumberHandler:
    def __init__(
        self,
        read_model: ReadModel,
        reservations: NumberReservations,
        clock: Clock,
        limits: SyncLimits,
    ) -> None:
        self.read_model = read_model
        self.reservations = reservations
        self.clock = clock
        self.limits = limits

    async def __call__(self, cmd: ReserveNumber) -> Reservation:
        _, access = await self.read_model.log_access(cmd.log, cmd.actor)
        authorize(cmd.actor, access, Role.AUTHOR, cmd.log)
        slug = file_slug(cmd.title)
        now = self.clock.now()
        return await self.reservations.reserve(
            cmd.log,
            by=actor_name(cmd.actor),
            file_slug=slug,
            at=now,
            until=now + self.limits.reservation,
        )
