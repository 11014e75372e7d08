"""Search on SQLite: the FTS5 table decision_search over the view decision_search_source,
bm25 and snippet(). The table, the view and their triggers come from migration 0004
(ADR-0009)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnClause

from adapters.sqlalchemy.search.index import (
    FullTextSearch,
    ListShape,
    Shape,
    log_id_of_slug,
    ranking_statement,
    readable_log_ids,
    top_counts,
)
from adapters.sqlalchemy.tables import decision_people, decision_tags, decisions, logs
from application.search_query import SearchQuery, Term
from application.snippets import MATCH_END, MATCH_START
from domain.lifecycle import Status

_COLUMNS = ("title", "people_tags", "context_outcome", "rest")
_fts = table("decision_search", column("rowid", Integer), *(column(name) for name in _COLUMNS))
# FTS5 names the table itself on the left of MATCH, and as the first argument of bm25().
_INDEX: ColumnClause[Any] = literal_column("decision_search")
# bm25's weight of each column, in order: title A, people and tags B, context and
# outcome C, the rest D; in the ratios of PostgreSQL's ts_rank.
_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
_SNIPPET_TOKENS = 24


def fts5_expression(query: SearchQuery) -> str:
    """The query as an FTS5 expression: every term a quoted string, so that nothing in
    it is read as an operator or a column name."""
    groups = " AND ".join(
        "(" + " OR ".join(_term(term) for term in group) + ")" for group in query.all_of
    )
    return "".join([f"({groups})", *(f" NOT {_term(term)}" for term in query.none_of)])


def _term(term: Term) -> str:
    phrase = " ".join(term.words).replace('"', '""')
    return f'"{phrase}"' + ("*" if term.prefix else "")


def _matches() -> ColumnElement[Any]:
    return _INDEX.bool_op("MATCH")(bindparam("match"))


def _tagged_with() -> ColumnElement[bool]:
    return exists().where(
        decision_tags.c.decision_id == decisions.c.id, decision_tags.c.tag == bindparam("tag")
    )


def _naming() -> ColumnElement[bool]:
    return exists().where(
        decision_people.c.decision_id == decisions.c.id,
        decision_people.c.name == bindparam("person"),
    )


@cache
def _ranking(shape: Shape) -> CompoundSelect[Any]:
    score = -func.bm25(_INDEX, *_WEIGHTS)
    statement = (
        select(
            decisions.c.id.label("decision_id"),
            decisions.c.log_id,
            decisions.c.status,
            score.label("score"),
        )
        .select_from(_fts)
        .join(decisions, decisions.c.id == _fts.c.rowid)
        .where(_matches())
    )
    readable = readable_log_ids(shape.readers)
    if readable is not None:
        statement = statement.where(decisions.c.log_id.in_(readable))
    if shape.log:
        statement = statement.where(decisions.c.log_id == log_id_of_slug("log"))
    if shape.status:
        statement = statement.where(decisions.c.status == bindparam("status"))
    if shape.tag:
        statement = statement.where(_tagged_with())
    if shape.person:
        statement = statement.where(_naming())
    if shape.date_from:
        statement = statement.where(decisions.c.date >= bindparam("date_from"))
    if shape.date_to:
        statement = statement.where(decisions.c.date <= bindparam("date_to"))
    hits = statement.cte("hits").prefix_with("MATERIALIZED")
    log_counts = top_counts(logs.c.slug).select_from(hits.join(logs, logs.c.id == hits.c.log_id))
    tag_counts = top_counts(decision_tags.c.tag).select_from(
        hits.join(decision_tags, decision_tags.c.decision_id == hits.c.decision_id)
    )
    return ranking_statement(hits, after=shape.after, log_counts=log_counts, tag_counts=tag_counts)


_DETAILS = (
    select(
        decisions.c.id,
        logs.c.slug,
        decisions.c.number,
        decisions.c.title,
        decisions.c.status,
        decisions.c.date,
        func.snippet(_INDEX, -1, MATCH_START, MATCH_END, "…", _SNIPPET_TOKENS).label("snippet"),
    )
    .select_from(_fts)
    .join(decisions, decisions.c.id == _fts.c.rowid)
    .join(logs, logs.c.id == decisions.c.log_id)
    .where(_matches(), _fts.c.rowid.in_(bindparam("ids", expanding=True)))
)


@cache
def _matching(shape: ListShape) -> Select[Any]:
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
        .join(logs, logs.c.id == decisions.c.log_id)
        .where(
            decisions.c.log_id == log_id_of_slug("slug"),
            decisions.c.number > bindparam("after"),
            decisions.c.id.in_(select(_fts.c.rowid).where(_matches())),
        )
    )
    if shape.status:
        statement = statement.where(decisions.c.status == bindparam("status"))
    if shape.tag:
        statement = statement.where(_tagged_with())
    if shape.person:
        statement = statement.where(_naming())
    if shape.review_due:
        statement = statement.where(
            decisions.c.status == Status.ACCEPTED.value,
            decisions.c.review_by <= bindparam("review_due"),
        )
    return statement.order_by(decisions.c.number).limit(bindparam("limit"))


_COLUMN_LIST = ", ".join(_COLUMNS)
_FORGET_ALL = text("INSERT INTO decision_search(decision_search) VALUES ('delete-all')")
_INDEX_ALL = text(
    f"INSERT INTO decision_search(rowid, {_COLUMN_LIST}) "
    f"SELECT id, {_COLUMN_LIST} FROM decision_search_source"
)
_OPTIMIZE = text("INSERT INTO decision_search(decision_search) VALUES ('optimize')")


class SqliteSearch(FullTextSearch):
    def compile(self, query: SearchQuery) -> dict[str, str]:
        return {"match": fts5_expression(query)}

    def ranking(self, shape: Shape) -> CompoundSelect[Any]:
        return _ranking(shape)

    def details(self) -> Select[Any]:
        return _DETAILS

    def matching(self, shape: ListShape) -> Select[Any]:
        return _matching(shape)

    async def reindex(self, connection: AsyncConnection) -> int:
        await connection.execute(_FORGET_ALL)
        result = await connection.execute(_INDEX_ALL)
        await connection.execute(_OPTIMIZE)
        return result.rowcount
