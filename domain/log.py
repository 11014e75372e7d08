"""The Log aggregate: a named collection of decisions and who may do what in it."""

from __future__ import annotations

from domain.errors import DomainError, InvalidValue
from domain.values import LogSlug, Role, Visibility, username_of

DESCRIPTION_MAX = 10_000


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
    ) -> None:
        self.slug = slug
        self.title = _log_title(title)
        self.description = _description(description)
        self.visibility = visibility
        self.members: dict[str, Role] = dict(members or {})
        self.version = version

    @classmethod
    def create(
        cls,
        *,
        slug: LogSlug,
        title: str,
        creator: str,
        description: str = "",
        visibility: Visibility = Visibility.PRIVATE,
    ) -> Log:
        """A new log, administered by whoever created it."""
        return cls(
            slug=slug,
            title=title,
            description=description,
            visibility=visibility,
            members={username_of(creator): Role.ADMIN},
        )

    def update(
        self,
        *,
        title: str | None = None,
        description: str | None = None,
        visibility: Visibility | None = None,
    ) -> bool:
        """Change the settings given; returns whether anything changed."""
        new = {
            "title": None if title is None else _log_title(title),
            "description": None if description is None else _description(description),
            "visibility": visibility,
        }
        changed = {k: v for k, v in new.items() if v is not None and v != getattr(self, k)}
        for key, value in changed.items():
            setattr(self, key, value)
        if changed:
            self.version += 1
        return bool(changed)

    def role_of(self, username: str | None) -> Role | None:
        return None if username is None else self.members.get(username)

    def set_member(self, username: str, role: Role) -> bool:
        if self.members.get(username) is role:
            return False
        self._keep_an_admin(username, role)
        self.members[username_of(username)] = role
        self.version += 1
        return True

    def remove_member(self, username: str) -> bool:
        if username not in self.members:
            return False
        self._keep_an_admin(username, None)
        del self.members[username]
        self.version += 1
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


def _description(text: str) -> str:
    if len(text) > DESCRIPTION_MAX:
        raise InvalidValue("description", f"must be at most {DESCRIPTION_MAX} characters")
    return text
