"""A MADR file as the codec reads it, before the importing log resolves its aliases."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from domain.decision import Decision, DecisionState
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef

# How long an alias (a file name without '.md') may be: as long as file names get.
ALIAS_MAX = 255


@dataclass(frozen=True, order=True, slots=True)
class AliasLink:
    """A link that names its target by alias, the slug of a day-named file."""

    kind: LinkKind
    alias: str
    line: int = 1


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """What a file says, and what only the log it is imported into can resolve.

    A file named by day and title (log4brains' `20200925-use-prettier.md`) goes by its
    `alias`. When it names no number (`numbered` is False), the importer gives it one:
    ask for its `state` with that number. `alias_links` name decisions by alias.
    """

    decision: Decision
    numbered: bool = True
    alias: str | None = None
    alias_links: tuple[AliasLink, ...] = ()

    def state(
        self, number: DecisionNumber | None = None, links: frozenset[Link] = frozenset()
    ) -> DecisionState:
        """The decision's state, renumbered to `number` when given, with `links` added
        (the alias links once resolved)."""
        state = self.decision.snapshot()
        if number is None and not self.numbered:
            raise ValueError(f"{self.alias} has no number of its own: give it one")
        if (number is None or number == state.ref.number) and links <= state.links:
            return state
        ref = state.ref if number is None else DecisionRef(state.ref.log, number)
        return dataclasses.replace(state, ref=ref, links=state.links | links)
