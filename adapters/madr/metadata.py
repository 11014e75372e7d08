"""Reading MADR metadata values as they appear in the wild: status text, people, tags,
days, and references to other decisions (by number, or by alias: see `file_names`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from adapters.madr.errors import InvalidMadr
from adapters.madr.file_names import Alias, alias_of
from adapters.madr.rules import INVALID_DATE, INVALID_VALUE, UNKNOWN_STATUS
from domain.errors import InvalidValue
from domain.lifecycle import Status
from domain.values import DecisionRef, LogSlug, people_of, tags_of

_SYNONYMS: dict[str, Status] = {
    **dict.fromkeys(
        ("proposal", "draft", "open", "pending", "in review", "under review", "on hold", "wip"),
        Status.PROPOSED,
    ),
    **dict.fromkeys(("approved", "adopted", "agreed", "decided", "done"), Status.ACCEPTED),
    **dict.fromkeys(("declined", "refused", "dismissed"), Status.REJECTED),
    **dict.fromkeys(("obsolete", "retired"), Status.DEPRECATED),
    "replaced": Status.SUPERSEDED,
}
# adr-tools writes 'Superceded by'.
_SUPERSEDED_BY = re.compile(
    r"^(?:superseded|superceded|replaced)[ -]by\b[\s:]*(?P<refs>.*)$", re.I | re.S
)
_STATUSES = {status.value: status for status in Status}
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_DECORATION = "\"'`*_ \t."
_MD_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]*)[^)]*\)")
_FILE_NUMBER = re.compile(r"(?:^|/)([0-9]{1,9})-[^/]*$")
_TEXT_NUMBER = re.compile(r"^(?:ADR[- ]?)?([0-9]{1,9})\b", re.I)
_SEPARATORS = re.compile(r"\s*[,;&]\s*|\s+and\s+", re.I)
_DAY_MONTH_YEAR = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")

# A link target: a decision by number, or by the alias of its day-named file.
Target = DecisionRef | Alias


def without_comments(text: str) -> str:
    return _COMMENT.sub("", text).strip()


@dataclass(frozen=True, slots=True)
class StatusReading:
    status: Status
    successors: tuple[Target, ...]
    synonym: bool  # the text was not the MADR word itself


def read_status(text: str, *, line: int, log: LogSlug) -> StatusReading:
    """'Accepted', '"accepted"', 'superseded by [ADR-0005](0005-x.md)', 'approved', ..."""
    clean = " ".join(without_comments(text).strip(_DECORATION).split())
    superseded = _SUPERSEDED_BY.match(clean)
    if superseded:
        refs = refs_in(superseded["refs"], log=log, line=line) if superseded["refs"] else ()
        return StatusReading(Status.SUPERSEDED, refs, not clean.lower().startswith("superseded"))
    word = clean.lower()
    if word in _STATUSES:
        return StatusReading(_STATUSES[word], (), False)
    if word in _SYNONYMS:
        return StatusReading(_SYNONYMS[word], (), True)
    raise InvalidMadr(
        line,
        f"{text.strip()!r} is not a MADR status: write proposed, accepted, rejected, "
        "deprecated, or 'superseded by ADR-0123'",
        UNKNOWN_STATUS,
    )


def refs_in(text: str, *, log: LogSlug, line: int) -> tuple[Target, ...]:
    """Decisions named by Markdown links to their files, 'ADR-0012', '12', 'log/12' or
    a day-named file's slug, separated by commas or 'and'."""
    refs = [_link_ref(m["text"], m["target"], log, line) for m in _MD_LINK.finditer(text)]
    for piece in _SEPARATORS.split(_MD_LINK.sub("", text)):
        if piece.strip(_DECORATION):
            refs.append(target_of("".join(piece.strip(_DECORATION).split()), log=log, line=line))
    return tuple(refs)


def decision_links_in(text: str, *, log: LogSlug, line: int) -> tuple[Target, ...] | None:
    """The decisions `text` links to when it is nothing but Markdown links to decision
    files (and separators), else None: 'See [the guide](https://...)' is prose."""
    links = list(_MD_LINK.finditer(text))
    rest = _SEPARATORS.sub("", _MD_LINK.sub("", text)).strip(_DECORATION)
    if not links or rest or not all(_names_a_file(m["target"]) for m in links):
        return None
    return tuple(_link_ref(m["text"], m["target"], log, line) for m in links)


def target_of(text: str, *, log: LogSlug, line: int) -> Target:
    """'ADR-0012', '12', 'other-log/12', or a day-named file's slug."""
    return alias_of(text) or ref_of(text, log=log, line=line)


def ref_of(text: str, *, log: LogSlug, line: int) -> DecisionRef:
    try:
        return DecisionRef.parse(text, relative_to=log)
    except InvalidValue as error:
        raise InvalidMadr(line, error.message, INVALID_VALUE) from None
    except ValueError:  # more digits than int() takes
        message = f"{text[:20]}... is too long for a decision number: write e.g. ADR-0012"
        raise InvalidMadr(line, message, INVALID_VALUE) from None


def _names_a_file(target: str) -> bool:
    path = target.split("#", 1)[0]
    return alias_of(path) is not None or _FILE_NUMBER.search(path) is not None


def _link_ref(text: str, target: str, log: LogSlug, line: int) -> Target:
    path = target.split("#", 1)[0]
    alias = alias_of(path)
    if alias is not None:
        return alias
    number = _FILE_NUMBER.search(path) or _TEXT_NUMBER.match(text.strip())
    if number is None:
        raise InvalidMadr(
            line,
            f"the link [{text}]({target}) does not name a decision: link to its "
            "NNNN-title.md file or write its number, e.g. ADR-0012",
            INVALID_VALUE,
        )
    return ref_of(number[1], log=log, line=line)


def people_from(value: object, *, field: str, line: int) -> tuple[str, ...]:
    """A people field as a list or as comma-separated text."""
    if value is None:
        return ()
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise InvalidMadr(
            line, f"{field} must be names as a list or as comma-separated text", INVALID_VALUE
        )
    try:
        return people_of(field, [name for name in names if name.strip()])
    except InvalidValue as error:
        raise InvalidMadr(line, str(error), INVALID_VALUE) from None


def tags_from(value: object, *, line: int) -> frozenset[str]:
    if value is None:
        return frozenset()
    tags = value.split(",") if isinstance(value, str) else value
    if not isinstance(tags, list) or not all(
        isinstance(tag, str | int) and not isinstance(tag, bool) for tag in tags
    ):
        raise InvalidMadr(line, "tags must be a list or comma-separated text", INVALID_VALUE)
    try:
        return tags_of(str(tag) for tag in tags if str(tag).strip())
    except InvalidValue as error:
        raise InvalidMadr(line, str(error), INVALID_VALUE) from None


def day_from(value: object, *, field: str, line: int) -> dt.date | None:
    """A day from YAML (already ISO text) or from a line: 'YYYY-MM-DD', an ISO time, or
    'DD/MM/YYYY' (as adr-tools wrote dates before it moved to ISO 8601)."""
    text = without_comments(value).strip(_DECORATION) if isinstance(value, str) else value
    if text is None or text == "":
        return None
    if isinstance(text, str):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            pass
        day_month_year = _DAY_MONTH_YEAR.match(text)
        try:
            if day_month_year:
                day, month, year = map(int, day_month_year.groups())
                return dt.date(year, month, day)
        except ValueError:
            pass
    raise InvalidMadr(
        line,
        f"{field} {value!r} is not a day: write it as YYYY-MM-DD, e.g. 2025-05-11",
        INVALID_DATE,
    )


_TITLE_NUMBER = re.compile(
    r"^(?:ADR[- ]?)?([0-9]{1,9})(?:[.:]|[ \t]+[-\u2013\u2014:])?[ \t]+(?=\S)", re.I
)


def title_number(title: str) -> tuple[int, str] | None:
    """A number written before a title ('7. X', '0007 X', 'ADR-0007: X'), and the rest."""
    match = _TITLE_NUMBER.match(title)
    return (int(match[1]), title[match.end() :]) if match else None
