"""The `adr-registry` command. Each command calls the same handlers as the HTTP API."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
import punq
import uvicorn
from pydantic import ValidationError

from application.commands import (
    CreatePasswordUser,
    CreateUser,
    ExportLog,
    ImportDecisions,
    LintFiles,
    ReindexSearch,
    SetPassword,
    SetUserDisabled,
)
from application.errors import AlreadyExists, ApplicationError, InvalidBundle
from application.handlers.exports import ExportLogHandler
from application.handlers.imports import ImportDecisionsHandler
from application.handlers.lint import LintFilesHandler
from application.handlers.passwords import CreatePasswordUserHandler, SetPasswordHandler
from application.handlers.search_index import ReindexSearchHandler
from application.handlers.users import CreateUserHandler, SetUserDisabledHandler
from application.ports import UnitOfWork
from application.views import OPERATOR, ImportReport, LintProblem, MarkdownFile
from domain.errors import DomainError
from domain.values import LogSlug
from entrypoints import tracing
from entrypoints.bootstrap import (
    build_container,
    dispose,
    migrate_database,
    relay_if_nudged,
    wait_for_schema,
)
from entrypoints.bundles import read_path
from entrypoints.http.app import create_app
from entrypoints.http.server import server_config
from entrypoints.logging import configure_logging
from entrypoints.metrics import (
    MULTIPROCESS_DIR,
    forget_dead_processes,
    multiprocess_dir,
    serve_metrics,
)
from entrypoints.settings import Settings, describe_invalid
from entrypoints.worker.app import (
    BEAT_MAX_LOOP_SECONDS,
    create_worker_app,
    heartbeat_scheduler,
    is_alive,
)

T = TypeVar("T")

FIRST_ADMIN = "admin"


@click.group(name="adr-registry")
@click.pass_context
def main(context: click.Context) -> None:
    """A server for Architecture Decision Records (MADR).

    Settings come from ADR_REGISTRY_* environment variables (see the README).
    """
    try:
        settings = Settings()
    except ValidationError as error:
        # At start, one line per bad variable; never a traceback on a first request.
        raise click.ClickException(describe_invalid(error)) from None
    configure_logging(settings.log_format)
    context.obj = settings


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, type=int, envvar="PORT", show_default=True, help="Port to listen on."
)
@click.option(
    "--no-migrate",
    is_flag=True,
    help="Wait for the schema instead of migrating (a migration job brings it up to date), "
    "and create no first admin.",
)
@click.option(
    "--schema-timeout",
    default=300.0,
    show_default=True,
    help="With --no-migrate: seconds to wait for the schema before giving up.",
)
@click.pass_obj
def serve(
    settings: Settings, host: str, port: int, no_migrate: bool, schema_timeout: float
) -> None:
    """Migrate the database, create the first admin on first start, and serve the API."""
    if no_migrate:
        if not asyncio.run(wait_for_schema(settings, schema_timeout)):
            raise click.ClickException(
                f"the database schema is not up to date after {schema_timeout:g} s: "
                "run `adr-registry migrate` (the migration job)"
            )
        token = None
    else:
        token = asyncio.run(prepare_to_serve(settings))
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if token is not None:
        # Only where it is: a console is often captured by log collectors.
        click.echo(
            f"First start: created the site admin '{FIRST_ADMIN}'. Its token is in "
            f"{settings.admin_token_path} (readable by this user only)."
        )
    click.echo(f"API docs: http://{shown_host}:{port}/docs")
    # The app writes the access lines itself (entrypoints.http.middleware).
    forget_dead_processes()
    if tracing.enabled():
        tracing.start("adr-registry-api")
    app = create_app(settings, long_running=True)
    config = server_config(
        app,
        host,
        port,
        # X-Forwarded-For/-Proto are believed from these proxies only (ADR-0017).
        trusted_proxies=settings.trusted_proxies,
        shutdown_timeout=settings.shutdown_timeout_seconds,
    )
    uvicorn.Server(config).run()


@main.command()
@click.pass_obj
def migrate(settings: Settings) -> None:
    """Bring the database schema up to date."""
    asyncio.run(migrate_database(settings))
    click.echo("The database schema is up to date.")


@main.group()
def users() -> None:
    """Manage users."""


@users.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, help="Make the user a site admin (every log, any role).")
@click.option(
    "--password",
    "with_password",
    is_flag=True,
    help="Prompt for a password to sign in with, instead of printing a first token.",
)
@click.pass_obj
def create_user(settings: Settings, username: str, admin: bool, with_password: bool) -> None:
    """Create a user and print their first personal access token (or, with --password,
    prompt for the password they sign in with)."""
    if with_password:
        password = _prompt_password()

        async def create_with_password(container: punq.Container) -> None:
            handler: CreatePasswordUserHandler = container.resolve(CreatePasswordUserHandler)
            await handler(
                CreatePasswordUser(
                    actor=OPERATOR, username=username, password=password, is_admin=admin
                )
            )

        _run(settings, create_with_password)
        click.echo(f"Created '{username}'; they sign in with the password just given.")
        return

    async def create(container: punq.Container) -> str:
        handler: CreateUserHandler = container.resolve(CreateUserHandler)
        issued = await handler(CreateUser(actor=OPERATOR, username=username, is_admin=admin))
        return issued.token

    click.echo(_run(settings, create))


@users.command("set-password")
@click.argument("username")
@click.pass_obj
def set_password(settings: Settings, username: str) -> None:
    """Prompt for a new password for USERNAME and set it."""
    password = _prompt_password()

    async def run(container: punq.Container) -> None:
        handler: SetPasswordHandler = container.resolve(SetPasswordHandler)
        await handler(SetPassword(actor=OPERATOR, username=username, password=password))

    _run(settings, run)
    click.echo(f"Set the password of '{username}'.")


@users.command("disable")
@click.argument("username")
@click.pass_obj
def disable_user(settings: Settings, username: str) -> None:
    """Disable USERNAME: their tokens and password stop working at once."""
    _set_disabled(settings, username, disabled=True)
    click.echo(f"Disabled '{username}': their tokens and password no longer work.")


@users.command("enable")
@click.argument("username")
@click.pass_obj
def enable_user(settings: Settings, username: str) -> None:
    """Enable USERNAME again: their tokens and password work as before."""
    _set_disabled(settings, username, disabled=False)
    click.echo(f"Enabled '{username}'.")


def _set_disabled(settings: Settings, username: str, *, disabled: bool) -> None:
    async def run(container: punq.Container) -> None:
        handler: SetUserDisabledHandler = container.resolve(SetUserDisabledHandler)
        await handler(SetUserDisabled(actor=OPERATOR, username=username, disabled=disabled))

    _run(settings, run)


def _prompt_password() -> str:
    """A password typed twice without echo; the policy is checked with the username."""
    password: str = click.prompt(
        "Password", hide_input=True, confirmation_prompt=True, prompt_suffix=": "
    )
    return password


@main.command("import")
@click.argument("log")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--partial", is_flag=True, help="Import the valid files even when others are invalid."
)
@click.option(
    "--update",
    is_flag=True,
    help="Let a file rewrite the decision that has its number even when their titles and "
    "content differ.",
)
@click.pass_obj
def import_(settings: Settings, log: str, path: Path, partial: bool, update: bool) -> None:
    """Import a folder or zip of MADR files (or one file) into the existing log LOG.

    Validates everything first and, unless --partial, writes nothing when any file is
    invalid. A file whose number belongs to a decision with another title and content
    is an error unless --update. Exits 1 when a file has errors.
    """
    files = _files_or_exit(path)

    async def run(container: punq.Container) -> ImportReport:
        handler: ImportDecisionsHandler = container.resolve(ImportDecisionsHandler)
        with click.progressbar(length=len(files), label="Reading", file=sys.stderr) as bar:
            command = ImportDecisions(
                OPERATOR,
                LogSlug(log),
                files,
                atomic=not partial,
                update=update,
                progress=lambda: bar.update(1),
            )
            return await handler(command)

    report = _run(settings, run)
    outcomes = Counter(f.outcome for f in report.files)
    for file in report.files:
        for problem in file.problems:
            click.echo(_problem_line(problem), err=True)
    click.echo(", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())))
    if not report.ok:
        if not partial:
            click.echo("Nothing was imported: fix the files above, or pass --partial.", err=True)
        raise SystemExit(1)


@main.command("export")
@click.argument("log")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def export(settings: Settings, log: str, folder: Path) -> None:
    """Write every decision of LOG as NNNN-slug.md MADR files, plus index.md, to FOLDER."""

    async def run(container: punq.Container) -> list[MarkdownFile]:
        handler: ExportLogHandler = container.resolve(ExportLogHandler)
        return await handler(ExportLog(OPERATOR, LogSlug(log)))

    files = _run(settings, run)
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        (folder / file.name).write_text(file.text, encoding="utf-8")
    click.echo(f"Wrote {len(files)} files to {folder}")


@main.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def lint(settings: Settings, paths: tuple[Path, ...]) -> None:
    """Check MADR files or folders and print every problem; exit 1 on any error.

    Stores nothing, so CI can gate pull requests that add or change ADRs.
    """
    files = tuple(f for path in paths for f in _files_or_exit(path))

    async def run(container: punq.Container) -> list[LintProblem]:
        handler: LintFilesHandler = container.resolve(LintFilesHandler)
        return await handler(LintFiles(files))

    problems = _run(settings, run)
    for problem in problems:
        click.echo(_problem_line(problem))
    errors = sum(p.severity == "error" for p in problems)
    click.echo(f"{len(files)} files, {errors} errors, {len(problems) - errors} warnings")
    if errors:
        raise SystemExit(1)


# -- background work: worker and beat ---------------------------------------------


@main.command()
@click.option(
    "--concurrency",
    type=int,
    default=None,
    help="Worker processes (default: ADR_REGISTRY_WORKER_CONCURRENCY, 2).",
)
@click.option(
    "--include",
    multiple=True,
    metavar="MODULE",
    help="Also import MODULE (tasks of your own); may be repeated.",
)
@click.pass_obj
def worker(settings: Settings, concurrency: int | None, include: tuple[str, ...]) -> None:
    """Run the Celery worker on ADR_REGISTRY_BROKER_URL (the embedded broker if unset)."""
    if settings.worker_metrics_port and multiprocess_dir() is None:
        raise click.ClickException(
            f"ADR_REGISTRY_WORKER_METRICS_PORT needs {MULTIPROCESS_DIR}: an empty "
            "directory the worker's processes can write (tasks run in child processes)"
        )
    # Before the pool forks: its children write their task metrics there.
    forget_dead_processes()
    if settings.worker_metrics_port:
        serve_metrics(settings.worker_metrics_port)
    app = create_worker_app(settings)
    hostname = f"adr-registry-{os.getpid()}@{socket.gethostname()}"
    click.echo(
        f"Worker {hostname} on queue {settings.queue}; heartbeat file {settings.heartbeat_path}",
        err=True,
    )
    celery_worker = app.Worker(
        hostname=hostname,
        concurrency=concurrency or settings.worker_concurrency,
        queues=[settings.queue],
        include=list(include),
        loglevel="INFO",
        # No worker-to-worker chatter: nothing here needs it, and it costs broadcasts.
        without_gossip=True,
        without_mingle=True,
    )
    celery_worker.start()
    raise SystemExit(celery_worker.exitcode)


@main.command("worker-alive")
@click.option(
    "--max-age", type=float, default=30.0, show_default=True, help="Seconds the file may be old."
)
@click.pass_obj
def worker_alive(settings: Settings, max_age: float) -> None:
    """Exit 0 if a worker touched its heartbeat file lately, else 1 (a liveness probe)."""
    if not is_alive(settings.heartbeat_path, max_age):
        click.echo(f"no worker heartbeat in {settings.heartbeat_path} for {max_age:g} s", err=True)
        raise SystemExit(1)


@main.command()
@click.pass_obj
def beat(settings: Settings) -> None:
    """Run the beat: the one process that sends the scheduled jobs. Run exactly one."""
    app = create_worker_app(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.Beat(
        schedule=str(settings.data_dir / "beat-schedule"),
        scheduler=heartbeat_scheduler(settings.beat_heartbeat_path),
        max_interval=BEAT_MAX_LOOP_SECONDS,
        loglevel="INFO",
        quiet=True,
    ).run()


@main.command("beat-alive")
@click.option(
    "--max-age", type=float, default=90.0, show_default=True, help="Seconds the file may be old."
)
@click.pass_obj
def beat_alive(settings: Settings, max_age: float) -> None:
    """Exit 0 if the beat ticked lately (it touches its heartbeat file), else 1."""
    if not is_alive(settings.beat_heartbeat_path, max_age):
        path = settings.beat_heartbeat_path
        click.echo(f"no beat heartbeat in {path} for {max_age:g} s", err=True)
        raise SystemExit(1)


@main.group()
def search() -> None:
    """The full-text search index."""


@search.command("reindex")
@click.pass_obj
def reindex(settings: Settings) -> None:
    """Rebuild the search index from the decisions, in one transaction.

    Writes always keep the index up to date; rebuild it after restoring a database or when
    a new version changes what is indexed. Searches and writes wait until it is done.
    """

    async def run(container: punq.Container) -> int:
        handler: ReindexSearchHandler = container.resolve(ReindexSearchHandler)
        return await handler(ReindexSearch(OPERATOR))

    click.echo(f"Indexed {_run(settings, run):,} decisions.")


def _files_or_exit(path: Path) -> tuple[tuple[str, bytes], ...]:
    try:
        return tuple(read_path(path))
    except InvalidBundle as error:
        raise click.ClickException(str(error)) from error


def _problem_line(problem: LintProblem) -> str:
    return f"{problem.file}:{problem.line}: {problem.severity} [{problem.rule}] {problem.message}"


async def prepare_to_serve(settings: Settings) -> str | None:
    """Migrate, then create the first admin if there is nobody yet; returns its token."""
    await migrate_database(settings)
    container = build_container(settings)
    try:
        return await create_first_admin(container, settings.admin_token_path)
    finally:
        await dispose(container)


async def create_first_admin(container: punq.Container, token_path: Path) -> str | None:
    """Create the site admin `admin` when there are no users, and save its token."""
    uow: UnitOfWork = container.resolve(UnitOfWork)
    async with uow:
        if await uow.users.count() > 0:
            return None
    create: CreateUserHandler = container.resolve(CreateUserHandler)
    try:
        issued = await create(
            CreateUser(actor=OPERATOR, username=FIRST_ADMIN, is_admin=True, token_name="admin")
        )
    except AlreadyExists:
        return None  # another process starting at the same moment made it first
    _write_secret(token_path, issued.token)
    return issued.token


def _write_secret(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600 from the start, so the secret is never readable by others.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")
    path.chmod(0o600)


async def _relay_what_was_committed(container: punq.Container) -> None:
    """Send the command's events now; if the broker is away, the beat's relay will."""
    try:
        await relay_if_nudged(container)
    except Exception as error:
        # The command's own work is committed; its events are safe in the outbox.
        click.echo(f"The events wait in the outbox for the beat's relay: {error}", err=True)


def _run(settings: Settings, work: Callable[[punq.Container], Coroutine[Any, Any, T]]) -> T:
    """Run `work` with a container; errors a user can fix become a message and exit 1."""

    async def run() -> T:
        container = build_container(settings)
        try:
            done = await work(container)
            await _relay_what_was_committed(container)
            return done
        finally:
            await dispose(container)

    try:
        return asyncio.run(run())
    except (ApplicationError, DomainError) as error:
        raise click.ClickException(str(error)) from error
