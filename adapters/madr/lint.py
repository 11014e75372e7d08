"""Lint MADR files: every problem with its file, line and rule; nothing is stored.

A file that does not parse gets one error under the parser's rule; one that parses gets
the parser's warnings, then the checks below. The rules are listed in `rules.RULES`.
Pages that are not decisions (a README, a template) are not checked. Day-named files
without a number are numbered as an import would, after the others, by alias.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping

from adapters.madr.errors import MadrParseError
from adapters.madr.file_names import not_a_decision
from adapters.madr.options import names_option
from adapters.madr.parser import ParsedDecision, parse_madr
from adapters.madr.rules import (
    CHOSEN_OPTION_NOT_CONSIDERED,
    DUPLICATE_NUMBER,
    RULES,
    SUPERSEDED_BY_TARGET_MISSING,
    SUPERSEDED_WITHOUT_SUCCESSOR,
    UNNAMED_FILE,
    Problem,
    Rule,
)
from domain.lifecycle import Status
from domain.links import LinkKind
from domain.values import LogSlug

# Links to 'linted/7' would read as this log; lint cannot know the real slug, and
# MADR files name their own log's decisions by number alone.
_LOG = LogSlug("linted")
# A missing date is only reported, so lint never needs the real day.
_ANY_DAY = dt.date(2000, 1, 1)
_FILE_NAME = re.compile(r"^[0-9]{4,}-[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*\.md$")

Finding = tuple[int, str]  # line, message


def lint_madr(files: Mapping[str, str]) -> list[Problem]:
    """Check each file (name -> text) and the set as a whole, in file order."""
    problems: list[Problem] = []
    parsed: list[ParsedDecision] = []
    for name, text in files.items():
        if not_a_decision(name):
            continue
        problems += _check_name(name)
        try:
            result = parse_madr(text, filename=name, log=_LOG, today=_ANY_DAY)
        except MadrParseError as error:
            problems.append(RULES[error.rule].problem(name, error.line, error.message))
            continue
        problems += result.warnings
        for rule, check in FILE_CHECKS:
            problems += (rule.problem(name, line, message) for line, message in check(result))
        parsed.append(result)
    parsed = _numbered(parsed)
    for rule, check_set in SET_CHECKS:
        problems += (
            rule.problem(result.filename, line, message)
            for result, line, message in check_set(parsed)
        )
    order = {name: index for index, name in enumerate(files)}
    return sorted(problems, key=lambda p: (order[p.file], p.line, p.rule))


def _numbered(parsed: list[ParsedDecision]) -> list[ParsedDecision]:
    """Day-named files without a number, numbered after the others in alias order."""
    waiting = sorted(
        (result.alias, index)
        for index, result in enumerate(parsed)
        if result.number_source == "alias" and result.alias is not None
    )
    taken = [r.decision.ref.number.value for r in parsed if r.number_source != "alias"]
    first = max(taken, default=0) + 1
    numbered = list(parsed)
    for offset, (_, index) in enumerate(waiting):
        numbered[index] = parsed[index].numbered(first + offset)
    return numbered


def _check_name(name: str) -> list[Problem]:
    basename = re.split(r"[\\/]", name)[-1]
    if _FILE_NAME.match(basename):
        return []
    message = f"'{basename}' is not named NNNN-title-with-dashes.md, e.g. 0007-use-postgresql.md"
    return [UNNAMED_FILE.problem(name, 1, message)]


def chosen_option_not_considered(parsed: ParsedDecision) -> Iterable[Finding]:
    content = parsed.decision.content
    chosen = content.outcome.chosen
    if chosen and content.options and not names_option(chosen, content.option_titles):
        listed = ", ".join(f'"{t}"' for t in content.option_titles)
        yield (
            parsed.lines.get("outcome", 1),
            f'the chosen option "{chosen}" is not a considered option ({listed}): '
            "name it exactly as listed under 'Considered Options', or list it there",
        )


def superseded_without_successor(parsed: ParsedDecision) -> Iterable[Finding]:
    decision = parsed.decision
    by_alias = any(kind is LinkKind.SUPERSEDED_BY for kind, _ in parsed.alias_links)
    if decision.status is Status.SUPERSEDED and not decision.superseded_by and not by_alias:
        yield (
            parsed.lines.get("status", 1),
            "superseded, but by what? write 'status: superseded by ADR-0012' or add "
            "'superseded-by: [ADR-0012]' to the front matter",
        )


def duplicate_number(
    parsed: list[ParsedDecision],
) -> Iterable[tuple[ParsedDecision, int, str]]:
    first: dict[int, ParsedDecision] = {}
    for result in parsed:
        number = result.decision.ref.number
        earlier = first.setdefault(number.value, result)
        if earlier is not result:
            yield (
                result,
                1,
                f"{number} is also the number of {earlier.filename}: give each decision "
                "its own number",
            )


def superseded_by_target_missing(
    parsed: list[ParsedDecision],
) -> Iterable[tuple[ParsedDecision, int, str]]:
    numbers = {result.decision.ref.number for result in parsed}
    aliases = {result.alias for result in parsed}
    for result in parsed:
        for (kind, alias), line in sorted(result.alias_links.items()):
            if kind is LinkKind.SUPERSEDED_BY and alias not in aliases:
                yield (
                    result,
                    line,
                    f"superseded by {alias}, but no file here is named {alias}.md: "
                    "add its file or correct the link",
                )
        for target in sorted(result.decision.superseded_by):
            if target.log == _LOG and target.number not in numbers:
                link_line = next(
                    (line for link, line in result.link_lines.items() if link.target == target),
                    1,
                )
                yield (
                    result,
                    link_line,
                    f"superseded by {target.number}, but no file here has that number: "
                    "add its file or correct the link",
                )


FILE_CHECKS: tuple[tuple[Rule, Callable[[ParsedDecision], Iterable[Finding]]], ...] = (
    (CHOSEN_OPTION_NOT_CONSIDERED, chosen_option_not_considered),
    (SUPERSEDED_WITHOUT_SUCCESSOR, superseded_without_successor),
)
SET_CHECKS: tuple[
    tuple[Rule, Callable[[list[ParsedDecision]], Iterable[tuple[ParsedDecision, int, str]]]],
    ...,
] = (
    (DUPLICATE_NUMBER, duplicate_number),
    (SUPERSEDED_BY_TARGET_MISSING, superseded_by_target_missing),
)
