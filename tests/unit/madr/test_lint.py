"""Each lint rule, on the smallest file that breaks it."""

from __future__ import annotations

import pytest

from adapters.madr.lint import lint_madr
from adapters.madr.rules import RULES
from tests.unit.madr.reading import SHARED, read

GOOD = """---
status: accepted
date: 2024-01-01
---

# Use a Queue

## Considered Options

* RabbitMQ
* Kafka

## Decision Outcome

Chosen option: "RabbitMQ", because it is proven.
"""


def with_front(yaml: str, body: str = "# A Title\n") -> str:
    return f"---\n{yaml}\n---\n\n{body}"


# rule id -> files that break it, and the line where it is reported
CASES: dict[str, tuple[dict[str, str], int]] = {
    "parse-error": ({"0001-a.md": "---\nstatus: accepted\n"}, 1),
    "unsafe-yaml": ({"0001-a.md": with_front("date: 2024-01-01\nx: !!binary aGk=")}, 3),
    "missing-title": ({"0001-a.md": with_front("status: accepted", "Just text.\n")}, 1),
    "missing-number": ({"notes.md": "# A Title\n"}, 1),
    "unknown-status": ({"0001-a.md": with_front("status: in limbo")}, 2),
    "invalid-date": ({"0001-a.md": with_front("status: accepted\ndate: 31/02/2024")}, 3),
    "invalid-value": ({"0001-a.md": with_front("tags: ['a, b']")}, 2),
    "chosen-option-not-considered": (
        {"0001-a.md": GOOD.replace('"RabbitMQ", because', '"NATS", because')},
        15,
    ),
    "duplicate-number": ({"0001-a.md": GOOD, "0001-b.md": GOOD}, 1),
    "superseded-by-target-missing": (
        {"0001-a.md": with_front("status: superseded by ADR-0009\ndate: 2024-01-01")},
        2,
    ),
    "missing-date": ({"0001-a.md": with_front("status: accepted")}, 1),
    "missing-status": ({"0001-a.md": with_front("date: 2024-01-01")}, 1),
    "nonstandard-status": ({"0001-a.md": with_front("status: draft\ndate: 2024-01-01")}, 2),
    "superseded-without-successor": (
        {"0001-a.md": with_front("status: superseded\ndate: 2024-01-01")},
        2,
    ),
    "unstructured-section": (
        {"0001-a.md": GOOD.replace("* RabbitMQ\n* Kafka", "RabbitMQ or Kafka.")},
        8,
    ),
    "empty-section": ({"0001-a.md": GOOD + "\n## More Information\n"}, 17),
    "unnamed-file": ({"Use a Queue.md": GOOD.replace("# Use", "# 1. Use")}, 1),
}


def test_every_rule_in_the_registry_has_a_case() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_reports_its_problem_at_its_line(rule: str) -> None:
    files, line = CASES[rule]

    found = [p for p in lint_madr(files) if p.rule == rule]

    assert found, lint_madr(files)
    assert found[0].line == line
    assert found[0].severity == RULES[rule].severity
    assert found[0].message


def test_a_clean_file_has_no_problems() -> None:
    assert lint_madr({"0001-use-a-queue.md": GOOD}) == []


def test_a_chosen_option_may_be_the_leading_words_of_a_linked_option() -> None:
    text = GOOD.replace("* RabbitMQ", "* [RabbitMQ](https://rabbitmq.com) 3.13 \u2013 a broker")

    assert lint_madr({"0001-use-a-queue.md": text}) == []


def test_a_choice_is_not_checked_when_no_options_are_listed() -> None:
    text = GOOD.replace("## Considered Options\n\n* RabbitMQ\n* Kafka\n\n", "")

    assert lint_madr({"0001-use-a-queue.md": text}) == []


def test_a_successor_among_the_files_or_in_another_log_is_not_missing() -> None:
    old = with_front("status: superseded by ADR-0002 and payments/4\ndate: 2024-01-01")

    problems = lint_madr({"0001-old.md": old, "0002-new.md": GOOD})

    assert problems == []


def test_a_duplicate_number_names_the_other_file() -> None:
    problems = lint_madr({"0001-a.md": GOOD, "docs/0001-b.md": GOOD})

    assert [(p.file, p.rule) for p in problems] == [("docs/0001-b.md", "duplicate-number")]
    assert "0001-a.md" in problems[0].message


def test_problems_come_in_file_order_then_line_order() -> None:
    files = {
        "b.md": with_front("status: draft", "# 2. B\n"),
        "0001-a.md": "---\nstatus: accepted\n",
    }

    problems = lint_madr(files)

    assert [(p.file, p.line, p.rule) for p in problems] == [
        ("b.md", 1, "missing-date"),
        ("b.md", 1, "unnamed-file"),
        ("b.md", 2, "nonstandard-status"),
        ("0001-a.md", 1, "parse-error"),
    ]
    assert str(problems[0]) == f"b.md:1: warning [missing-date] {problems[0].message}"


@pytest.mark.skipif(not (SHARED / "madr-samples").is_dir(), reason=f"no samples at {SHARED}")
def test_the_madr_projects_own_decisions_have_no_errors() -> None:
    folder = SHARED / "madr-samples" / "madr"
    files = {p.name: read(p) for p in sorted(folder.glob("0*.md"))}

    assert [p for p in lint_madr(files) if p.severity == "error"] == []
