"""The composition root: the one module that builds adapters and wires the handlers.

Nothing happens on import; each process calls `build_container` once (the HTTP app in
its lifespan, each CLI command when it runs) and `dispose` when it is done.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Mapping
from datetime import timedelta
from random import Random
from typing import Any

import punq
from celery import Celery
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.celery import CeleryBrokerProbe, CeleryEventPublisher
from adapters.celery.sync_queue import GIT_SYNC_TASK, CelerySyncQueue
from adapters.clock import SystemClock
from adapters.git.credentials import GitCredential
from adapters.git.policy import GitUrlPolicy
from adapters.git.reader import DulwichRepositories
from adapters.madr.codec import MadrFiles
from adapters.passwords import Argon2PasswordHasher
from adapters.process_pool import ProcessPoolCpuWork
from adapters.session_tokens import JwtSessionTokens
from adapters.sqlalchemy import (
    SqlAlchemyDecisionReader,
    SqlAlchemyHealthProbe,
    SqlAlchemyReadModel,
    SqlAlchemyUnitOfWork,
    create_engine,
    create_search,
    migrate,
    schema_is_current,
)
from adapters.sqlalchemy.audit import SqlAlchemyAuditReader
from adapters.sqlalchemy.backlog import SqlAlchemyBacklog
from adapters.sqlalchemy.git_syncs import SqlAlchemyGitSyncs
from adapters.sqlalchemy.notices import SqlAlchemyNotices
from adapters.sqlalchemy.outbox import SqlAlchemyOutbox
from adapters.sqlalchemy.reservations import SqlAlchemyNumberReservations
from adapters.sqlalchemy.webhook_reads import SqlAlchemyWebhookReadModel
from adapters.sqlalchemy.webhook_repository import SqlAlchemyWebhookUnitOfWork
from adapters.webhooks.addresses import AllowedTargets
from adapters.webhooks.guard import SsrfGuard
from adapters.webhooks.resolver import HostResolver, SystemResolver
from adapters.webhooks.sender import HttpxWebhookSender
from application.commands import RelayOutbox
from application.cursors import Cursors
from application.handlers.audit import ReadAuditHandler
from application.handlers.drift import GetDriftHandler
from application.handlers.exports import (
    DrawGraphHandler,
    ExportLogHandler,
    RenderDecisionHandler,
)
from application.handlers.git_sync import (
    GetSyncHandler,
    ListSyncsHandler,
    RequestSyncHandler,
    RunSyncHandler,
    SyncAllLogsHandler,
    SyncLimits,
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
from application.handlers.notices import (
    SweepReviewsHandler,
    SweepStaleProposalsHandler,
)
from application.handlers.outbox import RelayOutboxHandler
from application.handlers.overview import GetLinkGraphHandler, GetLogOverviewHandler
from application.handlers.passwords import (
    CreatePasswordUserHandler,
    RequestSessionTokenHandler,
    SetPasswordHandler,
    SignInHandler,
)
from application.handlers.proposals import (
    EditDecisionHandler,
    ProposeDecisionHandler,
    WithdrawDecisionHandler,
)
from application.handlers.queries import (
    CheckRoleHandler,
    GetCurrentHandler,
    GetDecisionHandler,
    GetHistoryHandler,
    GetLogHandler,
    ListDecisionsHandler,
    ListLogsHandler,
    ListMembersHandler,
    ListTokensHandler,
    SearchDecisionsHandler,
)
from application.handlers.reservations import ReserveNumberHandler
from application.handlers.search_index import ReindexSearchHandler
from application.handlers.users import (
    AuthenticateHandler,
    CreateTokenHandler,
    CreateUserHandler,
    RevokeTokenHandler,
    SetUserDisabledHandler,
)
from application.handlers.webhooks import (
    CreateWebhookHandler,
    DeleteWebhookHandler,
    DeliverWebhookHandler,
    DueDeliveriesHandler,
    FanOutEventHandler,
    GetWebhookHandler,
    ListDeliveriesHandler,
    ListWebhooksHandler,
    PingWebhookHandler,
    RedeliverHandler,
    UpdateWebhookHandler,
)
from application.health import AllHealthProbes
from application.ports import (
    AuditReader,
    Backlog,
    Clock,
    CpuBoundWork,
    DecisionReader,
    DecisionSearch,
    EventPublisher,
    GitRepositories,
    GitSourcePolicy,
    GitSyncs,
    HealthProbe,
    MadrCodec,
    Notices,
    NumberReservations,
    Outbox,
    OutboxSignal,
    PasswordHasher,
    ReadModel,
    SessionTokens,
    SyncQueue,
    UnitOfWork,
    WebhookReadModel,
    WebhookSender,
    WebhookTargetPolicy,
    WebhookUnitOfWork,
)
from entrypoints.relay import PendingRelay, RelayLoop
from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery

__all__ = ["GIT_SYNC_TASK"]  # the worker's name for the task CelerySyncQueue sends

BACKGROUND_HANDLERS: tuple[type[Any], ...] = (
    RelayOutboxHandler,
    SweepReviewsHandler,
    SweepStaleProposalsHandler,
)

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
    RevokeTokenHandler,
    CreatePasswordUserHandler,
    SetPasswordHandler,
    SetUserDisabledHandler,
    SignInHandler,
    RequestSessionTokenHandler,
    ImportDecisionsHandler,
)
# They hold only shared ports (the read side, the codec): one instance serves every request.
STATELESS_HANDLERS: tuple[type[Any], ...] = (
    AuthenticateHandler,
    CheckRoleHandler,
    GetLogHandler,
    ListLogsHandler,
    ListMembersHandler,
    ListTokensHandler,
    GetDecisionHandler,
    ListDecisionsHandler,
    GetHistoryHandler,
    GetCurrentHandler,
    LintFilesHandler,
    RenderDecisionHandler,
    ExportLogHandler,
    DrawGraphHandler,
    # the web view
    GetLogOverviewHandler,
    GetLinkGraphHandler,
    # search
    SearchDecisionsHandler,
    ReindexSearchHandler,
    # the audit trail
    ReadAuditHandler,
)

# Webhooks: those with a unit of work are built per resolve; the queries once.
WEBHOOK_HANDLERS: tuple[type[Any], ...] = (
    CreateWebhookHandler,
    UpdateWebhookHandler,
    DeleteWebhookHandler,
    PingWebhookHandler,
    RedeliverHandler,
    FanOutEventHandler,
    DeliverWebhookHandler,
)
WEBHOOK_QUERY_HANDLERS: tuple[type[Any], ...] = (
    ListWebhooksHandler,
    GetWebhookHandler,
    ListDeliveriesHandler,
    DueDeliveriesHandler,
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
    container.register(PasswordHasher, instance=Argon2PasswordHasher())
    container.register(SessionTokens, instance=_session_tokens(settings))
    # A class, not an instance: it takes the Clock, which tests override.
    container.register(ReadModel, SqlAlchemyReadModel, scope=punq.Scope.singleton)
    container.register(DecisionReader, instance=SqlAlchemyDecisionReader(engine))
    container.register(AuditReader, instance=SqlAlchemyAuditReader(engine))
    celery = create_celery(settings)
    container.register(Celery, instance=celery)
    container.register(
        HealthProbe,
        instance=AllHealthProbes([SqlAlchemyHealthProbe(engine), CeleryBrokerProbe(celery)]),
    )
    container.register(Outbox, instance=SqlAlchemyOutbox(engine))
    container.register(Backlog, instance=SqlAlchemyBacklog(engine))
    container.register(EventPublisher, instance=CeleryEventPublisher(celery))
    container.register(Notices, instance=SqlAlchemyNotices(engine))
    # Replaced by the API's RelayLoop; a worker task or CLI command relays when nudged.
    container.register(OutboxSignal, instance=PendingRelay())
    for handler in BACKGROUND_HANDLERS:
        container.register(handler)
    container.register(MadrCodec, instance=MadrFiles())
    container.register(
        CpuBoundWork,
        instance=ProcessPoolCpuWork(settings.parse_workers, settings.parse_budget_seconds),
    )
    # Each commit that stores events nudges the outbox relay of this process (resolved at
    # each build: the API replaces the signal once its relay loop runs).
    container.register(
        UnitOfWork,
        factory=lambda: SqlAlchemyUnitOfWork(engine, container.resolve(OutboxSignal)),
    )
    # search
    container.register(DecisionSearch, instance=create_search(engine))
    container.register(Cursors, instance=Cursors(settings.cursor_key.get_secret_value().encode()))
    for handler in COMMAND_HANDLERS:
        container.register(handler)
    for handler in STATELESS_HANDLERS:
        container.register(handler, scope=punq.Scope.singleton)
    _register_webhooks(container, settings, engine)
    _register_git_sync(container, settings, engine, celery)
    for service, instance in (overrides or {}).items():
        container.register(service, instance=instance)
    return container


def _session_tokens(settings: Settings) -> JwtSessionTokens:
    keys = settings.jwt_key_ring()
    if not keys:
        # Tokens signed with it die with the process: fine for one embedded process.
        keys = {f"process-{secrets.token_hex(4)}": secrets.token_bytes(32)}
    return JwtSessionTokens(
        keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_issuer,
        lifetime=timedelta(seconds=settings.jwt_lifetime_seconds),
    )


def _register_webhooks(container: punq.Container, settings: Settings, engine: AsyncEngine) -> None:
    # The guard and the sender are built on first use, so that an override of
    # HostResolver (tests answer DNS themselves) reaches them.
    container.register(HostResolver, instance=SystemResolver())
    container.register(AllowedTargets, instance=AllowedTargets.parse(settings.webhook_allow_hosts))
    container.register(SsrfGuard, scope=punq.Scope.singleton)
    container.register(WebhookTargetPolicy, SsrfGuard, scope=punq.Scope.singleton)
    container.register(
        WebhookSender,
        factory=lambda: HttpxWebhookSender(
            container.resolve(SsrfGuard), settings.webhook_timeout_seconds
        ),
        scope=punq.Scope.singleton,
    )
    container.register(Random, instance=Random())
    container.register(WebhookReadModel, instance=SqlAlchemyWebhookReadModel(engine))
    container.register(WebhookUnitOfWork, factory=SqlAlchemyWebhookUnitOfWork)
    for handler in WEBHOOK_HANDLERS:
        container.register(handler)
    for handler in WEBHOOK_QUERY_HANDLERS:
        container.register(handler, scope=punq.Scope.singleton)


def _register_git_sync(
    container: punq.Container, settings: Settings, engine: AsyncEngine, celery: Celery
) -> None:
    credentials = {
        log: GitCredential(username, token)
        for log, (username, token) in settings.git_credential_entries().items()
    }
    container.register(
        GitRepositories,
        instance=DulwichRepositories(credentials, settings.git_max_repository_bytes),
    )
    # On first use, like the webhooks' guard: it shares their guard (and its overrides).
    container.register(
        GitSourcePolicy,
        factory=lambda: GitUrlPolicy(
            container.resolve(SsrfGuard), settings.git_allow_local_sources
        ),
        scope=punq.Scope.singleton,
    )
    container.register(GitSyncs, instance=SqlAlchemyGitSyncs(engine))
    container.register(SyncQueue, instance=CelerySyncQueue(celery))
    container.register(NumberReservations, instance=SqlAlchemyNumberReservations(engine))
    container.register(
        SyncLimits,
        instance=SyncLimits(
            lease=timedelta(seconds=settings.git_sync_lease_seconds),
            reservation=timedelta(seconds=settings.reservation_ttl_seconds),
        ),
    )
    for command_handler in (
        RequestSyncHandler,
        RunSyncHandler,
        SyncAllLogsHandler,
        ReserveNumberHandler,
    ):
        container.register(command_handler)
    for query_handler in (GetSyncHandler, ListSyncsHandler, GetDriftHandler):
        container.register(query_handler, scope=punq.Scope.singleton)


def start_relay_loop(container: punq.Container) -> RelayLoop:
    """Relay the outbox in the background of this (the API's) event loop, woken by each
    commit's nudge; `stop()` it before disposing of the container."""

    async def relay() -> int:
        handler: RelayOutboxHandler = container.resolve(RelayOutboxHandler)
        return await handler(RelayOutbox())

    loop = RelayLoop(relay)
    container.register(OutboxSignal, instance=loop)
    loop.start()
    return loop


async def relay_if_nudged(container: punq.Container) -> int:
    """After a worker task or CLI command: relay once if one of its commits nudged."""
    signal = container.resolve(OutboxSignal)
    if not isinstance(signal, PendingRelay) or not signal.take():
        return 0
    handler: RelayOutboxHandler = container.resolve(RelayOutboxHandler)
    return await handler(RelayOutbox())


async def dispose(container: punq.Container) -> None:
    """Close the database connections of a container built by `build_container`."""
    read_model = container.resolve(ReadModel)
    if isinstance(read_model, SqlAlchemyReadModel):
        await read_model.token_use.settled()
    engine: AsyncEngine = container.resolve(AsyncEngine)
    await engine.dispose()
    cpu: CpuBoundWork = container.resolve(CpuBoundWork)
    if isinstance(cpu, ProcessPoolCpuWork):
        cpu.close()


async def migrate_database(settings: Settings) -> None:
    """Bring the database schema up to date (idempotent)."""
    await migrate(settings.database_url)


async def wait_for_schema(settings: Settings, seconds: float, every: float = 2.0) -> bool:
    """Wait until another process (the migration job) has brought the schema to head;
    False if it is not there within `seconds`."""
    deadline = time.monotonic() + seconds
    while not await schema_is_current(settings.database_url):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(every)
    return True
