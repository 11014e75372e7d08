"""What a file's name says: its number, its alias, or that it holds no decision.

adr-tools and MADR name files `NNNN-title.md`. log4brains names them by day and title
(`20200925-use-prettier.md`, two may share a day) and links to them by that slug: such
a file has no number of its own, and goes by its alias, the slug in lowercase, which
also orders the files by day, then name. A folder also holds pages that are not
decisions: a README, an index, the template new records are copied from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_NUMBERED = re.compile(r"^([0-9]{1,9})(?:[-_ .]|$)")
_DATED = re.compile(r"^(?P<day>[0-9]{8})-(?P<title>[^\s/\\]+)$")
_MARKDOWN = re.compile(r"\.(?:md|markdown)$", re.I)
_PAGES = frozenset({"readme", "index"})
_EARLIEST_YEAR = 1900


@dataclass(frozen=True, order=True, slots=True)
class Alias:
    """A decision named by the slug of its day-named file: '20200925-use-prettier'."""

    slug: str

    def __str__(self) -> str:
        return self.slug


def base_name(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


def stem(path: str) -> str:
    return _MARKDOWN.sub("", base_name(path))


def alias_of(path: str) -> Alias | None:
    """The alias of a file (or link target) named by day and title, else None.

    The day must be a real one ('20201301-x.md' is not a date, so it is a number).
    """
    match = _DATED.match(stem(path))
    if match is None:
        return None
    day = match["day"]
    try:
        year = dt.date(int(day[:4]), int(day[4:6]), int(day[6:])).year
    except ValueError:
        return None
    return Alias(stem(path).lower()) if year >= _EARLIEST_YEAR else None


def number_of(path: str) -> int | None:
    """The number a file name starts with ('0007-use-x.md'), unless it is a day."""
    if alias_of(path) is not None:
        return None
    match = _NUMBERED.match(base_name(path))
    return int(match[1]) if match else None


def not_a_decision(path: str) -> str | None:
    """Why a Markdown file in an ADR folder is not a decision record, or None if it is one.

    A README or index page, or a template (a name with 'template' and no number or day).
    """
    name = stem(path).lower()
    if name in _PAGES:
        return f"{base_name(path)} is the folder's {name} page, not a decision record"
    if "template" in name and number_of(path) is None and alias_of(path) is None:
        return f"{base_name(path)} is a template for new records, not a decision record"
    return None
