"""Every list, filter, cursor walk and search, against a naive in-memory model.

Hypothesis makes logs (private and public), callers with several roles, and decisions in
every status, ADR-0000 among them; each caller then walks every list through the
handlers, page by page along the cursors, with filters and search text drawn at random.
Each decision the caller may see must appear exactly once, in the documented order, and
nothing else may appear.

The words are ones that both backends' stemmers leave as they are, so that the model can
compare words exactly; phrases are made of title words only, which never sit next to
another part's words.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.sqlalchemy import SqlAlchemyReadModel, SqlAlchemyUnitOfWork, create_search
from application.commands import ListDecisions, ListLogs, SearchDecisions
from application.cursors import Cursors
from application.errors import NotAuthenticated, NotFound
from application.handlers.queries import (
    ListDecisionsHandler,
    ListLogsHandler,
    SearchDecisionsHandler,
)
from application.search_query import parse_search
from application.views import ANONYMOUS, Actor, DecisionFilters, Page, SearchFilters
from domain.content import Content
from domain.decision import Decision
from domain.lifecycle import Status
from domain.log import Log
from domain.user import User
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility
from tests.fakes import search_score
from tests.integration.conftest import AT

TITLE_WORDS = ("kafka", "nginx", "vault", "helm", "grpc", "orbit")
CONTEXT_WORDS = ("quartz", "zebra", "copper", "velvet", "walnut", "falcon")
TAGS = ("infra", "web", "data")
PEOPLE = ("Ada", "Bob")
SLUGS = ("alpha", "beta", "gamma")
USERS = ("ann", "bob")
DAYS = tuple(AT.date() + dt.timedelta(days=n) for n in range(3))
CALLERS = (ANONYMOUS, Actor("ann"), Actor("bob"), Actor("root", is_admin=True))


@dataclass(frozen=True)
class Spec:
    number: int
    title: tuple[str, ...]
    context: tuple[str, ...]
    status: Status
    tags: frozenset[str]
    makers: tuple[str, ...]
    day: dt.date


@dataclass(frozen=True)
class LogSpec:
    slug: str
    visibility: Visibility
    roles: dict[str, Role]
    decisions: tuple[Spec, ...]


def _decisions(numbers: set[int]) -> st.SearchStrategy[tuple[Spec, ...]]:
    return st.tuples(
        *(
            st.builds(
                Spec,
                number=st.just(number),
                title=st.lists(st.sampled_from(TITLE_WORDS), min_size=1, max_size=3).map(tuple),
                context=st.lists(st.sampled_from(CONTEXT_WORDS), max_size=3).map(tuple),
                status=st.sampled_from(Status),
                tags=st.frozensets(st.sampled_from(TAGS), max_size=2),
                makers=st.lists(st.sampled_from(PEOPLE), max_size=2, unique=True).map(tuple),
                day=st.sampled_from(DAYS),
            )
            for number in sorted(numbers)
        )
    )


def _log(slug: str) -> st.SearchStrategy[LogSpec]:
    return st.builds(
        LogSpec,
        slug=st.just(slug),
        visibility=st.sampled_from(Visibility),
        roles=st.dictionaries(st.sampled_from(USERS), st.sampled_from(Role), max_size=2),
        # Numbers from 0: an imported log keeps its ADR-0000.
        decisions=st.sets(st.integers(0, 6), max_size=6).flatmap(_decisions),
    )


worlds = st.lists(st.sampled_from(SLUGS), min_size=1, max_size=3, unique=True).flatmap(
    lambda slugs: st.tuples(*(_log(slug) for slug in sorted(slugs)))
)


def _term() -> st.SearchStrategy[str]:
    word = st.sampled_from(TITLE_WORDS + CONTEXT_WORDS + TAGS + ("ada",))
    return st.one_of(
        word,
        word.map(lambda w: w[:3] + "*"),
        st.tuples(st.sampled_from(TITLE_WORDS), st.sampled_from(TITLE_WORDS)).map(
            lambda pair: f'"{pair[0]} {pair[1]}"'
        ),
    )


search_texts = st.builds(
    lambda wanted, either, excluded: " ".join(
        [*wanted, *(f"{a} OR {b}" for a, b in either), *(f"-{x}" for x in excluded)]
    ),
    st.lists(_term(), max_size=2),
    st.lists(st.tuples(_term(), _term()), max_size=1),
    st.lists(_term(), max_size=1),
).filter(lambda text: text.strip() != "")

list_filters = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from([s.value for s in Status]),
        "tag": st.sampled_from(TAGS),
        "person": st.sampled_from(PEOPLE),
    },
).map(lambda chosen: DecisionFilters(**chosen))

search_filters = st.fixed_dictionaries(
    {},
    optional={
        "log": st.sampled_from(SLUGS),
        "status": st.sampled_from([s.value for s in Status]),
        "tag": st.sampled_from(TAGS),
        "person": st.sampled_from(PEOPLE),
        "date_from": st.sampled_from(DAYS),
        "date_to": st.sampled_from(DAYS),
    },
).map(lambda chosen: SearchFilters(**chosen))


# -- the model ----------------------------------------------------------------------


def decision_of(log: LogSpec, spec: Spec) -> Decision:
    return Decision(
        ref=DecisionRef(LogSlug(log.slug), DecisionNumber(spec.number)),
        title=" ".join(spec.title),
        status=spec.status,
        date=spec.day,
        decision_makers=spec.makers,
        tags=spec.tags,
        content=Content(context=" ".join(spec.context)),
    )


def readable(caller: Actor, log: LogSpec) -> bool:
    if caller.is_admin or log.visibility is Visibility.PUBLIC:
        return True
    return caller.username is not None and caller.username in log.roles


def listed(log: LogSpec, filters: DecisionFilters, q: str | None) -> list[int]:
    return [
        spec.number
        for spec in log.decisions
        if filters.status in (None, spec.status.value)
        and (filters.tag is None or filters.tag in spec.tags)
        and (filters.person is None or filters.person in spec.makers)
        and (q is None or search_score(parse_search(q), decision_of(log, spec)) > 0)
    ]


def found(
    world: tuple[LogSpec, ...], caller: Actor, q: str, filters: SearchFilters
) -> list[tuple[LogSpec, Spec]]:
    query = parse_search(q)
    return [
        (log, spec)
        for log in world
        if readable(caller, log) and filters.log in (None, log.slug)
        for spec in log.decisions
        if search_score(query, decision_of(log, spec)) > 0
        and filters.status in (None, spec.status.value)
        and (filters.tag is None or filters.tag in spec.tags)
        and (filters.person is None or filters.person in spec.makers)
        and (filters.date_from is None or spec.day >= filters.date_from)
        and (filters.date_to is None or spec.day <= filters.date_to)
    ]


# -- the world in the database ------------------------------------------------------


async def store(engine: AsyncEngine, world: tuple[LogSpec, ...]) -> None:
    async with engine.begin() as connection:
        for table in ("decision_events", "decisions", "log_members", "logs", "users"):
            await connection.execute(text(f"DELETE FROM {table}"))
    async with SqlAlchemyUnitOfWork(engine) as uow:
        for username in ("owner", *USERS):
            await uow.users.add(User(username))
        for log in world:
            created = Log.create(
                slug=LogSlug(log.slug),
                title=log.slug,
                creator="owner",
                at=AT,
                visibility=log.visibility,
            )
            created.members.update(log.roles)
            await uow.logs.add(created)
            for spec in log.decisions:
                await uow.decisions.add(decision_of(log, spec))
        await uow.commit()


async def walk(handler: Any, query: Any, limit: int) -> list[Any]:
    """Every item of a list, page by page along the cursors."""
    items: list[Any] = []
    cursor = None
    for _ in range(50):
        page: Page[Any] = await handler(replace(query, limit=limit, cursor=cursor))
        assert len(page.items) <= limit
        items += page.items
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor
    pytest.fail("the cursors never end")


_ZERO_IN_A_PUBLIC_LOG = (
    LogSpec(
        "alpha",
        Visibility.PUBLIC,
        {"ann": Role.VIEWER},
        tuple(
            Spec(n, ("kafka",), ("quartz",), Status.ACCEPTED, frozenset(), (), DAYS[0])
            for n in (0, 1, 2)
        ),
    ),
)


@settings(
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(world=_ZERO_IN_A_PUBLIC_LOG, data=None)
@given(world=worlds, data=st.data())
async def test_every_list_and_search_shows_each_visible_decision_once_in_order(
    engine: AsyncEngine, world: tuple[LogSpec, ...], data: st.DataObject | None
) -> None:
    await store(engine, world)
    read_model = SqlAlchemyReadModel(engine, SystemClock())
    search = create_search(engine)
    cursors = Cursors(b"property")
    list_logs = ListLogsHandler(read_model, cursors)
    list_decisions = ListDecisionsHandler(read_model, search, cursors)
    search_decisions = SearchDecisionsHandler(read_model, search, cursors)

    def draw(strategy: st.SearchStrategy[Any], default: Any) -> Any:
        return default if data is None else data.draw(strategy)

    for caller in CALLERS:
        limit = draw(st.integers(1, 3), 1)
        logs = await walk(list_logs, ListLogs(caller), limit)
        assert [log.slug for log in logs] == sorted(
            spec.slug for spec in world if readable(caller, spec)
        )

        for log in world:
            filters = draw(list_filters, DecisionFilters())
            q = draw(st.one_of(st.none(), search_texts), None)

            listing = ListDecisions(caller, LogSlug(log.slug), filters, q=q)
            if not readable(caller, log):
                with pytest.raises((NotFound, NotAuthenticated)):
                    await list_decisions(listing)
                continue
            numbers = [d.number for d in await walk(list_decisions, listing, limit)]
            assert numbers == listed(log, filters, q), (caller, log.slug, filters, q)

        q = draw(search_texts, "kafka")
        filters = draw(search_filters, SearchFilters())
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            continue
        if filters.log is not None and not any(
            other.slug == filters.log and readable(caller, other) for other in world
        ):
            with pytest.raises((NotFound, NotAuthenticated)):
                await search_decisions(SearchDecisions(caller, q, filters))
            continue
        hits = await walk(search_decisions, SearchDecisions(caller, q, filters), limit)
        expected = found(world, caller, q, filters)
        keys = [(hit.log, hit.number) for hit in hits]
        assert len(keys) == len(set(keys)), f"a hit twice: {keys}"
        assert sorted(keys) == sorted((log.slug, spec.number) for log, spec in expected), (
            caller,
            q,
            filters,
        )
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True), "best first"

        first = await search_decisions(SearchDecisions(caller, q, filters, limit=1))
        assert first.total == len(expected)
        facets = first.facets
        assert {(f.value, f.count) for f in facets.status} == set(
            Counter(s.status.value for _, s in expected).items()
        )
        assert {(f.value, f.count) for f in facets.log} == set(
            Counter(log.slug for log, _ in expected).items()
        )
        assert {(f.value, f.count) for f in facets.tag} == set(
            Counter(tag for _, s in expected for tag in s.tags).items()
        )
