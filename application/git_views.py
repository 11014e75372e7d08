"""What git sync reads from a repository and records of each sync: plain DTOs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from application.views import FileReport


@dataclass(frozen=True, slots=True)
class GitSnapshot:
    """The source folder at the head of its branch.

    `files`: the regular files directly in the folder, as (name, bytes); `refused`: the
    entries it holds that the sync will not read, as (name, why): symbolic links,
    submodules, files over the size limit.
    """

    commit: str
    author: str
    files: tuple[tuple[str, bytes], ...]
    refused: tuple[tuple[str, str], ...] = ()

    @property
    def short_commit(self) -> str:
        return self.commit[:7]


class SyncState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class SyncOutcome(StrEnum):
    # The folder at a new commit went through the import (its files' outcomes say how).
    IMPORTED = "imported"
    # The branch is still at the commit the last sync imported: nothing to do.
    UNCHANGED = "unchanged"
    # The repository could not be read (the reason says why); the log kept its state.
    FAILED = "failed"
    # Another sync of the log held the lease; the next one takes the new commit.
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class SyncView:
    id: int
    log: str
    state: SyncState
    requested_at: dt.datetime
    outcome: SyncOutcome | None = None
    commit: str | None = None
    author: str | None = None
    reason: str | None = None
    files: tuple[FileReport, ...] = ()
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file of the source folder and the decision it holds, as the last sync saw it."""

    file: str
    number: int
    commit: str
    # The commit that deleted it from the folder (its decision stays in the registry).
    removed_in: str | None = None
    # The decision's version when the sync last wrote or checked it.
    synced_version: int | None = None


@dataclass(frozen=True, slots=True)
class DriftView:
    """A decision of a synced log whose registry state is not its file's at the last
    synced commit, and why."""

    number: int
    title: str
    file: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Reservation:
    """A number held for a decision that will arrive through git, and the file name to
    give it."""

    log: str
    number: int
    file: str
    reserved_by: str
    expires_at: dt.datetime
    # The file of the folder that took the number, once a sync saw one.
    used_by: str | None = None
