"""The search adapters (PostgreSQL tsvector + GIN, SQLite FTS5) against what the unit of
work stores: the same behaviour on both backends."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.sqlalchemy import create_search
from application.ports import DecisionSearch
from application.search_query import parse_search
from application.views import ANONYMOUS, Actor, DecisionFilters, SearchFilters, SearchResults
from domain.content import Arguments, Content, ExtraSection, Option, Outcome
from domain.decision import Changes
from domain.values import DecisionNumber, LogSlug, Role, Visibility
from tests.integration.conftest import AT, Registry

ADMIN = Actor("root", is_admin=True)


@pytest.fixture
def search(registry: Registry) -> DecisionSearch:
    return create_search(registry.engine)


async def find(
    search: DecisionSearch,
    text: str,
    actor: Actor = ADMIN,
    filters: SearchFilters | None = None,
    *,
    limit: int = 50,
) -> SearchResults:
    return await search.search(
        parse_search(text),
        actor,
        filters or SearchFilters(),
        limit=limit,
        after=None,
        facet_size=20,
    )


async def titles(
    search: DecisionSearch, text: str, actor: Actor = ADMIN, **filters: object
) -> set[str]:
    results = await find(search, text, actor, SearchFilters(**filters))  # type: ignore[arg-type]
    return {hit.hit.title for hit in results.hits}


async def test_every_part_of_a_decision_is_searchable(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    content = Content(
        context="contextword here",
        drivers=("driverword",),
        options=(
            Option(
                "optiontitle",
                "optiondescription",
                Arguments(("goodword",), ("neutralword",), ("badword",)),
            ),
        ),
        outcome=Outcome(chosen="chosenword", justification="justificationword"),
        consequences=Arguments(("consequenceword",)),
        confirmation="confirmationword",
        more_information="moreword",
        extra_sections=(ExtraSection("headingword", "bodyword", after="context"),),
    )
    await registry.propose(
        core,
        "Titleword decision",
        content=content,
        tags=("tagword",),
        decision_makers=("Makerword Person",),
        consulted=("Consultedword",),
        informed=("Informedword",),
    )
    await registry.propose(core, "Another decision")
    for word in (
        "titleword", "tagword", "makerword", "consultedword", "informedword", "contextword",
        "driverword", "optiontitle", "optiondescription", "goodword", "neutralword", "badword",
        "chosenword", "justificationword", "consequenceword", "confirmationword", "moreword",
        "headingword", "bodyword",
    ):  # fmt: skip
        assert await titles(search, word) == {"Titleword decision"}, word


async def test_words_phrases_prefixes_exclusions_and_or(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    for title, context in (
        ("Adopt event sourcing", "We decided to keep every change as an event."),
        ("Use Kafka for events", "Sourcing the events from the outbox table."),
        ("Use PostgreSQL for storage", "Postgres is what we run already."),
        ("Use Redis as a cache", "Decisions about caching."),
    ):
        await registry.propose(core, title, content=Content(context=context))
    assert await titles(search, "decide") == {"Adopt event sourcing"}, "stemmed"
    assert await titles(search, "event sourcing") == {
        "Adopt event sourcing",
        "Use Kafka for events",
    }
    assert await titles(search, '"event sourcing"') == {"Adopt event sourcing"}
    assert await titles(search, "event-sourcing") == {"Adopt event sourcing"}
    assert await titles(search, "postgre*") == {"Use PostgreSQL for storage"}
    assert await titles(search, "events -kafka") == {"Adopt event sourcing"}
    assert await titles(search, "redis OR kafka") == {
        "Use Kafka for events",
        "Use Redis as a cache",
    }
    assert await titles(search, "KAFKA") == {"Use Kafka for events"}
    assert await titles(search, "kafka redis") == set()


async def test_a_match_in_the_title_ranks_above_one_in_tags_above_one_in_the_body(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    await registry.propose(core, "Notes", content=Content(more_information="rank here"))
    await registry.propose(core, "Rank the results", content=Content(context="nothing"))
    await registry.propose(core, "Tagged", tags=("rank",))
    await registry.propose(core, "Context", content=Content(context="how to rank"))
    for n in range(8):
        await registry.propose(core, f"Filler {n}", content=Content(context="other words"))
    results = await find(search, "rank")
    assert [h.hit.title for h in results.hits] == ["Rank the results", "Tagged", "Context", "Notes"]
    scores = [h.hit.score for h in results.hits]
    assert scores == sorted(scores, reverse=True)


async def test_a_snippet_marks_the_matches_and_escapes_everything_else(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    context = 'Kafka <script>alert("x")</script> & more; ctl \x02 chars \x03 stay out'
    await registry.propose(core, "Streaming", content=Content(context=context))
    (hit,) = (await find(search, "kafka")).hits
    snippet = hit.hit.snippet
    assert "<mark>Kafka</mark>" in snippet
    text = re.sub(r"</?mark>", "", snippet)
    assert "<" not in text
    assert "\x02" not in text
    assert "\x03" not in text
    assert "Kafka" in html.unescape(text)


async def test_facets_and_total_count_every_match(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    edge = await registry.log("edge")
    a = await registry.propose(core, "Cache one", tags=("perf", "redis"))
    await registry.propose(core, "Cache two", tags=("perf",))
    await registry.propose(edge, "Cache three", tags=("edge",))
    await registry.propose(edge, "Unrelated", tags=("perf",))
    await registry.change(a, lambda d: d.accept(by="alice", at=AT))
    results = await find(search, "cache", limit=1)
    assert len(results.hits) == 1
    assert results.total == 3
    facets = results.facets
    assert [(f.value, f.count) for f in facets.status] == [("proposed", 2), ("accepted", 1)]
    assert [(f.value, f.count) for f in facets.tag] == [("perf", 2), ("edge", 1), ("redis", 1)]
    assert [(f.value, f.count) for f in facets.log] == [("core", 2), ("edge", 1)]


async def test_results_and_facets_hold_only_logs_the_caller_may_read(
    registry: Registry, search: DecisionSearch
) -> None:
    await registry.user("bob")
    await registry.user("carol")
    public = await registry.log("open", visibility=Visibility.PUBLIC)
    mine = await registry.log("mine", members={"bob": Role.VIEWER})
    other = await registry.log("other")
    await registry.propose(public, "Shared secretword", tags=("visible",))
    await registry.propose(mine, "Team secretword", tags=("team",))
    await registry.propose(other, "Hidden secretword", tags=("hidden",))
    expectations = {
        ANONYMOUS: {"open"},
        Actor("carol"): {"open"},
        Actor("bob"): {"open", "mine"},
        ADMIN: {"open", "mine", "other"},
    }
    for actor, readable in expectations.items():
        results = await find(search, "secretword", actor)
        assert {h.hit.log for h in results.hits} == readable
        assert {f.value for f in results.facets.log} == readable
        assert results.total == len(readable)
        tags = {f.value for f in results.facets.tag}
        assert ("hidden" in tags) == ("other" in readable)
        assert ("team" in tags) == ("mine" in readable)


async def test_filters_narrow_the_matches(registry: Registry, search: DecisionSearch) -> None:
    core = await registry.log("core")
    edge = await registry.log("edge")
    first = await registry.propose(core, "Queue one", tags=("infra",), decision_makers=("Ada",))
    await registry.propose(core, "Queue two", consulted=("Ada",))
    await registry.propose(edge, "Queue three", tags=("infra",))
    await registry.change(first, lambda d: d.accept(by="alice", at=AT + dt.timedelta(days=40)))
    assert await titles(search, "queue", log="edge") == {"Queue three"}
    assert await titles(search, "queue", status="accepted") == {"Queue one"}
    assert await titles(search, "queue", tag="infra") == {"Queue one", "Queue three"}
    assert await titles(search, "queue", person="Ada") == {"Queue one", "Queue two"}
    later = AT.date() + dt.timedelta(days=10)
    assert await titles(search, "queue", date_from=later) == {"Queue one"}
    assert await titles(search, "queue", date_to=later) == {"Queue two", "Queue three"}
    assert await titles(search, "queue", log="core", tag="infra", person="Ada") == {"Queue one"}


async def test_the_index_follows_every_write(registry: Registry, search: DecisionSearch) -> None:
    core = await registry.log("core")
    ref = await registry.propose(core, "Use a broker")
    assert await titles(search, "broker") == {"Use a broker"}

    await registry.change(ref, lambda d: d.edit(Changes(title="Use a queue"), by="alice", at=AT))
    assert await titles(search, "broker") == set()
    assert await titles(search, "queue") == {"Use a queue"}

    await registry.change(ref, lambda d: d.accept(by="alice", at=AT))
    assert await titles(search, "queue", status="accepted") == {"Use a queue"}

    async with registry.uow() as uow:  # rolled back: never committed
        decision = await uow.decisions.get(ref)
        assert decision is not None
        decision.edit(Changes(tags=("rolledback",)), by="alice", at=AT)
    assert await titles(search, "rolledback") == set()

    async with registry.uow() as uow:
        decision = await uow.decisions.get(ref)
        assert decision is not None
        decision.edit(Changes(tags=("kept",)), by="alice", at=AT)
        await uow.commit()
    assert await titles(search, "kept") == {"Use a queue"}


async def test_a_withdrawn_proposal_leaves_the_index(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    ref = await registry.propose(core, "Use a broker")
    async with registry.uow() as uow:
        decision = await uow.decisions.get(ref)
        assert decision is not None
        decision.withdraw(by="alice", at=AT)
        await uow.decisions.remove(decision)
        await uow.commit()
    assert await titles(search, "broker") == set()


async def test_rebuilding_the_index_keeps_every_answer(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    for title in ("Use Kafka", "Use Redis", "Kafka for logs"):
        await registry.propose(core, title)
    before = await find(search, "kafka OR redis")
    assert await search.rebuild() == 3
    after = await find(search, "kafka OR redis")
    assert [(h.hit.title, h.hit.score) for h in after.hits] == [
        (h.hit.title, h.hit.score) for h in before.hits
    ]
    assert after.total == 3


async def test_a_list_with_q_keeps_the_matching_decisions_by_number(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    refs = [
        await registry.propose(core, title, tags=tags)
        for title, tags in (
            ("Use Kafka", ("infra",)),
            ("Use Redis", ()),
            ("Kafka topics", ()),
            ("Kafka retention", ("infra",)),
        )
    ]
    await registry.change(refs[3], lambda d: d.accept(by="alice", at=AT))

    async def numbers(text: str, filters: DecisionFilters | None = None, **page: int) -> list[int]:
        listed = await search.decisions(
            core,
            parse_search(text),
            filters or DecisionFilters(),
            limit=page.get("limit", 10),
            after=DecisionNumber(page["after"]) if "after" in page else None,
        )
        return [d.number for d in listed]

    assert await numbers("kafka") == [1, 3, 4]
    assert await numbers("kafka", limit=1, after=1) == [3]
    assert await numbers("kafka", DecisionFilters(tag="infra")) == [1, 4]
    assert await numbers("kafka", DecisionFilters(status="accepted")) == [4]
    assert await numbers("mongodb") == []


_SYNTAX = st.sampled_from(
    [*"\"-*():^&|!<>'\\\x00\x02\t", "OR", "AND", "NOT", "NEAR(", "col:", "title:"]
)


@given(text=st.lists(st.one_of(st.text(max_size=6), _SYNTAX), max_size=12).map("".join))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_no_search_text_makes_the_backend_fail(search: DecisionSearch, text: str) -> None:
    query = parse_search(text)
    if query.matches_nothing:
        return
    await search.search(query, ANONYMOUS, SearchFilters(), limit=5, after=None, facet_size=5)
    await search.decisions(LogSlug("core"), query, DecisionFilters(), limit=5, after=None)


async def test_a_query_that_stop_words_empty_finds_nothing_quickly(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    await registry.propose(core, "Use Kafka")
    # PostgreSQL drops 'the' and would be left with only '-mongodb'; SQLite keeps 'the'.
    results = await find(search, "the -mongodb")
    assert results.hits == []
    assert results.total == 0


async def test_a_log_that_changes_visibility_changes_who_finds_its_decisions(
    registry: Registry, search: DecisionSearch
) -> None:
    core = await registry.log("core")
    await registry.propose(core, "Use Kafka")

    async def visible_to_anonymous() -> bool:
        return bool((await find(search, "kafka", ANONYMOUS)).hits)

    async def set_visibility(visibility: Visibility) -> None:
        async with registry.uow() as uow:
            log = await uow.logs.get(core)
            assert log is not None
            log.update(visibility=visibility, by="ann", at=AT)
            await uow.commit()

    assert not await visible_to_anonymous()
    await set_visibility(Visibility.PUBLIC)
    assert await visible_to_anonymous()
    await registry.propose(core, "Kafka again")
    assert len((await find(search, "kafka", ANONYMOUS)).hits) == 2
    await set_visibility(Visibility.PRIVATE)
    assert not await visible_to_anonymous()
    assert len((await find(search, "kafka", ADMIN)).hits) == 2
