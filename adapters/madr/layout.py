"""The MADR 4 layout: its sections in order, and the headings that name them in MADR 2,
3 and 4 and in Nygard (adr-tools) files.

An `ExtraSection.after` is one of SLOTS: the canonical section it followed ('' before
the title; "Title" between the title and the first section), named by its MADR 4
heading. The renderer writes each extra section right after its slot; one whose `after`
is no slot goes last. Level 0 means text without a heading (a preamble, a comment after
a list, the text before the first option); heading '' with a level is an empty heading.
The front-matter keys that MADR fields are read from are listed here too.
"""

from __future__ import annotations

from enum import Enum

from adapters.madr.metadata import without_comments
from domain.links import LinkKind

PREAMBLE = ""
TITLE = "Title"
CONTEXT = "Context and Problem Statement"
DRIVERS = "Decision Drivers"
OPTIONS = "Considered Options"
OUTCOME = "Decision Outcome"
CONSEQUENCES = "Consequences"
CONFIRMATION = "Confirmation"
PROS_AND_CONS = "Pros and Cons of the Options"
MORE_INFORMATION = "More Information"
SLOTS = (
    PREAMBLE,
    TITLE,
    CONTEXT,
    DRIVERS,
    OPTIONS,
    OUTCOME,
    CONSEQUENCES,
    CONFIRMATION,
    PROS_AND_CONS,
    MORE_INFORMATION,
)


class Part(Enum):
    """What a recognised heading holds; several parts may fill one slot."""

    CONTEXT = CONTEXT
    DRIVERS = DRIVERS
    OPTIONS = OPTIONS
    OUTCOME = OUTCOME
    CONSEQUENCES = CONSEQUENCES
    GOOD_CONSEQUENCES = "Positive Consequences"  # MADR 2
    BAD_CONSEQUENCES = "Negative Consequences"  # MADR 2
    CONFIRMATION = CONFIRMATION
    PROS_AND_CONS = PROS_AND_CONS
    MORE_INFORMATION = MORE_INFORMATION
    STATUS = "Status"  # Nygard; read into the front matter, so it has no slot

    @property
    def slot(self) -> str | None:
        return None if self is Part.STATUS else _SLOT_OF.get(self, self.value)


_SLOT_OF = {Part.GOOD_CONSEQUENCES: CONSEQUENCES, Part.BAD_CONSEQUENCES: CONSEQUENCES}
_SECTION = frozenset({2})
_SECTION_OR_SUB = frozenset({2, 3})
_NAMES: dict[str, tuple[Part, frozenset[int]]] = {
    "context and problem statement": (Part.CONTEXT, _SECTION),
    "context": (Part.CONTEXT, _SECTION),
    "decision drivers": (Part.DRIVERS, _SECTION),
    "considered options": (Part.OPTIONS, _SECTION),
    "decision outcome": (Part.OUTCOME, _SECTION),
    "decision": (Part.OUTCOME, _SECTION),
    "consequences": (Part.CONSEQUENCES, _SECTION_OR_SUB),
    "positive consequences": (Part.GOOD_CONSEQUENCES, _SECTION_OR_SUB),
    "negative consequences": (Part.BAD_CONSEQUENCES, _SECTION_OR_SUB),
    "confirmation": (Part.CONFIRMATION, _SECTION_OR_SUB),
    "validation": (Part.CONFIRMATION, _SECTION_OR_SUB),  # MADR 3
    "pros and cons of the options": (Part.PROS_AND_CONS, _SECTION),
    "pros and cons": (Part.PROS_AND_CONS, _SECTION),
    "more information": (Part.MORE_INFORMATION, _SECTION),
    "status": (Part.STATUS, _SECTION),
}


# Front-matter keys read into Decision fields (MADR 3 wrote 'deciders'), and links.
FIELD_KEYS = {
    "status": "status",
    "date": "date",
    "decision-makers": "decision_makers",
    "deciders": "decision_makers",
    "consulted": "consulted",
    "informed": "informed",
    "tags": "tags",
    "review-by": "review_by",
}
LINK_KEYS = {kind.value: kind for kind in LinkKind}


def front_matter_key(key: str) -> str:
    """How a front-matter key is matched: 'Review_By' reads as 'review-by'."""
    return key.strip().lower().replace("_", "-")


def names_a_field(key: str) -> bool:
    return front_matter_key(key) in FIELD_KEYS or front_matter_key(key) in LINK_KEYS


def heading_key(text: str) -> str:
    """How a heading is matched: case, a trailing colon and `<!-- optional -->` ignored."""
    return " ".join(without_comments(text).rstrip(":").lower().split())


def part_of(text: str, level: int) -> Part | None:
    part, levels = _NAMES.get(heading_key(text), (None, frozenset()))
    return part if level in levels else None


def is_canonical_heading(text: str) -> bool:
    return heading_key(text) in _NAMES
