"""The search use cases, over fakes: who sees what, bad input, and cursors bound to their
query."""

from __future__ import annotations

import datetime as dt

import pytest

from application.commands import (
    CreateLog,
    ListDecisions,
    ProposeDecision,
    ReindexSearch,
    SearchDecisions,
)
from application.errors import Forbidden, InvalidCursor, NotFound
from application.handlers.logs import CreateLogHandler
from application.handlers.proposals import ProposeDecisionHandler
from application.handlers.queries import ListDecisionsHandler, SearchDecisionsHandler
from application.handlers.search_index import ReindexSearchHandler
from application.views import ANONYMOUS, OPERATOR, SearchFilters
from domain.errors import InvalidValue
from domain.values import LogSlug, Visibility
from tests.fakes import FakeClock, FakeDecisionSearch, FakeReadModel, FakeUnitOfWork, Store
from tests.unit.application.conftest import ADMIN, AUTHOR, CURSORS, OWNER, STRANGER, VIEWER

OPEN = LogSlug("open")


@pytest.fixture
async def logs(store: Store, clock: FakeClock, platform: LogSlug) -> None:
    """Kafka decisions in the private 'platform' and in the public 'open'."""
    await CreateLogHandler(FakeUnitOfWork(store), clock)(
        CreateLog(actor=OWNER, slug=OPEN, title="Open", visibility=Visibility.PUBLIC)
    )
    for log, title, tags in (
        (platform, "Use kafka for events", ("events",)),
        (platform, "Keep kafka topics small", ()),
        (OPEN, "Kafka as the event bus", ("events",)),
        (OPEN, "Use postgres", ()),
    ):
        owner = OWNER if log == OPEN else AUTHOR
        await ProposeDecisionHandler(FakeUnitOfWork(store), clock)(
            ProposeDecision(actor=owner, log=log, title=title, tags=tags)
        )


def searching(store: Store) -> SearchDecisionsHandler:
    return SearchDecisionsHandler(FakeReadModel(store), FakeDecisionSearch(store), CURSORS)


def titles(page: object) -> set[str]:
    return {hit.title for hit in page.items}  # type: ignore[attr-defined]


@pytest.mark.usefixtures("logs")
async def test_a_search_covers_the_logs_the_caller_may_read(store: Store) -> None:
    search = searching(store)
    anonymous = await search(SearchDecisions(ANONYMOUS, "kafka"))
    member = await search(SearchDecisions(VIEWER, "kafka"))
    stranger = await search(SearchDecisions(STRANGER, "kafka"))
    admin = await search(SearchDecisions(ADMIN, "kafka"))
    assert titles(anonymous) == titles(stranger) == {"Kafka as the event bus"}
    assert (
        titles(member)
        == titles(admin)
        == {
            "Kafka as the event bus",
            "Use kafka for events",
            "Keep kafka topics small",
        }
    )
    assert [(f.value, f.count) for f in anonymous.facets.log] == [("open", 1)]
    assert anonymous.total == 1


@pytest.mark.usefixtures("logs")
async def test_a_filter_on_a_log_one_may_not_read_answers_as_that_log_does(
    store: Store,
) -> None:
    search = searching(store)
    with pytest.raises(NotFound):  # anonymous too: a private log is hidden (#8, finding 4)
        await search(SearchDecisions(ANONYMOUS, "kafka", SearchFilters(log="platform")))
    with pytest.raises(NotFound):
        await search(SearchDecisions(STRANGER, "kafka", SearchFilters(log="platform")))
    with pytest.raises(NotFound):
        await search(SearchDecisions(VIEWER, "kafka", SearchFilters(log="nowhere")))
    page = await search(SearchDecisions(VIEWER, "kafka", SearchFilters(log="platform")))
    assert titles(page) == {"Use kafka for events", "Keep kafka topics small"}


@pytest.mark.usefixtures("logs")
async def test_filters_are_checked_and_a_tag_is_read_as_tags_are_stored(store: Store) -> None:
    search = searching(store)
    page = await search(SearchDecisions(VIEWER, "kafka", SearchFilters(tag=" Events ")))
    assert titles(page) == {"Use kafka for events", "Kafka as the event bus"}
    bad = [
        SearchFilters(tag="a\x00b"),
        SearchFilters(person="ada\x00"),
        SearchFilters(tag="a,b"),
        SearchFilters(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 1, 1)),
    ]
    for filters in bad:
        with pytest.raises(InvalidValue):
            await search(SearchDecisions(VIEWER, "kafka", filters))


@pytest.mark.parametrize("text", ["", "  ", "k" * 501])
async def test_a_blank_or_overlong_search_is_refused(store: Store, text: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        await searching(store)(SearchDecisions(VIEWER, text))
    assert raised.value.field == "q"


@pytest.mark.usefixtures("logs")
@pytest.mark.parametrize("text", ["-kafka", "*", 'OR ""'])
async def test_a_search_without_a_term_to_look_for_finds_nothing(store: Store, text: str) -> None:
    page = await searching(store)(SearchDecisions(ADMIN, text))
    assert page.items == []
    assert page.total == 0
    assert page.next_cursor is None


@pytest.mark.usefixtures("logs")
async def test_walking_the_cursor_gives_each_hit_once_and_only_for_its_query(
    store: Store,
) -> None:
    search = searching(store)
    seen: list[str] = []
    cursor = None
    while True:
        page = await search(SearchDecisions(ADMIN, "kafka", limit=1, cursor=cursor))
        seen += [hit.title for hit in page.items]
        assert page.total == 3
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        with pytest.raises(InvalidCursor):
            await search(SearchDecisions(ADMIN, "kafka -postgres", limit=1, cursor=cursor))
        with pytest.raises(InvalidCursor):
            await search(
                SearchDecisions(ADMIN, "kafka", SearchFilters(tag="events"), cursor=cursor)
            )
    assert sorted(seen) == sorted(titles(await search(SearchDecisions(ADMIN, "kafka"))))
    assert len(seen) == 3


@pytest.mark.usefixtures("logs")
async def test_a_list_with_q_keeps_the_matching_decisions_by_number(store: Store) -> None:
    listing = ListDecisionsHandler(FakeReadModel(store), FakeDecisionSearch(store), CURSORS)
    first = await listing(ListDecisions(VIEWER, LogSlug("platform"), q="kafka", limit=1))
    assert [d.title for d in first.items] == ["Use kafka for events"]
    assert first.next_cursor is not None
    with pytest.raises(InvalidCursor):
        await listing(
            ListDecisions(VIEWER, LogSlug("platform"), q="topics", cursor=first.next_cursor)
        )
    with pytest.raises(InvalidCursor):
        await listing(ListDecisions(VIEWER, LogSlug("platform"), cursor=first.next_cursor))
    rest = await listing(
        ListDecisions(VIEWER, LogSlug("platform"), q="kafka", cursor=first.next_cursor)
    )
    assert [d.title for d in rest.items] == ["Keep kafka topics small"]
    nothing = await listing(ListDecisions(VIEWER, LogSlug("platform"), q="-kafka"))
    assert nothing.items == []


async def test_only_a_site_admin_rebuilds_the_search_index(store: Store) -> None:
    rebuild = ReindexSearchHandler(FakeDecisionSearch(store))
    assert await rebuild(ReindexSearch(OPERATOR)) == 0
    with pytest.raises(Forbidden):
        await rebuild(ReindexSearch(AUTHOR))
