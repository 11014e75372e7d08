"""A log's git source: what it accepts, and the log it makes read-only to the API."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.errors import InvalidValue
from domain.git_source import GitSource, SourceOfTruth
from domain.log import Log
from domain.values import LogSlug

AT = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
URL = "https://git.example.com/team/adr.git"


def test_a_source_keeps_its_url_branch_and_folder_without_outer_slashes() -> None:
    source = GitSource(f"  {URL} ", "release/2.0", "/docs/decisions/")
    assert (source.url, source.branch, source.path) == (URL, "release/2.0", "docs/decisions")
    assert GitSource(URL) == GitSource(URL, "main", "")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": ""}, "source.url"),
        ({"url": "https://a\n.example"}, "source.url"),
        ({"url": "x" * 2001}, "source.url"),
        ({"branch": ""}, "source.branch"),
        ({"branch": "a..b"}, "source.branch"),
        ({"branch": "-x"}, "source.branch"),
        ({"branch": "x.lock"}, "source.branch"),
        ({"branch": "has space"}, "source.branch"),
        ({"path": "../outside"}, "source.path"),
        ({"path": "docs/../../etc"}, "source.path"),
        ({"path": "docs//adr"}, "source.path"),
        ({"path": "docs\\adr"}, "source.path"),
    ],
)
def test_a_source_that_names_no_folder_of_a_repository_is_refused_naming_the_field(
    fields: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        GitSource(**{"url": URL, **fields})
    assert refused.value.field == field


def test_setting_a_source_records_one_change_and_the_same_source_none() -> None:
    log = Log(slug=LogSlug("platform"), title="Platform", version=3)
    assert log.set_source(GitSource(URL), by="olga", at=AT)
    assert not log.set_source(GitSource(URL), by="olga", at=AT)
    assert log.version == 4
    assert [(e.name, e.changed) for e in log.events] == [("log.updated", ("source",))]
    assert log.set_source(None, by="olga", at=AT)
    assert (log.source, log.version) == (None, 5)


def test_a_log_with_a_source_refuses_api_writes_naming_the_file_to_edit() -> None:
    log = Log(slug=LogSlug("platform"), title="Platform")
    log.ensure_writable_through_api("0001-use-kafka.md")  # no source: the API writes
    log.set_source(GitSource(URL, "main", "docs/adr"), by="olga", at=AT)

    with pytest.raises(SourceOfTruth) as refused:
        log.ensure_writable_through_api("0001-use-kafka.md")
    assert str(refused.value) == (
        f"this log mirrors {URL} (branch main), its source of truth: edit "
        "docs/adr/0001-use-kafka.md there and let the sync bring the change in"
    )
    with pytest.raises(SourceOfTruth, match="add or edit its MADR file in docs/adr there"):
        log.ensure_writable_through_api()
