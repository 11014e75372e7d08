"""The lint rules: one registry of stable ids, each with its severity and what it checks.

The parser raises or records problems under these ids; `lint` adds the checks that look
at a parsed file or at a set of files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding in one file; `line` is 1-based."""

    file: str
    line: int
    rule: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity} [{self.rule}] {self.message}"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    summary: str

    def problem(self, file: str, line: int, message: str) -> Problem:
        return Problem(file, line, self.id, self.severity, message)


PARSE_ERROR = Rule("parse-error", "error", "The file is not Markdown with YAML front matter.")
UNSAFE_YAML = Rule("unsafe-yaml", "error", "Front matter uses YAML tags, anchors or aliases.")
MISSING_TITLE = Rule("missing-title", "error", "No '# Title' heading and no front-matter title.")
MISSING_NUMBER = Rule("missing-number", "error", "No decision number in file name or title.")
UNKNOWN_STATUS = Rule("unknown-status", "error", "The status is not a MADR status.")
INVALID_DATE = Rule("invalid-date", "error", "A date is not a YYYY-MM-DD day.")
INVALID_VALUE = Rule("invalid-value", "error", "A name, tag, title or link cannot be stored.")
CHOSEN_OPTION_NOT_CONSIDERED = Rule(
    "chosen-option-not-considered", "error", "The chosen option is not a considered option."
)
DUPLICATE_NUMBER = Rule("duplicate-number", "error", "Two files have the same number.")
SUPERSEDED_BY_TARGET_MISSING = Rule(
    "superseded-by-target-missing", "error", "A successor in this log is not among the files."
)
MISSING_DATE = Rule("missing-date", "warning", "No date: the import date is used.")
MISSING_STATUS = Rule("missing-status", "warning", "No status: the decision is read as proposed.")
NONSTANDARD_STATUS = Rule(
    "nonstandard-status", "warning", "A status synonym was read as a MADR status."
)
SUPERSEDED_WITHOUT_SUCCESSOR = Rule(
    "superseded-without-successor", "warning", "Superseded, but no successor is named."
)
UNSTRUCTURED_SECTION = Rule(
    "unstructured-section", "warning", "A MADR section is not in its expected shape."
)
EMPTY_SECTION = Rule("empty-section", "warning", "A MADR section has no content.")
UNNAMED_FILE = Rule("unnamed-file", "warning", "The file name is not NNNN-slug.md.")

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        PARSE_ERROR,
        UNSAFE_YAML,
        MISSING_TITLE,
        MISSING_NUMBER,
        UNKNOWN_STATUS,
        INVALID_DATE,
        INVALID_VALUE,
        CHOSEN_OPTION_NOT_CONSIDERED,
        DUPLICATE_NUMBER,
        SUPERSEDED_BY_TARGET_MISSING,
        MISSING_DATE,
        MISSING_STATUS,
        NONSTANDARD_STATUS,
        SUPERSEDED_WITHOUT_SUCCESSOR,
        UNSTRUCTURED_SECTION,
        EMPTY_SECTION,
        UNNAMED_FILE,
    )
}
