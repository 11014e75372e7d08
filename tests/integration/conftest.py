"""One suite for both backends: every test that takes `engine` runs on SQLite and on
PostgreSQL, each time on an empty schema that `migrate()` built.

Migrating takes longer than copying, so each backend is migrated once per session into a
template (a file for SQLite, a template database for PostgreSQL) that every test copies.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, migrate
from domain.content import Arguments, Content, ExtraSection, Option, Outcome
from domain.decision import Decision
from domain.log import Log
from domain.user import User
from domain.values import DecisionRef, LogSlug, Role, Visibility
from tests.services import postgres_url_or_skip, run_in_new_loop

AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
_OBJECT_IN_USE = "55006"

# Every field of MADR content set, including what MADR does not name.
FULL_CONTENT = Content(
    context="Clients need one API to record decisions.",
    drivers=("Speed of development", "Generated API docs"),
    options=(
        Option(
            "FastAPI",
            "ASGI framework on Pydantic",
            Arguments(good=("async",), neutral=("young",), bad=("churn",)),
        ),
        Option("Flask"),
    ),
    outcome=Outcome(chosen="FastAPI", justification="it generates OpenAPI docs"),
    consequences=Arguments(good=("one schema",), bad=("Pydantic upgrades",)),
    confirmation="Reviewed in the architecture round.",
    more_information="See the spike in PLAT-12.",
    extra_sections=(ExtraSection("Costs", "Two weeks.", level=3, after="context"),),
    extra_metadata=(("owner", "platform"), ("weights", [1, 2.5, {"nested": True}]), ("x", None)),
)


@dataclass(frozen=True)
class _PostgresTemplate:
    admin: URL
    name: str

    def url_of(self, database: str) -> str:
        return self.admin.set(database=database).render_as_string(hide_password=False)


async def _admin_execute(admin: URL, *statements: str) -> None:
    # CREATE and DROP DATABASE cannot run inside a transaction.
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def create_from_template(template: _PostgresTemplate, name: str) -> None:
    # The template's last session may take a moment to end after its engine is disposed,
    # and PostgreSQL refuses to copy a database that someone is connected to.
    for attempt in range(50):
        try:
            await _admin_execute(
                template.admin, f'CREATE DATABASE "{name}" TEMPLATE "{template.name}"'
            )
            return
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != _OBJECT_IN_USE or attempt == 49:
                raise
            await asyncio.sleep(0.1)


def drop(admin: URL, name: str) -> None:
    run_in_new_loop(lambda: _admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[_PostgresTemplate]:
    template = _PostgresTemplate(
        admin=make_url(postgres_url_or_skip()), name=f"adr_test_template_{uuid.uuid4().hex[:12]}"
    )

    async def build() -> None:
        await _admin_execute(template.admin, f'CREATE DATABASE "{template.name}"')
        await migrate(template.url_of(template.name))

    run_in_new_loop(build)
    yield template
    drop(template.admin, template.name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "registry.db"
    run_in_new_loop(lambda: migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated, empty database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "registry.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template: _PostgresTemplate = request.getfixturevalue("postgres_template")
    name = f"adr_test_{uuid.uuid4().hex[:12]}"
    run_in_new_loop(lambda: create_from_template(template, name))
    yield template.url_of(name)
    drop(template.admin, name)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


class Registry:
    """Writes test data through the unit of work under test, one commit per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)

    async def user(self, username: str, *, is_admin: bool = False) -> str:
        async with self.uow() as uow:
            await uow.users.add(User(username, is_admin=is_admin))
            await uow.commit()
        return username

    async def log(
        self,
        slug: str,
        *,
        creator: str = "alice",
        visibility: Visibility = Visibility.PRIVATE,
        members: dict[str, Role] | None = None,
    ) -> LogSlug:
        log = Log.create(
            slug=LogSlug(slug), title=slug.title(), creator=creator, at=AT, visibility=visibility
        )
        log.members.update(members or {})
        async with self.uow() as uow:
            await uow.logs.add(log)
            await uow.commit()
        return log.slug

    async def propose(self, log: LogSlug, title: str = "Use a thing", **fields: Any) -> DecisionRef:
        async with self.uow() as uow:
            number = await uow.logs.next_number(log)
            decision = Decision.propose(
                ref=DecisionRef(log, number),
                title=title,
                by="alice",
                at=AT,
                **fields,
            )
            await uow.decisions.add(decision)
            await uow.commit()
        return decision.ref

    async def change(self, ref: DecisionRef, step: Callable[[Decision], object]) -> None:
        async with self.uow() as uow:
            decision = await uow.decisions.get(ref)
            assert decision is not None, f"{ref} is not stored"
            step(decision)
            await uow.commit()


@pytest.fixture
async def registry(engine: AsyncEngine) -> Registry:
    registry = Registry(engine)
    await registry.user("alice")
    return registry
