"""Render a Decision as a canonical MADR 4 file.

Front matter: `status`, `date`, `decision-makers`, `consulted`, `informed`, then `tags`,
`review-by` and the links when there are any, then `content.extra_metadata` in order
(a key that names one of these fields is left out: the field says it). Links are one
key per kind, each a list of targets: 'ADR-0012' in the decision's own log,
'other-log/12' elsewhere:

    superseded-by: [ADR-0012, payments/3]

The status stays the bare MADR word ('superseded'); the parser also reads
'superseded by ADR-0012'.

Body: '# Title', then the MADR 4 sections in order, each left out when empty; every
extra section right after its slot (see `layout`), heading-less text first. The renderer
writes what the parser reads back to the same decision:
- a title starting with the decision's own number ('7. X') gets the number written
  before it, since the parser drops one such prefix;
- a heading ending in '#' gets a closing '#', which Markdown drops;
- a justification goes on the 'Chosen option' line only when it reads the same there;
  one without a choice that starts like 'Chosen option:' follows an explicit empty one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml

from adapters.madr import layout
from adapters.madr.blocks import heading_line, item_lines
from adapters.madr.metadata import title_number
from adapters.madr.sections import CHOSEN_START
from domain.content import Arguments, Content, ExtraSection, Metadata, Outcome
from domain.decision import Decision
from domain.links import LinkKind
from domain.values import DecisionRef, LogSlug

_BLOCK_START = re.compile(r"^(?:[ \t]|[-+*>#<|=~`]|[0-9]+[.)])")
_SECOND_BECAUSE = re.compile(r'",\s*because\b', re.I)


class _Dumper(yaml.SafeDumper):
    """PyYAML writes NEL (U+0085) unquoted, then reads it as a line break: quote it."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "\x85" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def render_madr(decision: Decision) -> str:
    content = decision.content
    extras = _Extras(content.extra_sections)
    chunks = [_front_matter(decision)]
    chunks += extras.after(layout.PREAMBLE)
    chunks.append(heading_line(1, _title(decision)))
    chunks += extras.after(layout.TITLE)
    chunks += _section(2, layout.CONTEXT, content.context)
    chunks += extras.after(layout.CONTEXT)
    chunks += _section(2, layout.DRIVERS, _bullets(content.drivers))
    chunks += extras.after(layout.DRIVERS)
    chunks += _section(2, layout.OPTIONS, _bullets(content.option_titles))
    chunks += extras.after(layout.OPTIONS)
    chunks += _section(2, layout.OUTCOME, _outcome(content.outcome))
    chunks += extras.after(layout.OUTCOME)
    chunks += _section(3, layout.CONSEQUENCES, _arguments(content.consequences))
    chunks += extras.after(layout.CONSEQUENCES)
    chunks += _section(3, layout.CONFIRMATION, content.confirmation)
    chunks += extras.after(layout.CONFIRMATION)
    chunks += _pros_and_cons(content, extras)
    chunks += _section(2, layout.MORE_INFORMATION, content.more_information)
    chunks += extras.after(layout.MORE_INFORMATION)
    chunks += extras.rest()
    return "\n\n".join(chunk for chunk in chunks if chunk) + "\n"


class _Extras:
    """Extra sections by slot; `rest` has those whose slot is not a MADR slot."""

    def __init__(self, sections: Iterable[ExtraSection]) -> None:
        self.pending = list(sections)

    def bare(self, slot: str) -> list[str]:
        taken = [s for s in self.pending if s.after == slot and s.level == 0]
        self.pending = [s for s in self.pending if s not in taken]
        return [s.body for s in taken]

    def after(self, slot: str) -> list[str]:
        taken = self.bare(slot) + [_extra(s) for s in self.pending if s.after == slot]
        self.pending = [s for s in self.pending if s.after != slot]
        return taken

    def rest(self) -> list[str]:
        return [s.body if s.level == 0 else _extra(s) for s in self.pending]


def _extra(section: ExtraSection) -> str:
    heading = heading_line(section.level, section.heading)
    return f"{heading}\n\n{section.body}" if section.body else heading


def _front_matter(decision: Decision) -> str:
    data: dict[str, object] = {
        "status": decision.status.value,
        "date": decision.date,
        "decision-makers": list(decision.decision_makers),
        "consulted": list(decision.consulted),
        "informed": list(decision.informed),
    }
    if decision.tags:
        data["tags"] = sorted(decision.tags)
    if decision.review_by is not None:
        data["review-by"] = decision.review_by
    for kind in LinkKind:
        targets = sorted(link.target for link in decision.links if link.kind is kind)
        if targets:
            data[kind.value] = [_ref(target, decision.ref.log) for target in targets]
    data.update(_extra_metadata(decision.content.extra_metadata))
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=2**31,
    )
    return f"---\n{text}---"


def _extra_metadata(entries: Iterable[tuple[str, Metadata]]) -> dict[str, Metadata]:
    return {key: value for key, value in entries if not layout.names_a_field(key)}


def _ref(target: DecisionRef, log: LogSlug) -> str:
    return str(target.number) if target.log == log else str(target)


def _title(decision: Decision) -> str:
    prefix = title_number(decision.title)
    number = decision.ref.number.value
    return f"{number}. {decision.title}" if prefix and prefix[0] == number else decision.title


def _section(level: int, heading: str, body: str) -> list[str]:
    return [heading_line(level, heading), body] if body else []


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(item_lines(item) for item in items)


def _arguments(arguments: Arguments) -> str:
    return "\n".join(
        item_lines(f"{label}, because {text}" if text else f"{label}, because")
        for label, texts in (
            ("Good", arguments.good),
            ("Neutral", arguments.neutral),
            ("Bad", arguments.bad),
        )
        for text in texts
    )


def _outcome(outcome: Outcome) -> str:
    why = outcome.justification
    first = why.split("\n", 1)[0]
    if not outcome.chosen and not CHOSEN_START.match(first):
        return why
    line = f'Chosen option: "{outcome.chosen}", because'
    if not why:
        return line
    if _BLOCK_START.match(first) or _SECOND_BECAUSE.search(first):
        return f"{line}\n\n{why}"
    return f"{line} {why}"


def _pros_and_cons(content: Content, extras: _Extras) -> list[str]:
    detailed = [o for o in content.options if o.description or o.arguments]
    if not detailed:
        return extras.after(layout.PROS_AND_CONS)
    chunks = [heading_line(2, layout.PROS_AND_CONS), *extras.bare(layout.PROS_AND_CONS)]
    for option in detailed:
        chunks += [heading_line(3, option.title), option.description]
        chunks.append(_arguments(option.arguments))
    return chunks + extras.after(layout.PROS_AND_CONS)
