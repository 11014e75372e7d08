"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from entrypoints import tracing
from entrypoints.bootstrap import STATELESS_HANDLERS, build_container, dispose, start_relay_loop
from entrypoints.garbage_collection import freeze_after_start
from entrypoints.http.dependencies import Services, document_anonymous_reads, document_sign_in
from entrypoints.http.docs import add_offline_docs
from entrypoints.http.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from entrypoints.http.openapi_links import add_links
from entrypoints.http.problems import add_problem_schema, install_problem_handlers
from entrypoints.http.rate_limits import RateLimitMiddleware, RateLimits, document_rate_limits
from entrypoints.http.routes import (
    audit,
    auth,
    decisions,
    git_sync,
    logs,
    madr,
    metrics,
    operations,
    search,
    tokens,
    webhooks,
)
from entrypoints.metrics import http_metrics, watch_pool
from entrypoints.settings import Settings
from entrypoints.web import pages, signin
from entrypoints.web.responses import not_found_page

_DESCRIPTION = """\
Architecture Decision Records in the MADR format: propose, decide, supersede and link
decisions, in logs with per-log roles (viewer, author, decider, admin).

Authenticate with `Authorization: Bearer <token>`: a personal access token, or a JWT
from signing in at `POST /v1/auth/token` (OAuth2 password flow; Authorize here does it). Errors are
RFC 9457 problems (`application/problem+json`) whose `type` is stable. Every log and
decision has a version, sent as its `ETag`: send it back as `If-Match` to change it
(412 if someone changed it first; PATCH and DELETE need it, else 428).
"""
_TAGS = [
    {"name": "logs", "description": "Logs of decisions, and who has which role in them."},
    {"name": "decisions", "description": "Propose, decide, supersede and link decisions."},
    {"name": "madr", "description": "MADR files in and out: import, export, graph, lint."},
    {"name": "search", "description": "Full text across logs, ranked, with facets."},
    {"name": "auth", "description": "Sign in with a password for a short-lived JWT."},
    {"name": "tokens", "description": "Personal access tokens."},
    {"name": "audit", "description": "Who signed in, and changed tokens, roles and users."},
    {
        "name": "webhooks",
        "description": "Signed deliveries of a log's events to other services (Standard "
        "Webhooks), and their delivery log.",
    },
    {"name": "operations", "description": "Probes for orchestrators."},
]


class RegistryApp(FastAPI):
    def openapi(self) -> dict[str, Any]:
        schema = super().openapi()
        add_problem_schema(schema)
        document_anonymous_reads(schema, self.routes)
        document_sign_in(schema)
        add_links(schema)
        document_rate_limits(schema)
        return schema


def create_app(
    settings: Settings | None = None,
    overrides: Mapping[type, object] | None = None,
    *,
    long_running: bool = False,
) -> FastAPI:
    """The API. Its container is built when the lifespan starts, and disposed after.

    `long_running`: the app is the process's one job (`adr-registry serve`), so the
    garbage collector is tuned for it once it has started (not in tests, which build
    many apps in one process).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = build_container(settings, overrides)
        relay = start_relay_loop(container)
        unwatch_pool = watch_pool(container.resolve(AsyncEngine))
        if tracing.enabled():
            tracing.trace_engine(container.resolve(AsyncEngine))
        try:
            app.state.services = Services(container, STATELESS_HANDLERS)
            if long_running:
                freeze_after_start()
            yield
        finally:
            unwatch_pool()
            await relay.stop()
            await dispose(container)

    app = RegistryApp(
        title="adr-registry",
        version="1",
        description=_DESCRIPTION,
        openapi_tags=_TAGS,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry=tracing.fastapi_telemetry(),
    )
    add_offline_docs(app)
    install_problem_handlers(app, page_for_unknown_path=not_found_page)
    # Added last is outermost: the request id wraps everything, 413s included.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    # Inside the request id (a 429 is logged and counted like any reply), outside the
    # body limit: a caller over quota is refused before anything reads its body.
    app.state.rate_limits = RateLimits.from_settings(settings)
    if app.state.rate_limits is not None:
        app.add_middleware(RateLimitMiddleware, limits=app.state.rate_limits)
    app.add_middleware(RequestContextMiddleware, metrics=http_metrics())
    # The routers' routes go straight into the app's own list (include_router would nest
    # them): app.routes then lists every APIRoute, and a request is matched in one pass,
    # decisions first since reading one is the hot path.
    for module in (
        decisions,
        logs,
        madr,
        auth,
        tokens,
        audit,
        git_sync,
        operations,
        metrics,
        search,
        webhooks,
    ):
        app.router.routes.extend(module.router.routes)
    # The web view after the API.
    app.router.routes.extend(pages.router.routes)
    app.router.routes.extend(signin.router.routes)
    return app
