"""Search on PostgreSQL: the weighted tsvector of decision_search, its GIN index, ts_rank
and ts_headline. The table and its trigger come from migration 0004 (ADR-0009)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Integer,
    Select,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, array
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnClause

from adapters.sqlalchemy.search.index import (
    FullTextSearch,
    ListShape,
    Readers,
    Shape,
    log_id_of_slug,
    ranking_statement,
    readable_log_ids,
    top_counts,
)
from adapters.sqlalchemy.tables import decision_search, decisions, log_members, logs
from application.search_query import SearchQuery, Term
from application.snippets import MARKS, MATCH_END, MATCH_START
from domain.lifecycle import Status
from domain.values import Visibility

# The text search configuration: English stemming and stop words.
_CONFIG: ColumnClause[Any] = literal_column("'english'")
# ts_rank's normalization 1: divide by 1 + log(length), so that long records do not win
# by their length alone. Its default weights are A 1.0, B 0.4, C 0.2, D 0.1.
_LENGTH_NORMALIZED = 1
_HEADLINE = (
    f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def tsquery_text(query: SearchQuery) -> str:
    """The query as to_tsquery text. Words are letters and digits only (see
    application.search_query), so quoting them is all the escaping they need."""
    groups = [" | ".join(_term(term) for term in group) for group in query.all_of]
    parts = [f"( {group} )" for group in groups]
    parts += [f"!( {_term(term)} )" for term in query.none_of]
    return " & ".join(parts)


def _term(term: Term) -> str:
    words = [f"'{word}'" for word in term.words]
    if term.prefix:
        words[-1] += ":*"
    return " <-> ".join(words)


def _query(parameter: str = "match") -> ColumnElement[Any]:
    # A scalar subquery is an InitPlan: parsed once per statement, not once per row.
    return select(func.to_tsquery(_CONFIG, bindparam(parameter))).scalar_subquery()


def _in_log(query: ColumnElement[Any], parameter: str) -> ColumnElement[Any]:
    """`query`, and in the log a slug parameter names: the GIN index then fetches only
    that log's rows (each document holds the lexeme 'log <id>', migration 0004)."""
    lexeme = cast(func.format("'log %s'", logs.c.id), TSQUERY)
    in_log = select(lexeme).where(logs.c.slug == bindparam(parameter)).scalar_subquery()
    return select(query.op("&&")(in_log)).scalar_subquery()


# Each public log's documents hold this lexeme (migration 0004).
_PUBLIC = cast(literal("'visibility public'"), TSQUERY)


def _found(shape: Shape) -> ColumnElement[bool]:
    """Which rows the GIN index fetches: those that match, kept to a log asked for, or to
    the logs the caller may read (public ones through their mark, the caller's own by
    log id), so that rows the caller may not read are seldom fetched at all."""
    query = _query()
    if shape.log:
        return _s.c.document.bool_op("@@")(_in_log(query, "log"))
    if shape.readers is Readers.EVERYONE:
        return _s.c.document.bool_op("@@")(query)
    in_public = _s.c.document.bool_op("@@")(select(query.op("&&")(_PUBLIC)).scalar_subquery())
    if shape.readers is Readers.ANONYMOUS:
        return in_public
    member_of = (
        select(func.array_agg(log_members.c.log_id))
        .where(log_members.c.username == bindparam("username"))
        .scalar_subquery()
    )
    # As an array, not a subquery: so it is a condition the btree index can take.
    in_own = _s.c.document.bool_op("@@")(query) & (
        _s.c.log_id == any_(cast(member_of, ARRAY(Integer)))
    )
    return or_(in_public, in_own)


def _searchable(query: ColumnElement[Any]) -> ColumnElement[bool]:
    """False when stop words leave nothing to look up in the index (e.g. 'the -kafka'),
    which would scan every record: a one-time filter, checked before any row is read."""
    return func.querytree(query).not_in(["", "T"])


def _array_holding(parameter: str) -> ColumnElement[Any]:
    return array([bindparam(parameter)])


_s = decision_search


@cache
def _hits(shape: Shape) -> Any:
    score = func.ts_rank(_s.c.document, _query("rank_match"), _LENGTH_NORMALIZED)
    statement = select(
        _s.c.decision_id, _s.c.log_id, _s.c.status, _s.c.tags, score.label("score")
    ).where(_found(shape), _searchable(_query()))
    # What may be read is decided here, on the rows.
    readable_ids = readable_log_ids(shape.readers)
    if readable_ids is not None:
        statement = statement.where(_s.c.log_id.in_(readable_ids))
    if shape.log:
        statement = statement.where(_s.c.log_id == log_id_of_slug("log"))
    if shape.status:
        statement = statement.where(_s.c.status == bindparam("status"))
    if shape.tag:
        statement = statement.where(_s.c.tags.contains(_array_holding("tag")))
    if shape.person:
        statement = statement.where(_s.c.people.contains(_array_holding("person")))
    if shape.date_from:
        statement = statement.where(_s.c.date >= bindparam("date_from"))
    if shape.date_to:
        statement = statement.where(_s.c.date <= bindparam("date_to"))
    return statement.cte("hits").prefix_with("MATERIALIZED")


@cache
def _ranking(shape: Shape) -> CompoundSelect[Any]:
    hits = _hits(shape)
    log_counts = top_counts(logs.c.slug).select_from(hits.join(logs, logs.c.id == hits.c.log_id))
    tags = select(func.unnest(hits.c.tags).label("tag")).subquery("tags")
    return ranking_statement(
        hits, after=shape.after, log_counts=log_counts, tag_counts=top_counts(tags.c.tag)
    )


_DETAILS = (
    select(
        decisions.c.id,
        logs.c.slug,
        decisions.c.number,
        decisions.c.title,
        decisions.c.status,
        decisions.c.date,
        func.ts_headline(
            _CONFIG,
            func.translate(func.adr_search_text(decisions.c.title, decisions.c.content), MARKS, ""),
            _query(),
            _HEADLINE,
        ).label("snippet"),
    )
    .join(logs, logs.c.id == decisions.c.log_id)
    .where(decisions.c.id.in_(bindparam("ids", expanding=True)))
)


@cache
def _matching(shape: ListShape) -> Select[Any]:
    query = _query()
    statement = (
        select(
            logs.c.slug,
            decisions.c.number,
            decisions.c.title,
            decisions.c.status,
            decisions.c.date,
            decisions.c.tags,
            decisions.c.review_by,
            decisions.c.version,
        )
        .select_from(_s)
        .join(decisions, decisions.c.id == _s.c.decision_id)
        .join(logs, logs.c.id == _s.c.log_id)
        .where(
            _s.c.log_id == log_id_of_slug("slug"),
            _s.c.number > bindparam("after"),
            _s.c.document.bool_op("@@")(_in_log(query, "slug")),
            _searchable(query),
        )
    )
    if shape.status:
        statement = statement.where(_s.c.status == bindparam("status"))
    if shape.tag:
        statement = statement.where(_s.c.tags.contains(_array_holding("tag")))
    if shape.person:
        statement = statement.where(_s.c.people.contains(_array_holding("person")))
    if shape.review_due:
        statement = statement.where(
            _s.c.status == Status.ACCEPTED.value,
            decisions.c.review_by <= bindparam("review_due"),
        )
    return statement.order_by(_s.c.number).limit(bindparam("limit"))


# What the trigger writes for each decision (migration 0004), for all of them.
_REINDEX = insert(_s).from_select(
    ["decision_id", "log_id", "number", "status", "date", "tags", "people", "document"],
    select(
        decisions.c.id,
        decisions.c.log_id,
        decisions.c.number,
        decisions.c.status,
        decisions.c.date,
        func.adr_search_array(decisions.c.tags),
        func.adr_search_array(decisions.c.decision_makers)
        .op("||")(func.adr_search_array(decisions.c.consulted))
        .op("||")(func.adr_search_array(decisions.c.informed)),
        func.adr_search_document(
            decisions.c.log_id,
            logs.c.visibility == Visibility.PUBLIC.value,
            decisions.c.title,
            decisions.c.tags,
            decisions.c.decision_makers,
            decisions.c.consulted,
            decisions.c.informed,
            decisions.c.content,
        ),
    ).join(logs, logs.c.id == decisions.c.log_id),
)


class PostgresSearch(FullTextSearch):
    def compile(self, query: SearchQuery) -> dict[str, str]:
        # ts_rank scores a negated term as a missing one: it ranks by the positive part.
        return {
            "match": tsquery_text(query),
            "rank_match": tsquery_text(SearchQuery(all_of=query.all_of)),
        }

    def ranking(self, shape: Shape) -> CompoundSelect[Any]:
        return _ranking(shape)

    def details(self) -> Select[Any]:
        return _DETAILS

    def matching(self, shape: ListShape) -> Select[Any]:
        return _matching(shape)

    async def reindex(self, connection: AsyncConnection) -> int:
        # Writers (whose trigger writes here) and searches wait for the rebuild.
        await connection.execute(text("LOCK TABLE decision_search IN ACCESS EXCLUSIVE MODE"))
        await connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        await connection.run_sync(_drop_indexes)
        await connection.execute(text("TRUNCATE decision_search"))
        result = await connection.execute(_REINDEX)
        # Built once over every row: much faster than growing it row by row.
        await connection.run_sync(_create_indexes)
        return result.rowcount


def _drop_indexes(connection: Connection) -> None:
    for index in _s.indexes:
        index.drop(connection)


def _create_indexes(connection: Connection) -> None:
    for index in _s.indexes:
        index.create(connection)
