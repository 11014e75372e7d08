"""Errors a use case raises that are not broken domain rules."""

from __future__ import annotations


class ApplicationError(Exception):
    pass


class NotFound(ApplicationError):
    """The thing does not exist, or the caller may not know that it does."""


class NotAuthenticated(ApplicationError):
    """The operation needs a signed-in caller."""


class Forbidden(ApplicationError):
    """The caller can see the log but lacks the role the operation needs."""


class InsufficientScope(Forbidden):
    """The caller's token does not carry the scope the operation needs (RFC 6750 3.1)."""

    def __init__(self, needed: str, have: str) -> None:
        super().__init__(
            f"this needs a token with the '{needed}' scope; yours has '{have}'. "
            "Use a token created with scope 'read write'."
        )
        self.needed = needed
        self.have = have


class AlreadyExists(ApplicationError):
    pass


class VersionMismatch(ApplicationError):
    """The caller's expected version is stale: someone changed the record first."""

    def __init__(self, what: str, expected: int, actual: int | None) -> None:
        self.what = what
        self.expected = expected
        self.actual = actual
        now = "has changed" if actual is None else f"is at version {actual}"
        super().__init__(
            f"{what} {now}, not {expected}: fetch it again and retry with its current ETag"
        )


class InvalidMadr(ApplicationError):
    """A MADR file that cannot be read; names the file and the line."""

    def __init__(self, filename: str, line: int, message: str, rule: str = "parse-error") -> None:
        super().__init__(f"{filename}:{line}: {message}")
        self.filename = filename
        self.line = line
        self.message = message
        self.rule = rule


class InvalidBundle(ApplicationError):
    """An upload that cannot be read as a set of files (a bad zip, say)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class WorkTooLong(ApplicationError):
    """CPU-bound work (reading an upload's files) ran past its time budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"reading the files took over {seconds:g} s, so it was stopped: send fewer or "
            "smaller files"
        )


class BrokerUnavailable(ApplicationError):
    """The broker did not confirm a publish; what is unsent stays in the outbox."""


class InvalidCursor(ApplicationError):
    """A cursor that this list did not give out, or not for these filters."""

    field = "cursor"


class GitSourceUnavailable(ApplicationError):
    """A log's git repository could not be read: unreachable, no such branch or folder,
    too large. The reason says which, and never holds credentials."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoGitSource(ApplicationError):
    """The log mirrors no git repository, so there is nothing to sync."""
