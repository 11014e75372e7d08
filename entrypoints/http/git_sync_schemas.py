"""The JSON shapes of the git sync routes (replies are serialised straight from
application.git_views; these describe them for the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from entrypoints.http.schemas import LintProblem


class SyncFile(BaseModel):
    """What the sync did with one file of the folder: the import's outcomes, 'removed'
    for a file deleted from the folder (its decision stays, marked removed from
    source), 'error' for one that does not parse, is unreadable (a symbolic link, a
    submodule, over 1 MiB) or collides with another file's number."""

    file: str
    outcome: Literal["created", "updated", "unchanged", "skipped", "ignored", "error", "removed"]
    number: int | None
    problems: list[LintProblem]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"file": "0002-use-rest.md", "outcome": "removed", "number": 2, "problems": []}
            ]
        }
    )


class Sync(BaseModel):
    id: int
    log: str
    state: Literal["queued", "running", "done"]
    outcome: Literal["imported", "unchanged", "failed", "skipped"] | None = Field(
        description="Once done: imported (a new commit went through the import), "
        "unchanged (the branch is where the last sync left it), failed (the reason says "
        "why; the log kept its state) or skipped (another sync of the log was running)."
    )
    commit: str | None
    author: str | None
    reason: str | None
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    files: list[SyncFile]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "log": "platform",
                    "state": "done",
                    "outcome": "imported",
                    "commit": "3f2c9e1d0b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
                    "author": "Ann",
                    "reason": None,
                    "requested_at": "2026-12-02T09:00:00Z",
                    "started_at": "2026-12-02T09:00:01Z",
                    "finished_at": "2026-12-02T09:00:02Z",
                    "files": [
                        {
                            "file": "0004-use-kafka.md",
                            "outcome": "created",
                            "number": 4,
                            "problems": [],
                        }
                    ],
                }
            ]
        }
    )


class NumberRequest(BaseModel):
    """The decision's title, for the file name (optional)."""

    title: str | None = Field(default=None, max_length=300, pattern=r"^[^\r\n]*\S[^\r\n]*$")

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "Use Kafka"}]}
    )


class ReservedNumber(BaseModel):
    log: str
    number: int
    file: str = Field(description="The name to give the decision's file in the folder.")
    reserved_by: str
    expires_at: dt.datetime = Field(
        description="Until when the number is held; a file that arrives later with it is "
        "reported as a collision."
    )
    used_by: str | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "log": "platform",
                    "number": 12,
                    "file": "0012-use-kafka.md",
                    "reserved_by": "ann",
                    "expires_at": "2026-12-09T09:00:00Z",
                    "used_by": None,
                }
            ]
        }
    )


class Drift(BaseModel):
    number: int
    title: str
    file: str | None = Field(description="Its file in the folder, if it has one.")
    reason: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": 3,
                    "title": "Use Kafka",
                    "file": None,
                    "reason": "no file of the folder holds it",
                }
            ]
        }
    )
