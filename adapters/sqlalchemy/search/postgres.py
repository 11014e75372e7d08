"""Search on PostgreSQL: the weighted tsvector of decision_search, its GIN index, ts_rank
and ts_headline. The table and its trigger come from migration 0004 (ADR-0009)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, array
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnClause

from adapters.sqlalchemy.search.index import (
    FullTextSearch,
    ListShape,
    Readers,
    Shape,
    log_id_of_slug,
    ranking_statement,
    readable,
    readable_log_ids,
    top_counts,
)
from adapters.sqlalchemy.tables import decision_search, decisions, logs
from application.search_query import SearchQuery, Term
from application.snippets import MARKS, MATCH_END, MATCH_START
from domain.lifecycle import Status

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


def _log_lexeme(log_id: ColumnElement[Any]) -> ColumnElement[Any]:
    """The lexeme every decision's document holds for its log (migration 0004)."""
    return func.format("'log %s'", log_id)


def _in_logs(query: ColumnElement[Any], which: ColumnElement[bool]) -> ColumnElement[Any]:
    """`query`, and in one of the logs `which` selects: the GIN index then fetches only
    the rows of those logs (an empty choice matches nothing)."""
    logs_query = cast(func.string_agg(_log_lexeme(logs.c.id), " | "), TSQUERY)
    return query.op("&&")(select(logs_query).where(which).scalar_subquery())


def _restricted(shape_readers: Readers, log: bool) -> ColumnElement[Any]:
    """The search text, kept to the logs the caller may read (and to the one asked for)."""
    query = _query()
    which = readable(shape_readers)
    if which is not None:
        query = _in_logs(query, which)
    if log:
        query = _in_logs(query, logs.c.slug == bindparam("log"))
    return select(query).scalar_subquery()


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
    ).where(_s.c.document.op("@@")(_restricted(shape.readers, shape.log)), _searchable(_query()))
    # The index already kept to these logs; checked again on the rows, all the same.
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
    in_log = select(_in_logs(query, logs.c.slug == bindparam("slug"))).scalar_subquery()
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
            _s.c.document.op("@@")(in_log),
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


def _index_row_of(table: Any) -> Select[Any]:
    """What the trigger writes for each decision (migration 0004), for all of them."""
    return select(
        table.c.id,
        table.c.log_id,
        table.c.number,
        table.c.status,
        table.c.date,
        func.adr_search_array(table.c.tags),
        func.adr_search_array(table.c.decision_makers)
        .op("||")(func.adr_search_array(table.c.consulted))
        .op("||")(func.adr_search_array(table.c.informed)),
        func.adr_search_document(
            table.c.log_id,
            table.c.title,
            table.c.tags,
            table.c.decision_makers,
            table.c.consulted,
            table.c.informed,
            table.c.content,
        ),
    )


_REINDEX = insert(_s).from_select(
    ["decision_id", "log_id", "number", "status", "date", "tags", "people", "document"],
    _index_row_of(decisions),
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
