"""Persistence on SQLAlchemy Core: SQLite embedded, PostgreSQL in production."""

from adapters.sqlalchemy.decision_reader import SqlAlchemyDecisionReader
from adapters.sqlalchemy.engine import create_engine, migrate, schema_is_current
from adapters.sqlalchemy.health import SqlAlchemyHealthProbe
from adapters.sqlalchemy.read_model import SqlAlchemyReadModel
from adapters.sqlalchemy.search import create_search
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "SqlAlchemyDecisionReader",
    "SqlAlchemyHealthProbe",
    "SqlAlchemyReadModel",
    "SqlAlchemyUnitOfWork",
    "create_engine",
    "create_search",
    "migrate",
    "schema_is_current",
]
