"""The composition root: the one module that builds adapters and wires the handlers.

Nothing happens on import; each process calls `build_container` once (the HTTP app in
its lifespan, each CLI command when it runs) and `dispose` when it is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import punq
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.madr.codec import MadrFiles
from adapters.sqlalchemy import (
    SqlAlchemyDecisionReader,
    SqlAlchemyHealthProbe,
    SqlAlchemyReadModel,
    SqlAlchemyUnitOfWork,
    create_engine,
    migrate,
)
from application.handlers.exports import (
    DrawGraphHandler,
    ExportLogHandler,
    RenderDecisionHandler,
)
from application.handlers.imports import ImportDecisionsHandler
from application.handlers.lifecycle import ChangeStatusHandler, SupersedeDecisionHandler
from application.handlers.links import LinkDecisionsHandler, UnlinkDecisionsHandler
from application.handlers.lint import LintFilesHandler
from application.handlers.logs import (
    CreateLogHandler,
    RemoveMemberHandler,
    SetMemberHandler,
    UpdateLogHandler,
)
from application.handlers.proposals import (
    EditDecisionHandler,
    ProposeDecisionHandler,
    WithdrawDecisionHandler,
)
from application.handlers.queries import (
    GetCurrentHandler,
    GetDecisionHandler,
    GetHistoryHandler,
    GetLogHandler,
    ListDecisionsHandler,
    ListLogsHandler,
    ListMembersHandler,
)
from application.handlers.users import AuthenticateHandler, CreateTokenHandler, CreateUserHandler
from application.ports import (
    Clock,
    DecisionReader,
    HealthProbe,
    MadrCodec,
    ReadModel,
    UnitOfWork,
)
from entrypoints.settings import Settings

# Each holds a unit of work, so each resolve builds a fresh one (and a fresh UoW).
COMMAND_HANDLERS: tuple[type[Any], ...] = (
    CreateLogHandler,
    UpdateLogHandler,
    SetMemberHandler,
    RemoveMemberHandler,
    ProposeDecisionHandler,
    EditDecisionHandler,
    WithdrawDecisionHandler,
    ChangeStatusHandler,
    SupersedeDecisionHandler,
    LinkDecisionsHandler,
    UnlinkDecisionsHandler,
    CreateUserHandler,
    CreateTokenHandler,
    ImportDecisionsHandler,
)
# They hold only shared ports (the read side, the codec): one instance serves every request.
STATELESS_HANDLERS: tuple[type[Any], ...] = (
    AuthenticateHandler,
    GetLogHandler,
    ListLogsHandler,
    ListMembersHandler,
    GetDecisionHandler,
    ListDecisionsHandler,
    GetHistoryHandler,
    GetCurrentHandler,
    LintFilesHandler,
    RenderDecisionHandler,
    ExportLogHandler,
    DrawGraphHandler,
)


def build_container(
    settings: Settings, overrides: Mapping[type, object] | None = None
) -> punq.Container:
    """Wire the process: shared resources as instances, units of work transient.

    `overrides` replace registrations by key, e.g. `{Clock: FakeClock()}` in tests.
    """
    engine = create_engine(settings.database_url)
    container = punq.Container()
    container.register(Settings, instance=settings)
    container.register(AsyncEngine, instance=engine)
    container.register(Clock, instance=SystemClock())
    container.register(ReadModel, instance=SqlAlchemyReadModel(engine))
    container.register(DecisionReader, instance=SqlAlchemyDecisionReader(engine))
    container.register(HealthProbe, instance=SqlAlchemyHealthProbe(engine))
    container.register(MadrCodec, instance=MadrFiles())
    container.register(UnitOfWork, factory=SqlAlchemyUnitOfWork)
    for handler in COMMAND_HANDLERS:
        container.register(handler)
    for handler in STATELESS_HANDLERS:
        container.register(handler, scope=punq.Scope.singleton)
    for service, instance in (overrides or {}).items():
        container.register(service, instance=instance)
    return container


async def dispose(container: punq.Container) -> None:
    """Close the database connections of a container built by `build_container`."""
    engine: AsyncEngine = container.resolve(AsyncEngine)
    await engine.dispose()


async def migrate_database(settings: Settings) -> None:
    """Bring the database schema up to date (idempotent)."""
    await migrate(settings.database_url)
