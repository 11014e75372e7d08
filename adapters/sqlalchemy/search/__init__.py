"""Full-text search of decisions (ADR-0009): PostgreSQL tsvector with a GIN index, or
SQLite FTS5, behind the DecisionSearch port."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.search.postgres import PostgresSearch
from adapters.sqlalchemy.search.sqlite import SqliteSearch
from application.ports import DecisionSearch


def create_search(engine: AsyncEngine) -> DecisionSearch:
    """The search adapter for the engine's database."""
    if engine.dialect.name == "postgresql":
        return PostgresSearch(engine)
    return SqliteSearch(engine)


__all__ = ["PostgresSearch", "SqliteSearch", "create_search"]
