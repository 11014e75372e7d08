"""Beat jobs that raise notices: reviews that are due, proposals gone stale.

Each notice is stored once per key (a decision and its due day; a proposal, when it
was last touched and how many periods ago), so a second beat, a repeated tick or a
restart never raises it twice: the key is unique in the history.
"""

from __future__ import annotations

import datetime as dt

from application.commands import SweepReviews, SweepStaleProposals
from application.ports import Clock, Notice, Notices
from application.views import DecisionView
from domain.events import DecisionReviewDue, DecisionStale
from domain.values import DecisionNumber, DecisionRef, LogSlug

# Who raised it, in the history.
BEAT = "beat"


def review_key(log: str, number: int, review_by: dt.date) -> str:
    return f"{DecisionReviewDue.name}:{log}/{number}:{review_by.isoformat()}"


def stale_key(log: str, number: int, touched: dt.datetime, period: int) -> str:
    return f"{DecisionStale.name}:{log}/{number}:{touched.isoformat()}:{period}"


def stale_period(now: dt.datetime, touched: dt.datetime, days: int) -> int:
    """1 once a proposal is `days` untouched, 2 after twice that, and so on."""
    return (now - touched) // dt.timedelta(days=days)


def _ref(view: DecisionView) -> DecisionRef:
    return DecisionRef(LogSlug(view.log), DecisionNumber(view.number))


class SweepReviewsHandler:
    def __init__(self, notices: Notices, clock: Clock) -> None:
        self.notices = notices
        self.clock = clock

    async def __call__(self, cmd: SweepReviews) -> int:
        now = self.clock.now()
        notices = []
        for view in await self.notices.due_for_review(now.date(), cmd.limit):
            assert view.review_by is not None  # what the query asks for
            event = DecisionReviewDue(
                ref=_ref(view), actor=BEAT, at=now, version=view.version, review_by=view.review_by
            )
            key = review_key(view.log, view.number, view.review_by)
            notices.append(Notice(event, key, view))
        return await self.notices.add(notices)


class SweepStaleProposalsHandler:
    def __init__(self, notices: Notices, clock: Clock) -> None:
        self.notices = notices
        self.clock = clock

    async def __call__(self, cmd: SweepStaleProposals) -> int:
        now = self.clock.now()
        notices = []
        for view, touched, days in await self.notices.stale_proposals(now, cmd.limit):
            event = DecisionStale(
                ref=_ref(view),
                actor=BEAT,
                at=now,
                version=view.version,
                untouched_since=touched,
                stale_after_days=days,
            )
            key = stale_key(view.log, view.number, touched, stale_period(now, touched, days))
            notices.append(Notice(event, key, view))
        return await self.notices.add(notices)
