"""MADR 4 status values and the transitions between them."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DEPRECATED = "deprecated"
    SUPERSEDED = "superseded"

    @property
    def allowed_next(self) -> frozenset[Status]:
        return TRANSITIONS[self]

    @property
    def is_final(self) -> bool:
        return not TRANSITIONS[self]

    @property
    def is_decided(self) -> bool:
        return self is not Status.PROPOSED


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PROPOSED: frozenset({Status.ACCEPTED, Status.REJECTED}),
    Status.REJECTED: frozenset({Status.PROPOSED}),
    Status.ACCEPTED: frozenset({Status.DEPRECATED, Status.SUPERSEDED}),
    Status.DEPRECATED: frozenset(),
    Status.SUPERSEDED: frozenset(),
}
