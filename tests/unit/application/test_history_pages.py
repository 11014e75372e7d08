"""History pages with the beat's notices, which share the version of the change before
them: paging through returns every entry once, in order, whatever the limit."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from application.authentication import Caller
from application.commands import GetHistory
from application.cursors import Cursors
from application.handlers.queries import GetHistoryHandler
from application.views import ANONYMOUS, Actor, HistoryEntry, LogAccess
from domain.values import DecisionNumber, DecisionRef, LogSlug, Visibility

REF = DecisionRef(LogSlug("core"), DecisionNumber(1))
AT = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


class HistoryOnly:
    """A public log whose decision has `entries`, ordered as the real read model orders."""

    def __init__(self, entries: list[HistoryEntry]) -> None:
        self.entries = entries

    async def log_access(
        self, slug: LogSlug, caller: Caller
    ) -> tuple[Actor | None, LogAccess | None]:
        return None, LogAccess(visibility=Visibility.PUBLIC, role=None)

    async def history(
        self, ref: DecisionRef, *, limit: int, after_version: int | None
    ) -> list[HistoryEntry]:
        after = 0 if after_version is None else after_version
        return [e for e in self.entries if e.version > after][:limit]


def _entries(notices_per_version: list[int]) -> list[HistoryEntry]:
    entries = []
    for version, notices in enumerate(notices_per_version, start=1):
        entries.append(HistoryEntry(version, "decision.edited", "ann", AT, {}))
        entries += [
            HistoryEntry(version, "decision.stale", "beat", AT, {"n": n}) for n in range(notices)
        ]
    return entries


@settings(max_examples=60)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=8), st.integers(1, 5))
async def test_paging_through_a_history_with_notices_returns_each_entry_once(
    notices_per_version: list[int], limit: int
) -> None:
    entries = _entries(notices_per_version)
    handler = GetHistoryHandler(HistoryOnly(entries), Cursors(b"key"))  # type: ignore[arg-type]
    seen: list[HistoryEntry] = []
    cursor = None
    for _ in range(len(entries) + 1):
        page = await handler(GetHistory(ANONYMOUS, REF, limit=limit, cursor=cursor))
        assert page.items, "a page is never empty while entries remain"
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == entries
