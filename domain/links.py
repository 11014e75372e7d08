"""Typed relations between decisions. Each kind has an inverse stored on the target."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.values import DecisionRef


class LinkKind(StrEnum):
    SUPERSEDES = "supersedes"
    SUPERSEDED_BY = "superseded-by"
    AMENDS = "amends"
    AMENDED_BY = "amended-by"
    RELATES_TO = "relates-to"

    @property
    def inverse(self) -> LinkKind:
        return _INVERSE[self]


_INVERSE = {
    LinkKind.SUPERSEDES: LinkKind.SUPERSEDED_BY,
    LinkKind.SUPERSEDED_BY: LinkKind.SUPERSEDES,
    LinkKind.AMENDS: LinkKind.AMENDED_BY,
    LinkKind.AMENDED_BY: LinkKind.AMENDS,
    LinkKind.RELATES_TO: LinkKind.RELATES_TO,
}


@dataclass(frozen=True, order=True, slots=True)
class Link:
    kind: LinkKind
    target: DecisionRef
