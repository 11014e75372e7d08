"""Git sync: a log mirrors a folder of MADR files in a git repository.

A sync reads the folder at its branch's head and, when the commit is new, imports it
through the same import handler as the API and the CLI, as the log's source of truth
(`authoritative`): new and changed files become changes by `git:<short sha> by
<author>`. A file deleted from the folder leaves its decision in place, marked removed
from source; a file that does not parse leaves its decision as it was and is reported;
a new file whose number another file of the folder holds is a collision, reported and
not imported. The same commit twice changes nothing. One sync of a log runs at a time
(a lease in the database, so across worker processes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from application.access import authorize, load_log
from application.commands import (
    GetSync,
    ImportDecisions,
    ListSyncs,
    RequestSync,
    RunSync,
)
from application.commands import SyncAllLogs as SyncAllLogsCommand
from application.cursors import ROW_ID, Cursors, Scope
from application.errors import GitSourceUnavailable, InvalidMadr, NoGitSource, NotFound
from application.git_views import (
    GitSnapshot,
    Reservation,
    SourceFile,
    SyncOutcome,
    SyncView,
)
from application.handlers.imports import ImportDecisionsHandler
from application.handlers.queries import _check_limit, _page
from application.markdown_files import decode_markdown
from application.ports import (
    Clock,
    GitRepositories,
    GitSourcePolicy,
    GitSyncs,
    MadrCodec,
    NumberReservations,
    ReadModel,
    SyncQueue,
    UnitOfWork,
)
from application.views import Actor, DecisionFilters, FileReport, LintProblem, Page
from domain.values import DecisionNumber, LogSlug, Role

_WRITTEN = frozenset({"created", "updated", "unchanged"})
# Decisions read per query when a sync or the drift walks a whole log.
PAGE = 200
# The history's actor column holds at most this many characters.
_ACTOR_MAX = 200


@dataclass(frozen=True, slots=True)
class SyncLimits:
    """`lease`: how long a sync may hold its log's lease before another may take it
    over (a worker that died mid-sync holds it no longer than this). `reservation`: how
    long a reserved number waits for its file."""

    lease: dt.timedelta = dt.timedelta(minutes=10)
    reservation: dt.timedelta = dt.timedelta(days=7)


def no_source(log: LogSlug) -> NoGitSource:
    return NoGitSource(
        f"log '{log}' mirrors no git repository: give it one first "
        f'(PATCH /v1/logs/{log} with "source": {{"url", "branch", "path"}})'
    )


def _problem(file: str, rule: str, message: str, severity: str = "error") -> LintProblem:
    return LintProblem(file=file, line=1, rule=rule, severity=severity, message=message)


class RequestSyncHandler:
    def __init__(self, uow: UnitOfWork, syncs: GitSyncs, queue: SyncQueue, clock: Clock) -> None:
        self.uow = uow
        self.syncs = syncs
        self.queue = queue
        self.clock = clock

    async def __call__(self, cmd: RequestSync) -> SyncView:
        async with self.uow:
            log = await load_log(self.uow, cmd.actor, cmd.log, Role.ADMIN)
        if log.source is None:
            raise no_source(cmd.log)
        sync_id = await self.syncs.request(cmd.log, self.clock.now())
        await self.queue.enqueue(sync_id)
        found = await self.syncs.get(sync_id)
        assert found is not None, "a sync just recorded"
        return found


class SyncAllLogsHandler:
    """The beat's job: queue a sync of every log that has a git source."""

    def __init__(self, syncs: GitSyncs, queue: SyncQueue, clock: Clock) -> None:
        self.syncs = syncs
        self.queue = queue
        self.clock = clock

    async def __call__(self, cmd: SyncAllLogsCommand) -> int:
        logs = await self.syncs.synced_logs()
        for log in logs:
            await self.queue.enqueue(await self.syncs.request(log, self.clock.now()))
        return len(logs)


class RunSyncHandler:
    def __init__(
        self,
        uow: UnitOfWork,
        importer: ImportDecisionsHandler,
        repositories: GitRepositories,
        policy: GitSourcePolicy,
        syncs: GitSyncs,
        codec: MadrCodec,
        clock: Clock,
        limits: SyncLimits,
        reservations: NumberReservations,
        read_model: ReadModel,
    ) -> None:
        self.uow = uow
        self.reservations = reservations
        self.read_model = read_model
        self.importer = importer
        self.repositories = repositories
        self.policy = policy
        self.syncs = syncs
        self.codec = codec
        self.clock = clock
        self.limits = limits

    async def __call__(self, cmd: RunSync) -> SyncView | None:
        """Run the sync; None when it had already run (a redelivered task)."""
        now = self.clock.now()
        sync = await self.syncs.start(cmd.sync_id, now)
        if sync is None:
            return None
        log = LogSlug(sync.log)
        holder = f"sync-{sync.id}"
        if not await self.syncs.acquire(log, holder, now=now, until=now + self.limits.lease):
            await self.syncs.finish(
                sync.id,
                now,
                SyncOutcome.SKIPPED,
                reason="another sync of this log was running; the next sync brings in "
                "whatever it did not",
            )
        else:
            try:
                await self._sync(sync.id, log)
            finally:
                await self.syncs.release(log, holder)
        return await self.syncs.get(sync.id)

    async def _sync(self, sync_id: int, log: LogSlug) -> None:
        async with self.uow:
            found = await self.uow.logs.get(log)
        source = None if found is None else found.source
        if source is None:
            await self._fail(sync_id, "the log no longer mirrors a git repository")
            return
        refusal = await self.policy.refusal(source.url)
        if refusal is not None:
            await self._fail(sync_id, f"the repository's URL is refused: {refusal}")
            return
        try:
            snapshot = await self.repositories.snapshot(log, source)
        except GitSourceUnavailable as error:
            await self._fail(sync_id, error.reason)
            return
        last = await self.syncs.last_imported_commit(log)
        if snapshot.commit == last:
            await self.syncs.finish(
                sync_id,
                self.clock.now(),
                SyncOutcome.UNCHANGED,
                commit=snapshot.commit,
                author=snapshot.author,
            )
            return
        known = await self.syncs.files(log)
        tracked = {f.file: f for f in known if f.removed_in is None}
        reserved = await self.reservations.of(log)
        # The folder's first sync brings in what it holds; from then on, a new file
        # may not take the number of a decision the registry has without a file.
        existing = None if last is None else set(await decision_versions(self.read_model, log))
        collisions, reserved_files = self._collisions(
            log, snapshot, tracked, {f.number for f in known}, reserved, existing
        )
        actor = Actor(
            username=f"git:{snapshot.short_commit} by {snapshot.author}"[:_ACTOR_MAX],
            is_admin=True,
        )
        imported = await self.importer(
            ImportDecisions(
                actor=actor,
                log=log,
                files=tuple((n, d) for n, d in snapshot.files if n not in collisions),
                atomic=False,
                update=True,
                authoritative=True,
            )
        )
        reports = [*imported.files, *collisions.values()]
        reports += [
            FileReport(name, "error", _number(tracked, name), (_problem(name, "unreadable", why),))
            for name, why in snapshot.refused
        ]
        files, removed = _files_after(snapshot, tracked, imported.files)
        reports += removed
        versions = await decision_versions(self.read_model, log)
        files = [
            dataclasses.replace(f, synced_version=versions.get(f.number))
            if f.commit == snapshot.commit and f.removed_in is None
            else f
            for f in files
        ]
        for report in imported.files:
            if report.file in reserved_files and report.outcome in _WRITTEN:
                await self.reservations.use(log, reserved_files[report.file], report.file)
        await self.syncs.save_files(log, files)
        await self.syncs.finish(
            sync_id,
            self.clock.now(),
            SyncOutcome.IMPORTED,
            commit=snapshot.commit,
            author=snapshot.author,
            files=reports,
        )

    def _collisions(
        self,
        log: LogSlug,
        snapshot: GitSnapshot,
        tracked: Mapping[str, SourceFile],
        known_numbers: Collection[int],
        reserved: Mapping[int, Reservation],
        existing: Collection[int] | None,
    ) -> tuple[dict[str, FileReport], dict[str, int]]:
        """New files whose number another file of the folder holds, that is reserved for
        another file, or that belongs to a decision no file holds; and the new files that
        take a reserved number, with that number."""
        present = {name for name, _ in snapshot.files}
        holders = {f.number: f.file for f in tracked.values() if f.file in present}
        now = self.clock.now()
        found: dict[str, FileReport] = {}
        taking: dict[str, int] = {}
        for name, data in snapshot.files:
            if name in tracked or self.codec.not_a_decision(name) is not None:
                continue
            try:
                parsed = self.codec.parse(
                    decode_markdown(name, data), filename=name, log=log, today=dt.date.min
                )
            except InvalidMadr:
                continue  # the import reports it
            if not parsed.numbered:
                continue
            number = parsed.decision.ref.number.value
            reservation = reserved.get(number)
            message = None
            if (holder := holders.get(number)) is not None:
                message = f"{holder} already holds decision {number}"
            elif reservation is not None and reservation.used_by not in (None, name):
                message = f"{reservation.used_by} took reserved number {number} first"
            elif (
                reservation is not None and reservation.used_by is None and name != reservation.file
            ):
                message = (
                    f"number {number} is reserved by {reservation.reserved_by} for "
                    f"{reservation.file}, not for this file"
                )
            elif reservation is not None and (reservation.used_by or now < reservation.expires_at):
                taking[name] = number
                continue
            elif reservation is not None:
                message = (
                    f"number {number} was reserved by {reservation.reserved_by} until "
                    f"{reservation.expires_at:%Y-%m-%d %H:%M} UTC, and the reservation lapsed"
                )
            elif existing is not None and number in existing and number not in known_numbers:
                message = (
                    f"decision {number} is in the registry but no file of the folder holds "
                    "it (it was made before the log mirrored the folder)"
                )
            if message is not None:
                message += f": reserve a number (POST /v1/logs/{log}/numbers) and rename the file"
                found[name] = FileReport(
                    name, "error", number, (_problem(name, "number-collision", message),)
                )
        return found, taking

    async def _fail(self, sync_id: int, reason: str) -> None:
        await self.syncs.finish(sync_id, self.clock.now(), SyncOutcome.FAILED, reason=reason)


def _number(tracked: Mapping[str, SourceFile], name: str) -> int | None:
    entry = tracked.get(name)
    return None if entry is None else entry.number


def _files_after(
    snapshot: GitSnapshot,
    tracked: Mapping[str, SourceFile],
    imported: Collection[FileReport],
) -> tuple[list[SourceFile], list[FileReport]]:
    """The folder's files as the registry now knows them, and reports of the files
    deleted from it."""
    files: dict[str, SourceFile] = {}
    for report in imported:
        if report.outcome in _WRITTEN and report.number is not None:
            files[report.file] = SourceFile(report.file, report.number, snapshot.commit)
        elif report.file in tracked:
            # It does not parse now, or was not written: its decision stays as it was.
            files[report.file] = tracked[report.file]
    for name, _ in snapshot.refused:
        if name in tracked:
            files[name] = tracked[name]
    held = {f.number for f in files.values()}
    present = {name for name, _ in snapshot.files} | {name for name, _ in snapshot.refused}
    removed: list[FileReport] = []
    for name, entry in sorted(tracked.items()):
        if name in present or entry.number in held:
            continue  # still there, or renamed: another file holds its decision now
        files[name] = SourceFile(name, entry.number, entry.commit, removed_in=snapshot.commit)
        note = _problem(
            name,
            "removed-from-source",
            f"deleted from the folder in {snapshot.short_commit}: decision {entry.number} "
            "stays in the registry, marked removed from source",
            severity="warning",
        )
        removed.append(FileReport(name, "removed", entry.number, (note,)))
    return list(files.values()), removed


class GetSyncHandler:
    def __init__(self, read_model: ReadModel, syncs: GitSyncs) -> None:
        self.read_model = read_model
        self.syncs = syncs

    async def __call__(self, query: GetSync) -> SyncView:
        await authorize_read(self.read_model, query.actor, query.log)
        sync = await self.syncs.get(query.id)
        if sync is None or sync.log != query.log.value:
            raise NotFound(f"there is no sync {query.id} of log '{query.log}'")
        return sync


class ListSyncsHandler:
    def __init__(self, read_model: ReadModel, syncs: GitSyncs, cursors: Cursors) -> None:
        self.read_model = read_model
        self.syncs = syncs
        self.cursors = cursors

    async def __call__(self, query: ListSyncs) -> Page[SyncView]:
        limit = _check_limit(query.limit)
        scope: Scope = ("syncs", query.log.value)
        before = (
            None
            if query.cursor is None
            else int(self.cursors.decode(query.cursor, scope, ROW_ID)[0])
        )
        await authorize_read(self.read_model, query.actor, query.log)
        rows = await self.syncs.recent(query.log, limit=limit + 1, before=before)
        return _page(rows, limit, lambda s: self.cursors.encode(scope, s.id))


async def authorize_read(read_model: ReadModel, actor: Actor, log: LogSlug) -> None:
    _, access = await read_model.log_access(log, actor)
    authorize(actor, access, Role.VIEWER, log)


async def decision_versions(read_model: ReadModel, log: LogSlug) -> dict[int, int]:
    """Every decision of the log's number and version, a page at a time."""
    found: dict[int, int] = {}
    after: DecisionNumber | None = None
    while True:
        page = await read_model.decisions(log, DecisionFilters(), limit=PAGE, after=after)
        found.update((d.number, d.version) for d in page)
        if len(page) < PAGE:
            return found
        after = DecisionNumber(page[-1].number)
