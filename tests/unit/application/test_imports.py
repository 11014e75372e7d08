"""Importing MADR files: numbers and aliases, identity, the lifecycle, links both ways."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import given, settings

from adapters.madr.codec import MadrFiles
from application.commands import ImportDecisions, ProposeDecision
from application.handlers.imports import ImportDecisionsHandler
from application.handlers.proposals import ProposeDecisionHandler
from application.views import ImportReport
from domain.decision import Decision
from domain.lifecycle import Status
from domain.log import Log
from domain.values import DecisionNumber, DecisionRef, LogSlug
from tests.fakes import FakeClock, FakeUnitOfWork, Store
from tests.unit.application.conftest import AUTHOR, OWNER

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def ref(log: LogSlug, n: int) -> DecisionRef:
    return DecisionRef(log, DecisionNumber(n))


def madr(
    title: str,
    status: str = "accepted",
    *,
    date: str = "2024-01-01",
    context: str = "",
    links: str = "",
) -> bytes:
    front = f"status: {status}\ndate: {date}\n{links}"
    body = f"\n## Context and Problem Statement\n\n{context}\n" if context else ""
    return f"---\n{front}---\n\n# {title}\n{body}".encode()


def folder(name: str) -> tuple[tuple[str, bytes], ...]:
    return tuple((p.name, p.read_bytes()) for p in sorted((FIXTURES / name).glob("*.md")))


async def run(
    store: Store, log: LogSlug, *files: tuple[str, bytes], **options: bool
) -> ImportReport:
    handler = ImportDecisionsHandler(FakeUnitOfWork(store), FakeClock(), MadrFiles())
    return await handler(ImportDecisions(OWNER, log, files, **options))


def outcomes(report: ImportReport) -> dict[str, tuple[str, int | None]]:
    return {f.file: (f.outcome, f.number) for f in report.files}


def rules(report: ImportReport, name: str) -> list[str]:
    return next([p.rule for p in f.problems] for f in report.files if f.file == name)


def links_of(store: Store, log: LogSlug, n: int) -> set[tuple[str, int]]:
    return {
        (link.kind.value, link.target.number.value) for link in store.decisions[ref(log, n)].links
    }


def recorded(store: Store) -> dict[DecisionRef, object]:
    return {r: (d.snapshot(), d.version) for r, d in store.decisions.items()}


async def propose(store: Store, log: LogSlug, title: str) -> Decision:
    view = await ProposeDecisionHandler(FakeUnitOfWork(store), FakeClock())(
        ProposeDecision(AUTHOR, log, title)
    )
    return store.decisions[ref(log, view.number)]


# -- a file and the decision that has its number ----------------------------------------


async def test_a_file_whose_number_belongs_to_an_unrelated_decision_is_reported_not_written(
    store: Store, platform: LogSlug
) -> None:
    await propose(store, platform, "Use Kafka")
    before = recorded(store)

    report = await run(store, platform, ("0001-use-rabbitmq.md", madr("Use RabbitMQ")))

    assert outcomes(report) == {"0001-use-rabbitmq.md": ("error", 1)}
    assert rules(report, "0001-use-rabbitmq.md") == ["number-taken"]
    assert "ADR-0001 in this log is 'Use Kafka', not 'Use RabbitMQ'" in (
        report.files[0].problems[0].message
    )
    assert recorded(store) == before


async def test_a_file_with_its_decisions_title_or_content_is_that_decisions_own(
    store: Store, platform: LogSlug
) -> None:
    await propose(store, platform, "Use Kafka")

    first = await run(
        store, platform, ("0001-use-kafka.md", madr("Use Kafka", "proposed", context="Queues."))
    )
    renamed = await run(
        store, platform, ("0001-use-kafka-3.md", madr("Use Kafka 3", "proposed", context="Queues."))
    )

    assert outcomes(first) == {"0001-use-kafka.md": ("updated", 1)}
    assert outcomes(renamed) == {"0001-use-kafka-3.md": ("updated", 1)}
    assert store.decisions[ref(platform, 1)].title == "Use Kafka 3"


async def test_the_update_flag_lets_a_file_rewrite_the_decision_that_has_its_number(
    store: Store, platform: LogSlug
) -> None:
    await propose(store, platform, "Use Kafka")

    report = await run(
        store, platform, ("0001-use-rabbitmq.md", madr("Use RabbitMQ", "proposed")), update=True
    )

    assert outcomes(report) == {"0001-use-rabbitmq.md": ("updated", 1)}
    assert store.decisions[ref(platform, 1)].title == "Use RabbitMQ"


# -- the lifecycle ----------------------------------------------------------------------


async def test_an_import_cannot_rewrite_an_accepted_decision_as_rejected(
    store: Store, platform: LogSlug
) -> None:
    """Issue 8, finding 7: an admin's import changed an accepted decision's title,
    content and status to rejected, which PATCH refuses."""
    await run(store, platform, ("0004-use-kafka.md", madr("Use Kafka", context="Queues.")))
    before = recorded(store)

    same_title = await run(
        store, platform, ("0004-use-kafka.md", madr("Use Kafka", "rejected", context="Queues."))
    )
    rewritten = await run(
        store,
        platform,
        ("0004-use-nats.md", madr("Use NATS", "rejected", context="Other.")),
        update=True,
    )

    assert outcomes(same_title) == {"0004-use-kafka.md": ("error", 4)}
    assert "accepted; it cannot become rejected" in same_title.files[0].problems[0].message
    assert outcomes(rewritten) == {"0004-use-nats.md": ("error", 4)}
    assert rules(rewritten, "0004-use-nats.md") == ["lifecycle"]
    assert recorded(store) == before


async def test_a_decided_records_content_is_frozen_against_an_import_but_its_tags_are_not(
    store: Store, platform: LogSlug
) -> None:
    await run(store, platform, ("0004-use-kafka.md", madr("Use Kafka", context="Queues.")))

    edited = await run(
        store, platform, ("0004-use-kafka.md", madr("Use Kafka", context="Faster queues."))
    )
    tagged = await run(
        store,
        platform,
        ("0004-use-kafka.md", madr("Use Kafka", context="Queues.", links="tags: [queue]\n")),
    )

    assert outcomes(edited) == {"0004-use-kafka.md": ("error", 4)}
    assert "content is frozen (this changes its content)" in edited.files[0].problems[0].message
    assert outcomes(tagged) == {"0004-use-kafka.md": ("updated", 4)}
    assert store.decisions[ref(platform, 4)].content.context == "Queues."


async def test_a_legal_move_in_a_file_is_taken_and_an_illegal_one_reported_for_that_file(
    store: Store, platform: LogSlug
) -> None:
    await run(
        store,
        platform,
        ("0001-a.md", madr("A", "proposed")),
        ("0002-b.md", madr("B", "deprecated")),
    )

    report = await run(
        store,
        platform,
        ("0001-a.md", madr("A", "accepted", date="2024-02-01")),
        ("0002-b.md", madr("B", "accepted")),
        ("0003-c.md", madr("C")),
        atomic=False,
    )

    assert outcomes(report) == {
        "0001-a.md": ("updated", 1),
        "0002-b.md": ("error", 2),
        "0003-c.md": ("created", 3),
    }
    assert "deprecated; it cannot become accepted" in report.files[1].problems[0].message
    assert store.decisions[ref(platform, 1)].status is Status.ACCEPTED
    assert store.decisions[ref(platform, 2)].status is Status.DEPRECATED


async def test_by_default_one_illegal_file_writes_nothing_and_reports_every_file(
    store: Store, platform: LogSlug
) -> None:
    await run(store, platform, ("0002-b.md", madr("B", "deprecated")))
    before = recorded(store)

    report = await run(
        store, platform, ("0001-a.md", madr("A")), ("0002-b.md", madr("B", "accepted"))
    )

    assert outcomes(report) == {"0001-a.md": ("skipped", 1), "0002-b.md": ("error", 2)}
    assert recorded(store) == before


async def test_the_source_of_truth_may_make_any_change(store: Store, platform: LogSlug) -> None:
    await run(store, platform, ("0004-use-kafka.md", madr("Use Kafka", context="Queues.")))

    report = await run(
        store,
        platform,
        ("0004-use-kafka.md", madr("Use Kafka", "rejected", context="Other.")),
        authoritative=True,
    )

    assert outcomes(report) == {"0004-use-kafka.md": ("updated", 4)}
    decision = store.decisions[ref(platform, 4)]
    assert (decision.status, decision.content.context) == (Status.REJECTED, "Other.")


# -- links in both directions -----------------------------------------------------------

OLD_SUPERSEDED = ("0001-old.md", madr("Old", "superseded by ADR-0002"))
SECOND = ("0002-second.md", madr("Second"))
THIRD = ("0003-third.md", madr("Third"))


async def test_a_successor_named_anew_by_the_source_of_truth_loses_its_inverse_link(
    store: Store, platform: LogSlug
) -> None:
    await run(store, platform, OLD_SUPERSEDED, SECOND, THIRD)
    assert links_of(store, platform, 2) == {("supersedes", 1)}

    report = await run(
        store,
        platform,
        ("0001-old.md", madr("Old", "superseded by ADR-0003")),
        authoritative=True,
    )

    assert outcomes(report) == {"0001-old.md": ("updated", 1)}
    assert links_of(store, platform, 1) == {("superseded-by", 3)}
    assert links_of(store, platform, 2) == set()
    assert links_of(store, platform, 3) == {("supersedes", 1)}


async def test_a_successor_named_anew_is_reported_when_supersession_is_permanent(
    store: Store, platform: LogSlug
) -> None:
    await run(store, platform, OLD_SUPERSEDED, SECOND, THIRD)
    before = recorded(store)

    report = await run(store, platform, ("0001-old.md", madr("Old", "superseded by ADR-0003")))

    assert outcomes(report) == {"0001-old.md": ("error", 1)}
    assert set(rules(report, "0001-old.md")) == {"lifecycle"}
    assert recorded(store) == before


async def test_a_proposal_that_amends_another_decision_now_moves_the_inverse_with_it(
    store: Store, platform: LogSlug
) -> None:
    await run(
        store, platform, SECOND, THIRD, ("0004-p.md", madr("P", "proposed", links="amends: [2]\n"))
    )
    assert links_of(store, platform, 2) == {("amended-by", 4)}

    report = await run(store, platform, ("0004-p.md", madr("P", "proposed", links="amends: [3]\n")))

    assert outcomes(report) == {"0004-p.md": ("updated", 4)}
    assert links_of(store, platform, 2) == set()
    assert links_of(store, platform, 3) == {("amended-by", 4)}
    assert links_of(store, platform, 4) == {("amends", 3)}


async def test_a_relation_to_a_decision_outside_the_bundle_is_kept_as_the_other_side_may_state_it(
    store: Store, platform: LogSlug
) -> None:
    await run(
        store,
        platform,
        SECOND,
        THIRD,
        ("0004-p.md", madr("P", "proposed", links="relates-to: [2]\n")),
    )

    report = await run(
        store, platform, ("0004-p.md", madr("P", "proposed", links="relates-to: [3]\n"))
    )

    assert outcomes(report) == {"0004-p.md": ("updated", 4)}
    assert links_of(store, platform, 4) == {("relates-to", 2), ("relates-to", 3)}
    assert links_of(store, platform, 2) == {("relates-to", 4)}


async def test_links_of_a_kind_the_file_does_not_name_are_kept(
    store: Store, platform: LogSlug
) -> None:
    await run(store, platform, OLD_SUPERSEDED, SECOND)

    again = await run(store, platform, SECOND)

    assert outcomes(again) == {"0002-second.md": ("unchanged", 2)}
    assert links_of(store, platform, 2) == {("supersedes", 1)}


# -- numbers, aliases and folders -------------------------------------------------------

LOG4BRAINS = {
    "20210301-record-decisions-in-markdown.md": 1,
    "20210315-build-the-site-with-a-static-generator.md": 2,
    "20210315-number-decisions-from-a-counter.md": 3,
    "20210602-name-decisions-by-date-and-slug.md": 4,
    "20210602-search-with-a-client-side-index.md": 5,
}


async def test_a_log4brains_folder_imports_numbered_by_day_then_name_with_links_by_slug(
    store: Store, platform: LogSlug
) -> None:
    report = await run(store, platform, *folder("log4brains"))

    assert outcomes(report) == {
        **{name: ("created", n) for name, n in LOG4BRAINS.items()},
        "README.md": ("ignored", None),
        "index.md": ("ignored", None),
        "template.md": ("ignored", None),
    }
    assert links_of(store, platform, 1) == {("relates-to", 2)}
    assert links_of(store, platform, 2) == {("relates-to", 1), ("relates-to", 5)}
    assert links_of(store, platform, 3) == {("superseded-by", 4)}
    assert links_of(store, platform, 4) == {("supersedes", 3)}
    assert links_of(store, platform, 5) == {("relates-to", 2)}
    assert store.decisions[ref(platform, 3)].status is Status.SUPERSEDED
    assert store.aliases[platform] == {
        name.removesuffix(".md"): DecisionNumber(n) for name, n in LOG4BRAINS.items()
    }


async def test_a_log4brains_folder_imported_again_changes_nothing_and_new_files_come_next(
    store: Store, platform: LogSlug
) -> None:
    await run(store, platform, *folder("log4brains"))
    before = recorded(store)

    again = await run(store, platform, *folder("log4brains"))
    assert {f.outcome for f in again.files} == {"unchanged", "ignored"}
    assert recorded(store) == before

    later = await run(
        store,
        platform,
        (
            "20200101-an-older-decision-found-later.md",
            b"# An older decision found later\n\n- Status: superseded by "
            b"[20210301-record-decisions-in-markdown](20210301-record-decisions-in-markdown.md)\n"
            b"- Date: 2020-01-01\n",
        ),
        ("20210301-record-decisions-in-markdown.md", folder("log4brains")[0][1]),
        ("20210602-name-decisions-by-date-and-slug.md", folder("log4brains")[3][1]),
    )

    assert outcomes(later) == {
        "20200101-an-older-decision-found-later.md": ("created", 6),
        "20210301-record-decisions-in-markdown.md": ("updated", 1),  # supersedes 6 now
        "20210602-name-decisions-by-date-and-slug.md": ("unchanged", 4),
    }
    assert links_of(store, platform, 6) == {("superseded-by", 1)}
    assert links_of(store, platform, 1) == {("relates-to", 2), ("supersedes", 6)}


async def test_a_link_by_slug_resolves_to_a_file_imported_before_and_an_unknown_slug_is_reported(
    store: Store, platform: LogSlug
) -> None:
    await run(store, platform, *folder("log4brains"))
    link = "relates-to: [20210315-number-decisions-from-a-counter]\n"
    unknown = "relates-to: [20211231-never-imported]\n"

    report = await run(
        store,
        platform,
        ("0009-by-slug.md", madr("By slug", links=link)),
        ("0010-unknown.md", madr("Unknown", links=unknown)),
        atomic=False,
    )

    assert outcomes(report) == {"0009-by-slug.md": ("created", 9), "0010-unknown.md": ("error", 10)}
    assert rules(report, "0010-unknown.md") == ["link-target-missing"]
    assert links_of(store, platform, 9) == {("relates-to", 3)}
    assert ("relates-to", 9) in links_of(store, platform, 3)


async def test_new_aliases_take_numbers_past_those_the_bundle_names(
    store: Store, platform: LogSlug
) -> None:
    report = await run(
        store,
        platform,
        ("20240101-dated.md", b"# Dated\n\n- Status: accepted\n- Date: 2024-01-01\n"),
        ("0000-use-madr.md", madr("Use MADR")),
        ("0007-numbered.md", madr("Numbered")),
    )

    assert outcomes(report) == {
        "20240101-dated.md": ("created", 8),
        "0000-use-madr.md": ("created", 0),
        "0007-numbered.md": ("created", 7),
    }
    assert (await propose(store, platform, "Next")).ref.number == DecisionNumber(9)


async def test_two_files_with_one_alias_are_both_reported(store: Store, platform: LogSlug) -> None:
    dated = b"# Dated\n\n- Status: accepted\n- Date: 2024-01-01\n"

    report = await run(store, platform, ("a/20240101-x.md", dated), ("b/20240101-X.md", dated))

    assert [f.outcome for f in report.files] == ["error", "error"]
    assert rules(report, "a/20240101-x.md") == ["duplicate-alias"]


async def test_an_adr_tools_folder_imports_with_superceded_links_and_custom_labels(
    store: Store, platform: LogSlug
) -> None:
    report = await run(store, platform, *folder("adr-tools"))

    assert {f.outcome for f in report.files} == {"created"}
    assert links_of(store, platform, 1) == {("amended-by", 4)}
    assert links_of(store, platform, 2) == {("superseded-by", 3)}
    assert links_of(store, platform, 3) == {("supersedes", 2), ("relates-to", 4)}
    assert links_of(store, platform, 4) == {("amends", 1), ("relates-to", 3)}
    assert store.decisions[ref(platform, 2)].status is Status.SUPERSEDED
    assert str(store.decisions[ref(platform, 1)].date) == "2019-01-12"
    assert str(store.decisions[ref(platform, 3)].date) == "2019-06-03"
    assert {f.outcome for f in (await run(store, platform, *folder("adr-tools"))).files} == {
        "unchanged"
    }


async def test_an_alias_longer_than_a_file_name_can_be_is_reported(
    store: Store, platform: LogSlug
) -> None:
    name = "20240101-" + "x" * 247 + ".md"

    report = await run(store, platform, (name, b"# Long\n\n- Status: accepted\n"))

    assert outcomes(report) == {name: ("error", None)}
    assert rules(report, name) == ["invalid-value"]
    assert store.decisions == {}


day_slugs = st.tuples(
    st.dates(dt.date(2019, 1, 1), dt.date(2019, 1, 4)), st.sampled_from(["a", "b", "use-x"])
).map(lambda pair: f"{pair[0]:%Y%m%d}-{pair[1]}")


@settings(max_examples=40)
@given(
    st.sets(day_slugs, min_size=1, max_size=6),
    st.sets(st.integers(0, 12), max_size=3),
    st.data(),
)
async def test_day_named_files_take_the_next_numbers_in_alias_order_and_links_land(
    aliases: set[str], numbered: set[int], data: st.DataObject
) -> None:
    store, log = Store(), LogSlug("platform")
    store.logs[log] = Log.create(slug=log, title="Platform", creator="owner", at=FakeClock().now())
    order = sorted(aliases)
    targets = {alias: data.draw(st.sampled_from(order)) for alias in order}
    files = [
        (f"{alias}.md", madr(alias, links=f"relates-to: [{targets[alias]}]\n"))
        for alias in order
        if targets[alias] != alias
    ] + [(f"{alias}.md", madr(alias)) for alias in order if targets[alias] == alias]
    files += [(f"{n:04d}-numbered.md", madr(f"Numbered {n}")) for n in sorted(numbered)]

    report = await run(store, log, *data.draw(st.permutations(files)))

    first = max(numbered, default=0) + 1
    given_numbers = {alias: first + i for i, alias in enumerate(order)}
    assert {f.file: f.number for f in report.files} == {
        **{f"{alias}.md": n for alias, n in given_numbers.items()},
        **{f"{n:04d}-numbered.md": n for n in numbered},
    }
    for alias, target in targets.items():
        if target != alias:
            assert ("relates-to", given_numbers[target]) in links_of(
                store, log, given_numbers[alias]
            )
    again = await run(store, log, *files)
    assert {f.outcome for f in again.files} == {"unchanged"}
