"""What a caller sees of links and of the history that names other decisions."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from application.views import HistoryEntry
from application.visible_links import (
    HIDDEN_DETAIL,
    ReadableLogs,
    history_targets,
    visible_history,
)
from domain.values import LogSlug

OWN = LogSlug("own")
LOGS = ("own", "open", "hush")
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

refs = st.builds(lambda log, n: f"{log}/{n}", st.sampled_from(LOGS), st.integers(1, 5))
details = st.one_of(
    st.fixed_dictionaries({"kind": st.just("relates-to"), "target": refs}),
    st.fixed_dictionaries({"supersedes": st.lists(refs, max_size=4)}),
    st.fixed_dictionaries({"successors": st.lists(refs, max_size=4)}),
    st.fixed_dictionaries({"title": st.text(max_size=5)}),
)
entries = st.lists(
    st.builds(
        lambda version, d: HistoryEntry(version, "decision.x", "ada", AT, d),
        st.integers(1, 9),
        details,
    ),
    max_size=6,
)
readable = st.sets(st.sampled_from(LOGS)).map(
    lambda logs: ReadableLogs(frozenset({OWN, *(LogSlug(s) for s in logs)}))
)


@given(entries=entries, readable=readable)
def test_history_names_only_readable_decisions_and_counts_the_others(
    entries: list[HistoryEntry], readable: ReadableLogs
) -> None:
    shown = visible_history(entries, OWN, readable)
    assert [(e.version, e.event, e.actor, e.at) for e in shown] == [
        (e.version, e.event, e.actor, e.at) for e in entries
    ]
    for before, after in zip(entries, shown, strict=True):
        named = history_targets([before], OWN)
        kept = history_targets([after], OWN)
        assert all(readable.show(ref) for ref in kept)
        assert kept == [ref for ref in named if readable.show(ref)]
        assert after.details.get(HIDDEN_DETAIL, 0) == len(named) - len(kept)
        naming = ("target", "supersedes", "successors")
        others = {k: v for k, v in before.details.items() if k not in naming}
        assert {k: after.details[k] for k in others} == others
