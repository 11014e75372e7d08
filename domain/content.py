"""The MADR content of a decision: what a MADR 4 file says below its front matter.

Everything MADR does not name is kept verbatim, in order, so that a file we import
renders back without loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

# A front-matter value as YAML gives it, restricted to what JSON can hold.
Metadata: TypeAlias = "str | int | float | bool | list[Metadata] | dict[str, Metadata] | None"


@dataclass(frozen=True, slots=True)
class Arguments:
    """Pros and cons: 'Good, because ...', 'Neutral, because ...', 'Bad, because ...'."""

    good: tuple[str, ...] = ()
    neutral: tuple[str, ...] = ()
    bad: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.good or self.neutral or self.bad)


@dataclass(frozen=True, slots=True)
class Option:
    title: str
    description: str = ""
    arguments: Arguments = field(default_factory=Arguments)


@dataclass(frozen=True, slots=True)
class Outcome:
    """'Chosen option: "X", because Y'."""

    chosen: str = ""
    justification: str = ""


@dataclass(frozen=True, slots=True)
class ExtraSection:
    """A section MADR does not name, kept verbatim.

    `after` is the canonical section it followed in the source ('' for before the
    first one), so it renders back where it stood.
    """

    heading: str
    body: str
    level: int = 2
    after: str = ""


@dataclass(frozen=True, slots=True)
class Content:
    context: str = ""
    drivers: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    outcome: Outcome = field(default_factory=Outcome)
    consequences: Arguments = field(default_factory=Arguments)
    confirmation: str = ""
    more_information: str = ""
    extra_sections: tuple[ExtraSection, ...] = ()
    # Front-matter keys MADR does not name, in source order.
    extra_metadata: tuple[tuple[str, Metadata], ...] = ()

    @property
    def option_titles(self) -> tuple[str, ...]:
        return tuple(option.title for option in self.options)
