"""What both search backends share: which logs a caller may read, the shape of a search
(which filters it has, hence which prebuilt statement it runs), and how rows become hits,
facets and pages.

A search is two statements on one connection: the ranking (every match is scored once
into a materialised set, from which come the page's keys and every facet count), then
the page's decisions with their snippets.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Float,
    Integer,
    Select,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.selectable import CTE

from adapters.sqlalchemy.engine import for_reads
from adapters.sqlalchemy.tables import log_members, logs
from application.ports import DecisionSearch
from application.search_query import SearchQuery
from application.snippets import highlighted
from application.views import (
    Actor,
    DecisionFilters,
    DecisionSummary,
    FacetCount,
    RankedHit,
    SearchFacets,
    SearchFilters,
    SearchHit,
    SearchResults,
)
from domain.values import DecisionNumber, LogSlug, Visibility


class Readers(IntEnum):
    """Whose logs a search covers."""

    EVERYONE = 0  # a site admin: every log
    ANONYMOUS = 1  # public logs
    MEMBER = 2  # public logs and the caller's


@dataclass(frozen=True, slots=True)
class Shape:
    """What distinguishes one search statement from another: the caller's kind and
    which filters are given (only those appear in the SQL, so each gets its own plan)."""

    readers: Readers
    log: bool = False
    status: bool = False
    tag: bool = False
    person: bool = False
    date_from: bool = False
    date_to: bool = False
    after: bool = False

    @classmethod
    def of(cls, actor: Actor, filters: SearchFilters, after: object) -> Shape:
        if actor.is_admin:
            readers = Readers.EVERYONE
        elif actor.username is None:
            readers = Readers.ANONYMOUS
        else:
            readers = Readers.MEMBER
        return cls(
            readers=readers,
            log=filters.log is not None,
            status=filters.status is not None,
            tag=filters.tag is not None,
            person=filters.person is not None,
            date_from=filters.date_from is not None,
            date_to=filters.date_to is not None,
            after=after is not None,
        )


@dataclass(frozen=True, slots=True)
class ListShape:
    """The same, for a log's list of decisions with `q`."""

    status: bool
    tag: bool
    person: bool
    review_due: bool

    @classmethod
    def of(cls, filters: DecisionFilters) -> ListShape:
        return cls(
            status=filters.status is not None,
            tag=filters.tag is not None,
            person=filters.person is not None,
            review_due=filters.review_due is not None,
        )


def readable(readers: Readers) -> ColumnElement[bool] | None:
    """Which rows of `logs` a caller may read; None for every log."""
    public = logs.c.visibility == Visibility.PUBLIC.value
    if readers is Readers.EVERYONE:
        return None
    if readers is Readers.ANONYMOUS:
        return public
    member_of = select(log_members.c.log_id).where(log_members.c.username == bindparam("username"))
    return or_(public, logs.c.id.in_(member_of))


def readable_log_ids(readers: Readers) -> Select[Any] | None:
    """The ids of the logs a caller may read; None for every log."""
    which = readable(readers)
    return None if which is None else select(logs.c.id).where(which)


def log_id_of_slug(parameter: str) -> ColumnElement[Any]:
    """The id of the log a slug parameter names (evaluated once per statement)."""
    return select(logs.c.id).where(logs.c.slug == bindparam(parameter)).scalar_subquery()


class Facet(IntEnum):
    """What a row of the ranking statement holds: a key of the page, or a facet count."""

    PAGE = 0
    STATUS = 1
    LOG = 2
    TAG = 3


def ranking_statement(
    hits: CTE, *, after: bool, log_counts: Select[Any], tag_counts: Select[Any]
) -> CompoundSelect[Any]:
    """The page's keys and every facet, from one materialised set of scored matches.

    `hits` has decision_id, log_id, status and score (higher is better); `log_counts`
    and `tag_counts` give (value, n), the largest counts first, at most :facet_size.
    The page is keyset-paginated over (score, decision_id), both descending.
    """
    page = select(hits.c.decision_id, hits.c.score)
    if after:
        page = page.where(
            or_(
                hits.c.score < bindparam("after_score"),
                (hits.c.score == bindparam("after_score"))
                & (hits.c.decision_id < bindparam("after_id")),
            )
        )
    keys = (
        page.order_by(hits.c.score.desc(), hits.c.decision_id.desc())
        .limit(bindparam("limit"))
        .subquery("page")
    )
    statuses = (
        select(hits.c.status.label("value"), func.count().label("n"))
        .group_by(hits.c.status)
        .subquery("statuses")
    )
    counted_logs = log_counts.subquery("counted_logs")
    counted_tags = tag_counts.subquery("counted_tags")
    no_text, no_id = cast(null(), Text), cast(null(), BigInteger)
    no_score, no_count = cast(null(), Float), cast(null(), BigInteger)
    return union_all(
        # The first select names the columns.
        select(
            _facet(Facet.PAGE),
            no_text.label("value"),
            keys.c.decision_id,
            keys.c.score,
            no_count.label("n"),
        ),
        *(
            select(_facet(facet), counts.c.value, no_id, no_score, counts.c.n)
            for facet, counts in (
                (Facet.STATUS, statuses),
                (Facet.LOG, counted_logs),
                (Facet.TAG, counted_tags),
            )
        ),
    )


def top_counts(values: ColumnElement[Any]) -> Select[Any]:
    """(value, n) of a column of matches, the largest counts first, :facet_size of them."""
    n = func.count().label("n")
    return (
        select(values.label("value"), n)
        .group_by(values)
        .order_by(n.desc(), values)
        .limit(bindparam("facet_size"))
    )


def _facet(facet: Facet) -> ColumnElement[Any]:
    return literal_column(str(facet.value), Integer).label("facet")


def facets_and_page(
    rows: Sequence[Any],
) -> tuple[list[tuple[int, float]], SearchFacets, int]:
    """Split the ranking statement's rows: the page's (row id, score), best first; the
    facets; and the total number of matches (each has exactly one status)."""
    page: list[tuple[int, float]] = []
    counts: dict[Facet, list[FacetCount]] = {Facet.STATUS: [], Facet.LOG: [], Facet.TAG: []}
    for row in rows:
        facet = Facet(row.facet)
        if facet is Facet.PAGE:
            page.append((row.decision_id, row.score))
        else:
            counts[facet].append(FacetCount(value=row.value, count=row.n))
    page.sort(key=lambda key: (key[1], key[0]), reverse=True)
    ordered = {
        facet: tuple(sorted(found, key=lambda c: (-c.count, c.value)))
        for facet, found in counts.items()
    }
    facets = SearchFacets(
        status=ordered[Facet.STATUS], tag=ordered[Facet.TAG], log=ordered[Facet.LOG]
    )
    return page, facets, sum(c.count for c in facets.status)


class FullTextSearch(DecisionSearch):
    """The flow of a search; each backend gives its statements and query syntax."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = for_reads(engine)

    async def search(
        self,
        query: SearchQuery,
        actor: Actor,
        filters: SearchFilters,
        *,
        limit: int,
        after: tuple[float, int] | None,
        facet_size: int,
    ) -> SearchResults:
        match = self.compile(query)
        params = {
            **match,
            "username": actor.username,
            "log": filters.log,
            "status": filters.status,
            "tag": filters.tag,
            "person": filters.person,
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            "after_score": None if after is None else after[0],
            "after_id": None if after is None else after[1],
            "limit": limit,
            "facet_size": facet_size,
        }
        async with self._reader.connect() as connection:
            ranking = await connection.execute(
                self.ranking(Shape.of(actor, filters, after)), params
            )
            page, facets, total = facets_and_page(ranking.all())
            found = {}
            if page:
                ids = [decision_id for decision_id, _ in page]
                details = await connection.execute(self.details(), {**match, "ids": ids})
                found = {row.id: row for row in details}
        hits = [
            RankedHit(
                SearchHit(
                    log=row.slug,
                    number=row.number,
                    title=row.title,
                    status=row.status,
                    date=row.date,
                    snippet=highlighted(row.snippet or ""),
                    score=score,
                ),
                row_id=decision_id,
            )
            for decision_id, score in page
            # A decision withdrawn between the two statements is left out.
            if (row := found.get(decision_id)) is not None
        ]
        return SearchResults(hits=hits, total=total, facets=facets)

    async def decisions(
        self,
        slug: LogSlug,
        query: SearchQuery,
        filters: DecisionFilters,
        *,
        limit: int,
        after: DecisionNumber | None,
    ) -> list[DecisionSummary]:
        params = {
            **self.compile(query),
            "slug": slug.value,
            "after": -1 if after is None else after.value,
            "limit": limit,
            "status": filters.status,
            "tag": filters.tag,
            "person": filters.person,
            "review_due": filters.review_due,
        }
        async with self._reader.connect() as connection:
            rows = await connection.execute(self.matching(ListShape.of(filters)), params)
            return [
                DecisionSummary(
                    log=row.slug,
                    number=row.number,
                    title=row.title,
                    status=row.status,
                    date=row.date,
                    tags=tuple(row.tags),
                    review_by=row.review_by,
                    version=row.version,
                )
                for row in rows
            ]

    async def rebuild(self) -> int:
        async with self._engine.begin() as connection:
            return await self.reindex(connection)

    @abstractmethod
    def compile(self, query: SearchQuery) -> dict[str, str]:
        """The query in the backend's own syntax, as parameters (:match, at least)."""

    @abstractmethod
    def ranking(self, shape: Shape) -> CompoundSelect[Any]:
        """See `ranking_statement`."""

    @abstractmethod
    def details(self) -> Select[Any]:
        """Decisions :ids with their log's slug and a snippet marked for :match."""

    @abstractmethod
    def matching(self, shape: ListShape) -> Select[Any]:
        """A log's decisions matching :match and the filters, by number after :after."""

    @abstractmethod
    async def reindex(self, connection: AsyncConnection) -> int:
        """Rebuild the index inside the caller's transaction; how many it holds."""
