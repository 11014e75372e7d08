"""The Log aggregate: a named collection of decisions and who may do what in it."""

from __future__ import annotations

from datetime import datetime

from domain.errors import DomainError, InvalidValue
from domain.events import LogCreated, LogEvent, LogUpdated, MemberRemoved, MemberSet
from domain.git_source import GitSource, SourceOfTruth
from domain.values import LogSlug, Role, Visibility, username_of

DESCRIPTION_MAX = 10_000
# Proposals untouched this many days raise decision.stale (the beat's stale sweep).
STALE_AFTER_DAYS = 30
STALE_AFTER_DAYS_MAX = 3650


class LastAdmin(DomainError):
    """A log must keep at least one admin."""


class Log:
    def __init__(
        self,
        *,
        slug: LogSlug,
        title: str,
        description: str = "",
        visibility: Visibility = Visibility.PRIVATE,
        members: dict[str, Role] | None = None,
        version: int = 1,
        stale_after_days: int = STALE_AFTER_DAYS,
        source: GitSource | None = None,
    ) -> None:
        self.slug = slug
        self.title = _log_title(title)
        self.description = _description(description)
        self.visibility = visibility
        self.stale_after_days = _stale_after_days(stale_after_days)
        self.members: dict[str, Role] = dict(members or {})
        # The git folder this log mirrors, its source of truth (None: the API is).
        self.source = source
        self.version = version
        # Recorded by each change, stored with it by the unit of work (the history).
        self.events: list[LogEvent] = []

    @classmethod
    def create(
        cls,
        *,
        slug: LogSlug,
        title: str,
        creator: str,
        at: datetime,
        description: str = "",
        visibility: Visibility = Visibility.PRIVATE,
    ) -> Log:
        """A new log, administered by whoever created it."""
        log = cls(
            slug=slug,
            title=title,
            description=description,
            visibility=visibility,
            members={username_of(creator): Role.ADMIN},
        )
        log.events.append(
            LogCreated(
                log=slug,
                actor=creator,
                at=at,
                version=log.version,
                title=log.title,
                visibility=visibility,
            )
        )
        log.events.append(
            MemberSet(
                log=slug,
                actor=creator,
                at=at,
                version=log.version,
                username=creator,
                role=Role.ADMIN,
            )
        )
        return log

    def update(
        self,
        *,
        title: str | None = None,
        description: str | None = None,
        visibility: Visibility | None = None,
        stale_after_days: int | None = None,
        by: str,
        at: datetime,
    ) -> bool:
        """Change the settings given; returns whether anything changed."""
        new = {
            "title": None if title is None else _log_title(title),
            "description": None if description is None else _description(description),
            "visibility": visibility,
            "stale_after_days": None
            if stale_after_days is None
            else _stale_after_days(stale_after_days),
        }
        changed = {k: v for k, v in new.items() if v is not None and v != getattr(self, k)}
        for key, value in changed.items():
            setattr(self, key, value)
        if changed:
            self.version += 1
            self.events.append(
                LogUpdated(
                    log=self.slug, actor=by, at=at, version=self.version, changed=tuple(changed)
                )
            )
        return bool(changed)

    def set_source(self, source: GitSource | None, *, by: str, at: datetime) -> bool:
        """Mirror `source` from now on (None: stop); returns whether anything changed."""
        if source == self.source:
            return False
        self.source = source
        self.version += 1
        self.events.append(
            LogUpdated(log=self.slug, actor=by, at=at, version=self.version, changed=("source",))
        )
        return True

    def ensure_writable_through_api(self, file: str | None = None) -> None:
        """Raise SourceOfTruth when the log mirrors a git folder; `file` is the decision's
        file there, when it has one."""
        if self.source is not None:
            raise SourceOfTruth(self.source, file)

    def role_of(self, username: str | None) -> Role | None:
        return None if username is None else self.members.get(username)

    def set_member(self, username: str, role: Role, *, by: str, at: datetime) -> bool:
        if self.members.get(username) is role:
            return False
        self._keep_an_admin(username, role)
        self.members[username_of(username)] = role
        self.version += 1
        self.events.append(
            MemberSet(
                log=self.slug, actor=by, at=at, version=self.version, username=username, role=role
            )
        )
        return True

    def remove_member(self, username: str, *, by: str, at: datetime) -> bool:
        if username not in self.members:
            return False
        self._keep_an_admin(username, None)
        del self.members[username]
        self.version += 1
        self.events.append(
            MemberRemoved(log=self.slug, actor=by, at=at, version=self.version, username=username)
        )
        return True

    def _keep_an_admin(self, username: str, new_role: Role | None) -> None:
        admins = {name for name, role in self.members.items() if role is Role.ADMIN}
        if admins == {username} and new_role is not Role.ADMIN:
            raise LastAdmin(
                f"{username} is the last admin of log {self.slug}; make someone else admin first"
            )


def _log_title(text: str) -> str:
    title = text.strip()
    if not title or "\n" in title or "\r" in title or len(title) > 200:
        raise InvalidValue("title", "must be a single, non-blank line of at most 200 characters")
    return title


def _stale_after_days(days: int) -> int:
    if not 1 <= days <= STALE_AFTER_DAYS_MAX:
        raise InvalidValue(
            "stale_after_days", f"must be a whole number of days from 1 to {STALE_AFTER_DAYS_MAX}"
        )
    return days


def _description(text: str) -> str:
    if len(text) > DESCRIPTION_MAX:
        raise InvalidValue("description", f"must be at most {DESCRIPTION_MAX} characters")
    return text
