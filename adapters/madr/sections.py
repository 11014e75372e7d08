"""Reading the Markdown below the front matter into the parts of MADR content.

The rules keep reading deterministic, so that `parse(render(parse(f))) == parse(f)`:
- A heading MADR names (see `layout`) at its level is read into its part. A second one,
  or one whose body is not in the part's shape (Considered Options that is not a list),
  is kept verbatim as an extra section, with a warning.
- Under 'Pros and Cons of the Options' every '###' heading is an option, and deeper
  headings belong to the option above them.
- Any other heading starts an extra section (heading and body verbatim), placed after
  the last part read before it.
- Text after a list part's list (a comment after the drivers, say) and text before the
  first option are kept as heading-less extra sections (level 0) after that part.
- Extra sections come out in slot order, the heading-less text of a slot first.
- A Nygard '## Status' section gives the status and its '<Label> [title](file)' lines
  typed links: Supersedes (or adr-tools' Supercedes), Superseded by, Amends, Amended
  by, Relates to; any other label (adr-tools' `adr link` writes e.g. 'Clarifies') is a
  relates-to link, and the section is then kept as written, so the label is not lost.
- A '## Links' section (MADR 2, log4brains) is kept as written; its lines with those
  labels are read as typed links too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from adapters.madr.blocks import Block, Heading, Item, Outline, is_blank, outline, text_of
from adapters.madr.errors import InvalidMadr
from adapters.madr.layout import PROS_AND_CONS, SLOTS, TITLE, Part, heading_key, part_of
from adapters.madr.metadata import Target, decision_links_in, refs_in, without_comments
from adapters.madr.rules import EMPTY_SECTION, UNSTRUCTURED_SECTION, Rule
from domain.content import Arguments, ExtraSection, Option, Outcome
from domain.links import LinkKind
from domain.values import LogSlug

ARGUMENT = re.compile(r"^(good|neutral|bad)\s*,?\s*because\b[ \t]*", re.I)
CHOSEN_START = re.compile(r"^\s*chosen option\s*:", re.I)
_CHOSEN = (
    re.compile(r'^\s*chosen option\s*:\s*"(?P<chosen>.*)",\s*because\b[ \t]*(?P<why>.*)$', re.I),
    re.compile(r"^\s*chosen option\s*:\s*'(?P<chosen>.*)',\s*because\b[ \t]*(?P<why>.*)$", re.I),
    re.compile(r"^\s*chosen option\s*:\s*(?P<chosen>.*?),\s*because\b[ \t]*(?P<why>.*)$", re.I),
    re.compile(r"^\s*chosen option\s*:\s*(?P<chosen>.*?)\s*$", re.I),
)
_STATUS_LINK = re.compile(
    r"^(?P<kind>supersedes|supercedes|superseded by|superceded by|replaces|replaced by|"
    r"amends|amended by|relates to|related to)\b[\s:]*(?P<refs>.*)$",
    re.I,
)
# adr-tools' `adr link` labels: a few words, then links to decision files.
_LABELLED_LINK = re.compile(r"^(?P<label>[A-Za-z][A-Za-z -]{0,40}?)[\s:]+(?P<refs>\[.*)$")
_LINK_KINDS = {
    "supersedes": LinkKind.SUPERSEDES,
    "supercedes": LinkKind.SUPERSEDES,
    "replaces": LinkKind.SUPERSEDES,
    "superseded by": LinkKind.SUPERSEDED_BY,
    "superceded by": LinkKind.SUPERSEDED_BY,
    "replaced by": LinkKind.SUPERSEDED_BY,
    "amends": LinkKind.AMENDS,
    "amended by": LinkKind.AMENDED_BY,
    "relates to": LinkKind.RELATES_TO,
    "related to": LinkKind.RELATES_TO,
}
_BULLET = re.compile(r"^[*+-][ \t]+")
_TITLE_FIELD = re.compile(
    r"^ {0,3}(?:[*+-][ \t]+)?(?:\*\*|__)?(?P<key>[A-Za-z][A-Za-z ()_-]{0,40}?)"
    r"(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*(?P<value>.*)$"
)
_TITLE_FIELDS = {
    "status": "status",
    "date": "date",
    "deciders": "decision_makers",
    "decider": "decision_makers",
    "decision makers": "decision_makers",
    "decision maker": "decision_makers",
    "consulted": "consulted",
    "informed": "informed",
}


@dataclass(frozen=True, slots=True)
class Located:
    text: str
    line: int  # 1-based


@dataclass(slots=True)
class SectionsReading:
    """What the sections say, before it becomes Content."""

    context: str = ""
    drivers: tuple[str, ...] = ()
    considered: tuple[str, ...] = ()
    detailed: tuple[Option, ...] = ()
    outcome: Outcome = field(default_factory=Outcome)
    outcome_line: int | None = None
    good: list[str] = field(default_factory=list)
    neutral: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    confirmation: str = ""
    more_information: str = ""
    extras: list[ExtraSection] = field(default_factory=list)
    status: Located | None = None  # from a Nygard '## Status' section
    links: list[tuple[LinkKind, Target, int]] = field(default_factory=list)
    warnings: list[tuple[Rule, int, str]] = field(default_factory=list)

    @property
    def consequences(self) -> Arguments:
        return Arguments(tuple(self.good), tuple(self.neutral), tuple(self.bad))

    def canonical_extras(self) -> tuple[ExtraSection, ...]:
        """Extra sections in render order: by slot, a slot's heading-less text first."""
        ordered: list[ExtraSection] = []
        for slot in SLOTS:
            group = [extra for extra in self.extras if extra.after == slot]
            bare = [extra.body for extra in group if extra.level == 0]
            if bare:
                ordered.append(ExtraSection("", "\n\n".join(bare), 0, slot))
            ordered.extend(extra for extra in group if extra.level != 0)
        return tuple(ordered)


class _Unfit(Exception):
    def __init__(self, rule: Rule, reason: str) -> None:
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


def read_title_block(
    lines: Sequence[str], start: int, known: frozenset[str]
) -> tuple[dict[str, Located], str]:
    """MADR 2 '* Status: accepted' bullets and Nygard 'Date: ...' lines under the title.

    Fields are read from the leading 'Key: value' lines, unless `known` already (from the
    front matter); the rest of the block is returned verbatim.
    """
    found: dict[str, Located] = {}
    kept: list[str] = []
    reading = True
    for offset, line in enumerate(lines):
        match = _TITLE_FIELD.match(line) if reading else None
        if reading and not match and not is_blank(line):
            reading = False
        if match:
            key = " ".join(match["key"].lower().replace("(s)", "").replace("_", " ").split())
            name = _TITLE_FIELDS.get(key.replace("-", " "))
            if name and name not in known and name not in found:
                found[name] = Located(without_comments(match["value"]), start + offset + 1)
                continue
        kept.append(line)
    if found and outline(kept).headings:  # without those lines, the rest would read otherwise
        return {}, text_of(lines)
    return found, text_of(kept)


def read_sections(
    structure: Outline, found: Sequence[Heading], *, log: LogSlug, status_known: bool
) -> SectionsReading:
    """Read the sections that start at the `found` headings of `structure` (the title's
    excluded)."""
    reader = _Reader(structure, log, status_known)
    reader.read(found)
    return reader.reading


class _Reader:
    def __init__(self, structure: Outline, log: LogSlug, status_known: bool) -> None:
        self.structure = structure
        self.lines = structure.lines
        self.log = log
        self.status_known = status_known
        self.reading = SectionsReading()
        self.slot = TITLE
        self.seen: set[Part] = set()

    def read(self, found: Sequence[Heading]) -> None:
        index = 0
        while index < len(found):
            heading = found[index]
            part = part_of(heading.text, heading.level)
            if part is Part.PROS_AND_CONS:
                stop = next(
                    (k for k in range(index + 1, len(found)) if found[k].level <= 2), len(found)
                )
                self._pros_and_cons(heading, found[index + 1 : stop], self._start(found, stop))
                index = stop
            else:
                body = self.lines[heading.end : self._start(found, index + 1)]
                self._section(heading, part, body)
                index += 1

    def _start(self, found: Sequence[Heading], index: int) -> int:
        return found[index].start if index < len(found) else len(self.lines)

    def _section(self, heading: Heading, part: Part | None, body: Sequence[str]) -> None:
        if part is None:
            if heading.level == 2 and heading_key(heading.text) == "links":
                for kind, target, line, _ in self._link_lines(heading, body, strict=False):
                    if kind is not None and target is not None:
                        self.reading.links.append((kind, target, line))
            self._extra(heading, body)
            return
        if part in self.seen:
            self._unread(
                heading, body, UNSTRUCTURED_SECTION, "appears a second time: merge the two"
            )
            return
        if part is Part.STATUS and self.status_known:
            reason = "repeats the status given above: remove it"
            self._unread(heading, body, UNSTRUCTURED_SECTION, reason)
            return
        try:
            trailing = self._read_part(part, heading, body)
        except _Unfit as unfit:
            self._unread(heading, body, unfit.rule, unfit.reason)
            return
        self.seen.add(part)
        self.slot = part.slot or self.slot
        if trailing:
            self._bare(trailing, self.slot)

    def _read_part(self, part: Part, heading: Heading, body: Sequence[str]) -> str:
        """Read `body` into `part`; returns text left after a list, raises _Unfit."""
        reading = self.reading
        if part is Part.CONTEXT:
            reading.context = _text(body)
        elif part is Part.CONFIRMATION:
            reading.confirmation = _text(body)
        elif part is Part.MORE_INFORMATION:
            reading.more_information = _text(body)
        elif part is Part.OUTCOME:
            reading.outcome, first = _outcome(body)
            reading.outcome_line = heading.end + first + 1
        elif part is Part.STATUS:
            self._status(heading, body)
        else:
            items, trailing = _list(body, self._blocks(heading.end, body))
            if part is Part.DRIVERS:
                reading.drivers = tuple(item.text for item in items)
            elif part is Part.OPTIONS:
                reading.considered = _option_titles(items)
            else:
                self._consequences(part, items)
            return trailing
        return ""

    def _consequences(self, part: Part, items: Sequence[Item]) -> None:
        fixed = {Part.GOOD_CONSEQUENCES: "good", Part.BAD_CONSEQUENCES: "bad"}.get(part)
        read: list[tuple[str, str]] = []
        for item in items:
            match = ARGUMENT.match(item.text)
            if fixed:
                read.append((fixed, _argument_text(item.text, match) if match else item.text))
            elif match:
                read.append((match[1].lower(), _argument_text(item.text, match)))
            else:
                raise _Unfit(
                    UNSTRUCTURED_SECTION,
                    "has a bullet that is not 'Good, because ...', 'Neutral, because ...' "
                    "or 'Bad, because ...': start each bullet so",
                )
        for kind, text in read:
            getattr(self.reading, kind).append(text)

    def _status(self, heading: Heading, body: Sequence[str]) -> None:
        status: Located | None = None
        links: list[tuple[LinkKind, Target, int]] = []
        notes = False
        for kind, target, number, text in self._link_lines(heading, body, strict=True):
            # The status comes first: 'Accepted [with conditions](0004-x.md)' is no link.
            if target is not None and (kind is not None or status is not None):
                links.append((kind or LinkKind.RELATES_TO, target, number))
                notes = notes or kind is None  # keep the custom label
                if kind is LinkKind.SUPERSEDED_BY and status is None:
                    status = Located("superseded", number)
            elif text and (status is None or status.text == "superseded"):
                status = Located(text, number)
            elif text:
                notes = True
        if status is None:
            raise _Unfit(EMPTY_SECTION, "names no status: write it on the first line")
        self.reading.status = status
        self.reading.links.extend(links)
        if notes:  # more than a status and links: keep what it says
            self._extra(heading, body)

    def _link_lines(
        self, heading: Heading, body: Sequence[str], *, strict: bool
    ) -> Iterator[tuple[LinkKind | None, Target | None, int, str]]:
        """Each line's link kind (None: a custom label) and targets, its number and text.

        A line that is not '<Label> [title](file)' comes with no targets. A line with a
        MADR label must name decisions: if not, it is an error when `strict`, else prose.
        """
        for offset, line in enumerate(body):
            text = _BULLET.sub("", line.strip())
            number = heading.end + offset + 1
            link = _STATUS_LINK.match(text)
            if link:
                kind = _LINK_KINDS[" ".join(link["kind"].lower().split())]
                try:
                    found = refs_in(link["refs"], log=self.log, line=number)
                except InvalidMadr:
                    if strict:
                        raise
                    found = ()
                for target in found:
                    yield kind, target, number, text
                if found:
                    continue
            labelled = _LABELLED_LINK.match(text)
            targets = labelled and decision_links_in(labelled["refs"], log=self.log, line=number)
            if targets:
                for target in targets:
                    yield None, target, number, text
                continue
            yield None, None, number, text

    def _pros_and_cons(self, heading: Heading, subs: Sequence[Heading], end: int) -> None:
        options = [sub for sub in subs if sub.level == 3]
        body = self.lines[heading.end : end]
        if Part.PROS_AND_CONS in self.seen:
            self._unread(
                heading, body, UNSTRUCTURED_SECTION, "appears a second time: merge the two"
            )
            return
        if not options or not all(option.text for option in options):
            reason = "has no '### Option' headings: give each option one"
            self._unread(heading, body, UNSTRUCTURED_SECTION, reason)
            return
        self.seen.add(Part.PROS_AND_CONS)
        self.slot = PROS_AND_CONS
        detailed = []
        for index, option in enumerate(options):
            body = self.lines[option.end : _next(options, index, end)]
            detailed.append(_option(option.text, body, self._blocks(option.end, body)))
        self.reading.detailed = tuple(detailed)
        intro = text_of(self.lines[heading.end : options[0].start])
        if intro:
            self._bare(intro, PROS_AND_CONS)

    def _blocks(self, start: int, body: Sequence[str]) -> list[Block]:
        """The blocks of `body`, the lines from `start` to a heading or the end."""
        return self.structure.blocks(start, start + len(body))

    def _extra(self, heading: Heading, body: Sequence[str]) -> None:
        section = ExtraSection(heading.text, text_of(body), heading.level, self.slot)
        self.reading.extras.append(section)

    def _bare(self, text: str, slot: str) -> None:
        self.reading.extras.append(ExtraSection("", text, 0, slot))

    def _unread(self, heading: Heading, body: Sequence[str], rule: Rule, reason: str) -> None:
        message = f"the section '{heading.text}' {reason}; until then it is kept as written"
        self.reading.warnings.append((rule, heading.start + 1, message))
        self._extra(heading, body)


def _next(options: Sequence[Heading], index: int, end: int) -> int:
    return options[index + 1].start if index + 1 < len(options) else end


def _text(body: Sequence[str]) -> str:
    text = text_of(body)
    if not text:
        raise _Unfit(EMPTY_SECTION, "is empty: fill it in or remove it")
    return text


def _list(body: Sequence[str], blocks: Sequence[Block]) -> tuple[list[Item], str]:
    """The items of the list the body starts with, and the text after that list."""
    _text(body)
    first = blocks[0] if blocks else None
    if first is None or not first.is_list or not all(map(is_blank, body[: first.start])):
        raise _Unfit(
            UNSTRUCTURED_SECTION, "does not start with a list: write its items as '* ' bullets"
        )
    return first.items, text_of(body[first.end :])


def _option_titles(items: Sequence[Item]) -> tuple[str, ...]:
    if not all(item.text and "\n" not in item.text for item in items):
        raise _Unfit(UNSTRUCTURED_SECTION, "has an empty or multi-line option: one line each")
    return tuple(item.text for item in items)


def _outcome(body: Sequence[str]) -> tuple[Outcome, int]:
    """'Chosen option: "X", because Y' (quotes optional) and what follows it.

    Returns the outcome and the offset of its first line in `body`."""
    text = _text(body)
    first_offset = next(i for i, line in enumerate(body) if not is_blank(line))
    first, _, rest = text.partition("\n")
    if not CHOSEN_START.match(first):
        return Outcome("", text), first_offset
    match = next(m for m in (pattern.match(first) for pattern in _CHOSEN) if m)
    chosen = match["chosen"].strip()
    if match.re is _CHOSEN[-1]:
        chosen = chosen.strip("\"'")
    why = match.groupdict().get("why") or ""
    outcome = Outcome(chosen, text_of([why, *rest.split("\n")]) if rest else why)
    if not outcome.chosen and not outcome.justification:
        raise _Unfit(
            UNSTRUCTURED_SECTION, "names no option: write 'Chosen option: \"X\", because ...'"
        )
    return outcome, first_offset


def _option(title: str, body: Sequence[str], blocks: Sequence[Block]) -> Option:
    """An option's description, then its arguments: the trailing 'Good, because' items."""
    last = blocks[-1] if blocks else None
    if last is not None and last.is_list and all(map(is_blank, body[last.end :])):
        first = len(last.items)
        while first > 0 and ARGUMENT.match(last.items[first - 1].text):
            first -= 1
        if first < len(last.items):
            description = text_of(body[: last.items[first].start])
            return Option(title, description, _arguments(last.items[first:]))
    return Option(title, text_of(body))


def _arguments(items: Sequence[Item]) -> Arguments:
    kinds: dict[str, list[str]] = {"good": [], "neutral": [], "bad": []}
    for item in items:
        match = ARGUMENT.match(item.text)
        if match:
            kinds[match[1].lower()].append(_argument_text(item.text, match))
    return Arguments(tuple(kinds["good"]), tuple(kinds["neutral"]), tuple(kinds["bad"]))


def _argument_text(text: str, match: re.Match[str]) -> str:
    return text_of(text[match.end() :].split("\n"))
