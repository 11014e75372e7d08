"""Every file in shared/madr-samples and shared/seed imports and re-renders equivalently."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from adapters.madr.errors import MadrParseError
from domain.lifecycle import Status
from domain.values import DecisionNumber, DecisionRef
from tests.unit.madr.reading import LOG, SHARED, assert_reads_back, parse, read

SAMPLES = SHARED / "madr-samples" / "madr"
SEED = SHARED / "seed" / "0001-use-fastapi-web-framework.md"
# The full template's status is a placeholder listing every status; see the test below.
PLACEHOLDER_STATUS = "template-adr-template.md"
# The templates carry no number; the tests give them one, as a caller of parse_madr may.
FALLBACK = 1000

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir() or not SEED.is_file(),
    reason=f"the shared MADR samples are not at {SHARED}",
)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.md")) if folder.is_dir() else []


@pytest.mark.parametrize("name", [n for n in _names(SAMPLES) if n != PLACEHOLDER_STATUS])
def test_every_sample_parses_and_renders_to_an_equivalent_document(name: str) -> None:
    parsed = parse(read(SAMPLES / name), name, number=FALLBACK)

    assert_reads_back(parsed.decision)


def test_the_full_template_is_refused_because_its_status_is_a_placeholder() -> None:
    with pytest.raises(MadrParseError) as raised:
        parse(read(SAMPLES / PLACEHOLDER_STATUS), PLACEHOLDER_STATUS, number=FALLBACK)

    assert (raised.value.line, raised.value.rule) == (3, "unknown-status")


@pytest.mark.parametrize(
    "name",
    [n for n in _names(SAMPLES) if n.startswith("template-") and n != PLACEHOLDER_STATUS],
)
def test_samples_without_a_usable_number_need_one_from_the_importer(name: str) -> None:
    with pytest.raises(MadrParseError) as raised:
        parse(read(SAMPLES / name), name)

    assert (raised.value.filename, raised.value.line) == (name, 1)
    assert raised.value.rule == "missing-number"


def test_the_seed_is_the_registrys_first_record() -> None:
    parsed = parse(read(SEED), SEED.name)
    decision = parsed.decision
    content = decision.content

    assert decision.ref == DecisionRef(LOG, DecisionNumber(1))
    assert decision.title == "Use FastAPI as the Web Framework for Our Backend Services"
    assert decision.status is Status.ACCEPTED
    assert decision.date == dt.date(2025, 5, 11)
    assert decision.tags == {"backend", "api", "framework", "performance"}
    assert decision.decision_makers == decision.consulted == decision.informed == ()
    assert content.option_titles == (
        "FastAPI",
        "Django REST Framework",
        "Flask + extensions (e.g., Flask-RESTful)",
        "Starlette (lower-level framework)",
        "Tornado",
    )
    assert content.outcome.chosen == "FastAPI"
    assert all(option.arguments.good for option in content.options)
    assert len(content.consequences.good) == 5
    assert content.confirmation.startswith("Compliance with this ADR will be confirmed through:")
    assert content.more_information.endswith("(https://pydantic-docs.helpmanual.io/)")
    assert content.extra_metadata == (("title", "0001 Use FastAPI Web Framework"), ("adr", True))
    assert content.extra_sections == ()
    assert parsed.warnings == ()
    assert_reads_back(decision)


def test_a_sample_with_an_unusual_status_reads_it_as_its_madr_synonym() -> None:
    name = "0003-provide-own-madr-tools.md"

    parsed = parse(read(SAMPLES / name), name)

    assert parsed.decision.status is Status.PROPOSED
    assert next(w.rule for w in parsed.warnings) == "nonstandard-status"
