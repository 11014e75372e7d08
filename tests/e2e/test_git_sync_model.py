"""Git sync against a model: whatever the edits and whenever the syncs, the synced log
holds, for each file of the folder, what importing the folder at the last commit into
an empty log gives."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as examples

from application.commands import (
    CreateLog,
    CreateUser,
    ImportDecisions,
    RequestSync,
    RunSync,
    UpdateLog,
)
from application.handlers.git_sync import RequestSyncHandler, RunSyncHandler
from application.handlers.imports import ImportDecisionsHandler
from application.handlers.logs import CreateLogHandler, UpdateLogHandler
from application.handlers.users import CreateUserHandler
from application.ports import UnitOfWork
from application.views import OPERATOR, Actor
from domain.git_source import GitSource
from domain.values import LogSlug
from entrypoints.settings import Settings
from tests.e2e.conftest import MAX_BODY_BYTES
from tests.git_folders import GitFolder

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

OWNER = Actor("olga")
TITLES = ("Use Kafka", "Use RabbitMQ", "Use REST", "Use gRPC")
STATUSES = ("proposed", "accepted", "rejected", "deprecated")
_serial = itertools.count()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        git_allow_local_sources=True,
    )


def madr(title: str, status: str, context: str) -> bytes:
    body = f"\n## Context and Problem Statement\n\n{context}\n" if context else ""
    return f"---\nstatus: {status}\ndate: 2024-01-01\n---\n\n# {title}\n{body}".encode()


def file_name(number: int, title: str) -> str:
    return f"{number:04d}-{title.lower().replace(' ', '-')}.md"


writes = st.tuples(
    st.just("write"),
    st.integers(1, 3),
    st.sampled_from(TITLES),
    st.sampled_from(STATUSES),
    st.sampled_from(("", "We need a queue.")),
)
steps = st.lists(
    st.one_of(writes, st.tuples(st.just("delete"), st.integers(1, 4)), st.just(("sync",))),
    min_size=1,
    max_size=10,
)


async def _create_log(app: FastAPI, slug: LogSlug) -> None:
    create: CreateLogHandler = app.state.services.get(CreateLogHandler)
    await create(CreateLog(OWNER, slug, slug.value))


async def _states(app: FastAPI, slug: LogSlug, numbers: set[int]) -> dict[int, object]:
    uow: UnitOfWork = app.state.services.get(UnitOfWork)
    async with uow:
        found = await uow.decisions.list_in(slug)
    return {
        d.ref.number.value: (d.title, d.status, d.date, d.content, d.links)
        for d in found
        if d.ref.number.value in numbers
    }


@examples(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=steps)
async def test_a_synced_log_equals_an_import_of_the_folder_at_the_last_commit(
    app: FastAPI, steps: list[tuple[object, ...]]
) -> None:
    users: CreateUserHandler = app.state.services.get(CreateUserHandler)
    if next(_serial) == 0:
        await users(CreateUser(OPERATOR, "olga"))
    serial = next(_serial)
    synced, fresh = LogSlug(f"synced-{serial}"), LogSlug(f"fresh-{serial}")
    await _create_log(app, synced)
    await _create_log(app, fresh)
    repo = GitFolder(Path(tempfile.mkdtemp()) / "repo.git")
    update: UpdateLogHandler = app.state.services.get(UpdateLogHandler)
    await update(
        UpdateLog(OWNER, synced, change_source=True, source=GitSource(repo.url, "main", "docs/adr"))
    )
    names: dict[int, str] = {}

    async def sync() -> None:
        if not repo.files:
            return  # no commit yet: the branch does not exist
        request: RequestSyncHandler = app.state.services.get(RequestSyncHandler)
        run: RunSyncHandler = app.state.services.get(RunSyncHandler)
        queued = await request(RequestSync(OWNER, synced))
        done = await run(RunSync(queued.id))
        assert done is not None
        assert done.outcome is not None
        assert done.outcome.value in ("imported", "unchanged"), done.reason

    for step in steps:
        if step[0] == "write":
            _, number, title, status, context = step
            assert isinstance(number, int)
            assert isinstance(title, str)
            changes: dict[str, bytes | None] = {}
            if number in names and names[number] != file_name(number, title):
                changes[names[number]] = None
            names[number] = file_name(number, title)
            changes[names[number]] = madr(title, str(status), str(context))
            repo.commit(changes)
        elif step[0] == "delete":
            number = step[1]
            assert isinstance(number, int)
            if number in names and len(names) > 1:
                repo.commit({names.pop(number): None})
        else:
            await sync()
    await sync()

    importer: ImportDecisionsHandler = app.state.services.get(ImportDecisionsHandler)
    folder = tuple((name, data) for name, (_, data) in sorted(repo.files.items()))
    report = await importer(ImportDecisions(OWNER, fresh, folder))
    assert report.ok, report
    present = set(names)
    assert await _states(app, synced, present) == await _states(app, fresh, present)
