"""Errors the domain raises when a rule is broken. Each says what to do instead."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """A rule of the decision domain was broken; nothing was changed."""


class InvalidValue(DomainError):
    """A value object was given a value outside its rules."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidTransition(DomainError):
    """A lifecycle step that the current status does not allow."""

    def __init__(self, ref: str, current: str, attempted: str, allowed: Iterable[str]) -> None:
        self.ref = ref
        self.current = current
        self.attempted = attempted
        self.allowed = tuple(sorted(allowed))
        options = ", ".join(self.allowed) if self.allowed else "none: it is final"
        super().__init__(
            f"{ref} is {current}; it cannot become {attempted}. Allowed next statuses: {options}."
        )


class DecisionFrozen(DomainError):
    """Content of a decided record cannot change; it must be superseded instead."""

    def __init__(self, ref: str, status: str, fields: Iterable[str] = ()) -> None:
        self.ref = ref
        self.status = status
        self.fields = tuple(fields)
        changed = f" (this changes its {', '.join(self.fields)})" if self.fields else ""
        super().__init__(
            f"{ref} is {status}, so its content is frozen{changed}. Only tags, review_by "
            "and relates-to links can change; to change the decision, propose a new one "
            "that supersedes it."
        )


class InvalidSupersession(DomainError):
    """A supersession that would break the supersession graph's rules."""


class InvalidLink(DomainError):
    """A link that cannot be added or removed."""
