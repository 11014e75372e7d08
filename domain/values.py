"""Value objects: they validate themselves on construction."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import InvalidValue

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TAG = re.compile(r"^[^\s,][^,]{0,62}$")
_REF_NUMBER = re.compile(r"(?:ADR-?)?0*([0-9]{1,9})", re.IGNORECASE)
SLUG_MAX = 64
TITLE_MAX = 300


@dataclass(frozen=True, order=True, slots=True)
class LogSlug:
    """A log's name in URLs: lowercase letters, digits and single dashes."""

    value: str

    def __post_init__(self) -> None:
        if not (0 < len(self.value) <= SLUG_MAX) or not _SLUG.fullmatch(self.value):
            raise InvalidValue(
                "slug",
                f"{self.value!r} is not a valid log slug: use 1 to {SLUG_MAX} lowercase "
                "letters, digits and single dashes, e.g. 'payments-platform'",
            )

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, order=True, slots=True)
class DecisionNumber:
    """A decision's number in its log, shown as ADR-0007.

    Proposals are numbered from 1; 0 exists only by import, since MADR repositories
    (MADR's own among them) often open with ADR-0000.
    """

    value: int

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int) or self.value < 0:
            raise InvalidValue("number", f"{self.value!r} is not a whole number of 0 or more")

    def __str__(self) -> str:
        return f"ADR-{self.value:04d}"


@dataclass(frozen=True, order=True, slots=True)
class DecisionRef:
    """Names one decision anywhere: its log and its number (written 'log/7')."""

    log: LogSlug
    number: DecisionNumber

    @classmethod
    def parse(cls, text: str, *, relative_to: LogSlug) -> DecisionRef:
        """Read '7', 'ADR-0007' (in `relative_to`) or 'other-log/7'."""
        log_part, sep, number_part = text.strip().rpartition("/")
        match = _REF_NUMBER.fullmatch(number_part)
        if match is None:
            raise InvalidValue(
                "ref",
                f"{text!r} does not name a decision: write its number ('7' or 'ADR-0007'), "
                "or its log and number ('other-log/7')",
            )
        log = LogSlug(log_part) if sep else relative_to
        return cls(log, DecisionNumber(int(match[1])))

    def __str__(self) -> str:
        return f"{self.log}/{self.number.value}"


def slugify(title: str) -> str:
    """The file-name slug of a title: 'Use FastAPI!' -> 'use-fastapi'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "decision"


def title_of(text: str) -> str:
    """A decision title: one line, not blank, at most TITLE_MAX characters."""
    title = text.strip()
    if not title:
        raise InvalidValue("title", "must not be blank")
    if "\n" in title or "\r" in title:
        raise InvalidValue("title", "must be a single line")
    if len(title) > TITLE_MAX:
        raise InvalidValue("title", f"must be at most {TITLE_MAX} characters, not {len(title)}")
    return title


def tag_of(text: str) -> str:
    """A tag, normalised: trimmed, lowercase, inner whitespace as one dash."""
    tag = re.sub(r"\s+", "-", text.strip().lower())
    if not _TAG.fullmatch(tag):
        raise InvalidValue(
            "tags", f"{text!r} is not a valid tag: 1 to 63 characters, no commas, not blank"
        )
    return tag


def tags_of(texts: object) -> frozenset[str]:
    if isinstance(texts, str) or not hasattr(texts, "__iter__"):
        raise InvalidValue("tags", "must be a list of strings")
    return frozenset(tag_of(str(t)) for t in texts)


def username_of(text: str) -> str:
    if not isinstance(text, str) or not _USERNAME.fullmatch(text):
        raise InvalidValue(
            "username",
            f"{text!r} is not a valid username: 1 to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )
    return text


def people_of(field: str, names: object) -> tuple[str, ...]:
    """A RACI list: names in order, trimmed, without blanks or repeats."""
    if isinstance(names, str) or not hasattr(names, "__iter__"):
        raise InvalidValue(field, "must be a list of names")
    seen: dict[str, None] = {}
    for name in names:
        if not isinstance(name, str):
            raise InvalidValue(field, f"{name!r} is not a name")
        clean = " ".join(name.split())
        if not clean:
            raise InvalidValue(field, "names must not be blank")
        if len(clean) > 200:
            raise InvalidValue(field, "a name must be at most 200 characters")
        seen.setdefault(clean)
    return tuple(seen)


class Visibility(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"


class Role(StrEnum):
    """Per-log roles; each includes the rights of those before it."""

    VIEWER = "viewer"
    AUTHOR = "author"
    DECIDER = "decider"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


_ROLE_RANK = {Role.VIEWER: 0, Role.AUTHOR: 1, Role.DECIDER: 2, Role.ADMIN: 3}
