from __future__ import annotations

import pytest

from application.commands import CreateLog, SetMember
from application.cursors import Cursors
from application.handlers.logs import CreateLogHandler, SetMemberHandler
from application.views import Actor
from domain.user import User
from domain.values import LogSlug, Role, Visibility
from tests.fakes import FakeClock, FakeReadModel, FakeUnitOfWork, Store

OWNER = Actor("owner")
AUTHOR = Actor("ann")
DECIDER = Actor("dee")
VIEWER = Actor("vic")
STRANGER = Actor("stan")
ADMIN = Actor("root", is_admin=True)
LOG = LogSlug("platform")
CURSORS = Cursors(b"test key")


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow(store: Store) -> FakeUnitOfWork:
    return FakeUnitOfWork(store)


@pytest.fixture
def read_model(store: Store) -> FakeReadModel:
    return FakeReadModel(store)


@pytest.fixture
async def platform(store: Store) -> LogSlug:
    """A private log 'platform' with one member per role."""
    for actor in (OWNER, AUTHOR, DECIDER, VIEWER, STRANGER, ADMIN):
        assert actor.username
        store.users[actor.username] = User(actor.username, is_admin=actor.is_admin)
    await CreateLogHandler(FakeUnitOfWork(store), FakeClock())(
        CreateLog(actor=OWNER, slug=LOG, title="Platform", visibility=Visibility.PRIVATE)
    )
    members = SetMemberHandler(FakeUnitOfWork(store), FakeClock())
    for actor, role in ((AUTHOR, Role.AUTHOR), (DECIDER, Role.DECIDER), (VIEWER, Role.VIEWER)):
        assert actor.username
        await members(SetMember(actor=OWNER, slug=LOG, username=actor.username, role=role))
    return LOG
