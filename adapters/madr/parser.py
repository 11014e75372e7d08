"""Parse one MADR file (MADR 2, 3, 4 or Nygard / adr-tools) into a Decision.

Where each field comes from, first found wins:
- number: the file name `NNNN-slug.md`, a front-matter `number`, a number before the
  title ('# 7. Title', '# 0007 Title', '# ADR-0007: Title'), else the caller's fallback.
  The title loses that prefix when it is the decision's number. A file named by day and
  title (log4brains' `20200925-use-prettier.md`) has an alias instead (see
  `file_names`), and only a front-matter `number` or the fallback; without either, its
  number is the importer's to give (`number_source` 'alias', number 0 until then).
- title: the first '# ' heading, else the front-matter `title`.
- status, date, decision-makers (or deciders), consulted, informed: the front matter,
  then MADR 2 '* Status: ...' lines under the title, then a Nygard '## Status' section.
  No status reads as proposed and no date as `today`, each with a warning.
- links: front-matter keys `supersedes`, `superseded-by`, `amends`, `amended-by`,
  `relates-to` (lists of 'ADR-0012' in this log or 'other-log/12'), a status
  'superseded by ADR-0012', and Nygard 'Supersedes [2. Title](0002-title.md)' lines
  (see `sections` for the labels read). A link to a day-named file, or its slug, names
  the decision by alias: those come in `alias_links`, for the importer to resolve.
- Nygard sections: '## Context' is the context, '## Decision' the outcome's
  justification (no chosen option), '## Consequences' the consequences when its bullets
  say 'Good/Neutral/Bad, because', else it is kept verbatim.
- Other front-matter keys are kept in order in `content.extra_metadata` (including
  `title`, `number`); everything else is read as `sections` describes.

What a re-render does not keep as written (the decision it reads as is the same):
MADR 4 section order and headings (Validation becomes Confirmation, MADR 2 Positive and
Negative Consequences one Consequences list, Nygard Decision the Decision Outcome);
'*' list markers and tight lists; ATX headings; an `<!-- optional -->` comment inside a
MADR heading; an option heading that only abbreviates or restyles its bullet takes the
bullet's text; metadata lines under the title and a Nygard '## Status' move into the
front matter.

Bad input raises MadrParseError only, naming the file, the line and the rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from adapters.madr.blocks import Heading, Outline, lines_of, outline, text_of
from adapters.madr.errors import InvalidMadr, MadrParseError
from adapters.madr.file_names import Alias, alias_of, base_name, number_of
from adapters.madr.front_matter import Entry, read_front_matter
from adapters.madr.layout import FIELD_KEYS, LINK_KEYS, PREAMBLE, TITLE, front_matter_key
from adapters.madr.metadata import (
    Target,
    day_from,
    people_from,
    read_status,
    refs_in,
    tags_from,
    target_of,
    title_number,
)
from adapters.madr.options import merge_options
from adapters.madr.rules import (
    INVALID_VALUE,
    MISSING_DATE,
    MISSING_NUMBER,
    MISSING_STATUS,
    MISSING_TITLE,
    NONSTANDARD_STATUS,
    Problem,
    Rule,
)
from adapters.madr.sections import SectionsReading, read_sections, read_title_block
from domain.content import Content, ExtraSection, Metadata
from domain.decision import Decision
from domain.errors import InvalidValue
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug

NumberSource = Literal["file name", "front matter", "title", "fallback", "alias"]
# The number of a file that has an alias and no number, until the importer gives one.
UNNUMBERED = 0


@dataclass(frozen=True, slots=True)
class ParsedDecision:
    """A decision read from a file, with what an import or lint reports about it.

    `lines` has the 1-based line of 'title', 'status' and 'outcome' where the file has
    them; `link_lines` the line each link was read from, and `alias_links` the same for
    links that name a decision by alias. `alias` is the file's own, if it has one.
    """

    decision: Decision
    filename: str
    number_source: NumberSource
    warnings: tuple[Problem, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict)
    link_lines: Mapping[Link, int] = field(default_factory=dict)
    alias: Alias | None = None
    alias_links: Mapping[tuple[LinkKind, Alias], int] = field(default_factory=dict)

    def numbered(self, number: int) -> ParsedDecision:
        """The same reading, as decision `number`: how an importer numbers an alias."""
        state = self.decision.snapshot()
        ref = DecisionRef(state.ref.log, DecisionNumber(number))
        decision = Decision(**{**state.fields(), "ref": ref}, version=self.decision.version)
        return dataclasses.replace(self, decision=decision)


def parse_madr(
    text: str, *, filename: str, log: LogSlug, today: dt.date, number: int | None = None
) -> ParsedDecision:
    """Read one MADR file. `number` is used when neither its name nor its text has one."""
    try:
        return _Parse(text, filename, log, today, number).run()
    except InvalidMadr as error:
        raise MadrParseError(filename, error.line, error.message, rule=error.rule.id) from None


class _Parse:
    def __init__(
        self, text: str, filename: str, log: LogSlug, today: dt.date, fallback: int | None
    ) -> None:
        self.lines = lines_of(text)
        self.filename = filename
        self.log = log
        self.today = today
        self.fallback = fallback
        self.warnings: list[Problem] = []
        self.at: dict[str, int] = {}
        self.links: dict[Link, int] = {}
        self.alias_links: dict[tuple[LinkKind, Alias], int] = {}
        # Field name -> (value, 1-based line), from front matter or the lines under the title.
        self.fields: dict[str, tuple[Metadata, int]] = {}

    def run(self) -> ParsedDecision:
        front = read_front_matter(self.lines)
        extra_metadata = self._front_matter(front.entries)
        structure = outline(self.lines, front.end)
        title = next((h for h in structure.headings if h.level == 1), None)
        sections = self._body(front.end, structure, title)
        heading = (title.text, title.start + 1) if title else _front_title(extra_metadata)
        ref, number_source, title_text = self._identity(heading, extra_metadata)
        content = Content(
            context=sections.context,
            drivers=sections.drivers,
            options=merge_options(sections.considered, sections.detailed),
            outcome=sections.outcome,
            consequences=sections.consequences,
            confirmation=sections.confirmation,
            more_information=sections.more_information,
            extra_sections=sections.canonical_extras(),
            extra_metadata=tuple(extra_metadata),
        )
        status = self._status()
        try:
            decision = Decision(
                ref=ref,
                title=title_text,
                status=status,
                date=self._date(),
                decision_makers=self._people("decision_makers"),
                consulted=self._people("consulted"),
                informed=self._people("informed"),
                tags=self._tags(),
                content=content,
                links=self.links,
                review_by=self._day("review_by"),
            )
        except InvalidValue as error:
            raise InvalidMadr(self.at["title"], str(error), INVALID_VALUE) from None
        return ParsedDecision(
            decision,
            self.filename,
            number_source,
            tuple(self.warnings),
            self.at,
            self.links,
            alias_of(self.filename),
            self.alias_links,
        )

    def _link(self, kind: LinkKind, target: Target, line: int) -> None:
        if isinstance(target, Alias):
            self.alias_links.setdefault((kind, target), line)
        else:
            self.links.setdefault(Link(kind, target), line)

    def _body(self, start: int, structure: Outline, title: Heading | None) -> SectionsReading:
        """Everything below the front matter: preamble, title block, then the sections."""
        found = structure.headings
        extras: list[ExtraSection] = []
        block_start, below = start, found
        if title is not None:
            preamble = text_of(self.lines[start : title.start])
            if preamble:
                extras.append(ExtraSection("", preamble, 0, PREAMBLE))
            block_start, below = title.end, [h for h in found if h.start > title.start]
        block_end = below[0].start if below else len(self.lines)
        block_fields, block_text = read_title_block(
            self.lines[block_start:block_end], block_start, frozenset(self.fields)
        )
        self.fields.update((name, (f.text, f.line)) for name, f in block_fields.items())
        if block_text:
            extras.append(ExtraSection("", block_text, 0, TITLE))
        sections = read_sections(
            structure, below, log=self.log, status_known="status" in self.fields
        )
        if sections.status is not None:
            self.fields["status"] = (sections.status.text, sections.status.line)
        for kind, target, line in sections.links:
            self._link(kind, target, line)
        for rule, line, message in sections.warnings:
            self._warn(rule, line, message)
        if sections.outcome_line is not None:
            self.at["outcome"] = sections.outcome_line
        sections.extras[:0] = extras
        return sections

    def _front_matter(self, entries: tuple[Entry, ...]) -> list[tuple[str, Metadata]]:
        """Read the keys MADR names into fields; return the others, in order."""
        extra: list[tuple[str, Metadata]] = []
        for entry in entries:
            key = front_matter_key(entry.key)
            if key in LINK_KEYS:
                self._link_entry(LINK_KEYS[key], entry)
            elif key not in FIELD_KEYS:
                extra.append((entry.key, entry.value))
            elif entry.value is not None:
                name = FIELD_KEYS[key]
                if name == "decision_makers" and name in self.fields:  # both MADR 3 and 4 keys
                    names = self._people(name) + people_from(
                        entry.value, field=key, line=entry.line
                    )
                    self.fields[name] = (list(names), entry.line)
                else:
                    self.fields[name] = (entry.value, entry.line)
        return extra

    def _link_entry(self, kind: LinkKind, entry: Entry) -> None:
        values = entry.value if isinstance(entry.value, list) else [entry.value]
        for value in values:
            if isinstance(value, str):
                refs = refs_in(value, log=self.log, line=entry.line)
            elif isinstance(value, int) and not isinstance(value, bool):
                refs = (target_of(str(value), log=self.log, line=entry.line),)
            elif value is None:
                continue
            else:
                raise InvalidMadr(
                    entry.line,
                    f"{entry.key} must list decisions as 'ADR-0012' or 'other-log/12'",
                    INVALID_VALUE,
                )
            for ref in refs:
                self._link(kind, ref, entry.line)

    def _identity(
        self, heading: tuple[str, int] | None, extra: list[tuple[str, Metadata]]
    ) -> tuple[DecisionRef, NumberSource, str]:
        if heading is None:
            raise InvalidMadr(1, "no title: give the decision a '# Title' heading", MISSING_TITLE)
        title, self.at["title"] = heading
        aliased = alias_of(self.filename) is not None
        # A day-named file's title is all title: '# 2020 Vision' is not ADR-2020.
        prefix = None if aliased else title_number(title)
        candidates: tuple[tuple[int | None, NumberSource], ...] = (
            (number_of(base_name(self.filename)), "file name"),
            (_front_number(extra), "front matter"),
            (prefix[0] if prefix else None, "title"),
            (self.fallback, "fallback"),
            (UNNUMBERED if aliased else None, "alias"),
        )
        found = next(((n, s) for n, s in candidates if n is not None), None)
        if found is None:
            raise InvalidMadr(
                1,
                "no decision number: name the file NNNN-title.md, e.g. 0007-use-x.md",
                MISSING_NUMBER,
            )
        number, source = found
        try:
            ref = DecisionRef(self.log, DecisionNumber(number))
        except InvalidValue as error:
            raise InvalidMadr(1, str(error), MISSING_NUMBER) from None
        return ref, source, prefix[1] if prefix and prefix[0] == number else title

    def _status(self) -> Status:
        if "status" not in self.fields:
            self._warn(MISSING_STATUS, 1, "no status: read as proposed; add 'status: proposed'")
            return Status.PROPOSED
        value, line = self.fields["status"]
        self.at["status"] = line
        reading = read_status(
            value if isinstance(value, str) else str(value), line=line, log=self.log
        )
        if reading.synonym:
            self._warn(
                NONSTANDARD_STATUS,
                line,
                f"{value!r} was read as {reading.status.value!r}: write "
                f"'{reading.status.value}' so that every tool reads it the same way",
            )
        for ref in reading.successors:
            self._link(LinkKind.SUPERSEDED_BY, ref, line)
        return reading.status

    def _date(self) -> dt.date:
        day = self._day("date")
        if day is None:
            message = "no date: the day of import is used; add 'date: YYYY-MM-DD'"
            self._warn(MISSING_DATE, 1, f"{message}, the day of the last status change")
            return self.today
        return day

    def _day(self, name: str) -> dt.date | None:
        value, line = self.fields.get(name, (None, 1))
        return day_from(value, field=name.replace("_", "-"), line=line)

    def _tags(self) -> frozenset[str]:
        value, line = self.fields.get("tags", (None, 1))
        return tags_from(value, line=line)

    def _people(self, name: str) -> tuple[str, ...]:
        value, line = self.fields.get(name, (None, 1))
        return people_from(value, field=name.replace("_", "-"), line=line)

    def _warn(self, rule: Rule, line: int, message: str) -> None:
        self.warnings.append(rule.problem(self.filename, line, message))


def _front_title(extra: list[tuple[str, Metadata]]) -> tuple[str, int] | None:
    value = dict(extra).get("title")
    return (" ".join(value.split()), 1) if isinstance(value, str) and value.strip() else None


def _front_number(extra: list[tuple[str, Metadata]]) -> int | None:
    value = dict(extra).get("number")
    if isinstance(value, str):
        value = value.strip().upper().removeprefix("ADR-")
        value = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
