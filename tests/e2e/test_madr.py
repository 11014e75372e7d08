"""MADR in and out over HTTP: import, export, graph, lint and Markdown replies."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from entrypoints.settings import Settings
from tests.e2e.conftest import ON_SQLITE, Team, assert_problem

pytestmark = ON_SQLITE

SHARED = Path(__file__).resolve().parents[3] / "shared"
SEED = SHARED / "seed" / "0001-use-fastapi-web-framework.md"
SAMPLES = SHARED / "madr-samples" / "madr"

MADR_2 = """\
# Use PostgreSQL

* Status: superseded by ADR-0003
* Deciders: ann, dee
* Date: 2020-02-01

## Context and Problem Statement

We need a database.

## Considered Options

* PostgreSQL
* MySQL

## Decision Outcome

Chosen option: "PostgreSQL", because it is solid.
"""

MADR_4 = """\
---
status: accepted
date: 2021-03-04
decision-makers: [dee]
---

# Use PostgreSQL 16

## Context and Problem Statement

Upgrade.

## Decision Outcome

Chosen option: "PostgreSQL 16", because it is current.
"""


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def imports(team: Team, **query: str) -> str:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/v1/logs/{team.slug}/imports" + (f"?{suffix}" if suffix else "")


ZIP = {"Content-Type": "application/zip"}
MARKDOWN = {"Content-Type": "text/markdown"}
ACCEPT_MD = {"Accept": "text/markdown"}


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not beside the repository")
async def test_the_seed_imports_with_its_tags_and_renders_back_as_markdown(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        imports(team, filename=SEED.name),
        content=SEED.read_bytes(),
        headers=team.owner | MARKDOWN,
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["files"] == [
        {"file": SEED.name, "outcome": "created", "number": 1, "problems": []}
    ]
    decision = (await client.get(team.decisions("/1"), headers=team.viewer)).json()
    assert decision["status"] == "accepted"
    assert decision["date"] == "2025-05-11"
    assert decision["tags"] == ["api", "backend", "framework", "performance"]
    history = (await client.get(team.decisions("/1/history"), headers=team.viewer)).json()
    assert [e["event"] for e in history["items"]] == ["decision.imported"]

    markdown = await client.get(
        team.decisions("/1"), headers=team.viewer | {"Accept": "text/markdown"}
    )
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "# Use FastAPI as the Web Framework for Our Backend Services" in markdown.text


async def test_a_bundle_imports_links_in_both_directions_and_reimporting_changes_nothing(
    client: httpx.AsyncClient, team: Team
) -> None:
    bundle = zipped({"adr/0001-use-postgresql.md": MADR_2, "adr/0003-use-postgresql-16.md": MADR_4})
    first = await client.post(imports(team), content=bundle, headers=team.owner | ZIP)
    assert first.status_code == 200, first.text
    assert [f["outcome"] for f in first.json()["files"]] == ["created", "created"]

    old = (await client.get(team.decisions("/1"), headers=team.viewer)).json()
    new = (await client.get(team.decisions("/3"), headers=team.viewer)).json()
    assert old["status"] == "superseded"
    assert {"kind": "superseded-by", "target": "platform/3"} in old["links"]
    assert {"kind": "supersedes", "target": "platform/1"} in new["links"]

    again = await client.post(imports(team), content=bundle, headers=team.owner | ZIP)
    assert [f["outcome"] for f in again.json()["files"]] == ["unchanged", "unchanged"]
    proposal = await client.post(team.decisions(), json={"title": "Next"}, headers=team.author)
    assert proposal.json()["number"] == 4  # the import moved the counter past 3


async def test_one_bad_file_in_a_zip_writes_nothing_and_names_the_file_and_line(
    client: httpx.AsyncClient, team: Team
) -> None:
    bad = MADR_4.replace("status: accepted", "status: aproved")
    bundle = zipped(
        {
            "0001-use-postgresql.md": MADR_2.replace("superseded by ADR-0003", "accepted"),
            "0002-bad.md": bad,
        }
    )
    reply = await client.post(imports(team), content=bundle, headers=team.owner | ZIP)
    body = assert_problem(reply, 422, "validation-error")
    files = {f["file"]: f for f in body["files"]}
    assert files["0001-use-postgresql.md"]["outcome"] == "skipped"
    assert files["0002-bad.md"]["outcome"] == "error"
    assert files["0002-bad.md"]["problems"][0]["line"] == 2
    listing = (await client.get(team.decisions(), headers=team.viewer)).json()
    assert listing["items"] == []

    partial = await client.post(
        imports(team, atomic="false"), content=bundle, headers=team.owner | ZIP
    )
    assert partial.status_code == 200
    assert [f["outcome"] for f in partial.json()["files"]] == ["created", "error"]


async def test_a_zip_entry_climbing_out_of_the_archive_is_refused(
    client: httpx.AsyncClient, team: Team
) -> None:
    bundle = zipped({"../../etc/0001-evil.md": MADR_4})
    reply = await client.post(imports(team), content=bundle, headers=team.owner | ZIP)
    body = assert_problem(reply, 422, "validation-error")
    assert "outside the archive" in body["detail"]


async def test_a_file_that_is_not_utf8_is_reported_by_name(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        imports(team, filename="0001-latin1.md"),
        content="# Caf\xe9\n".encode("latin-1"),
        headers=team.owner | MARKDOWN,
    )
    body = assert_problem(reply, 422, "validation-error")
    assert body["files"][0]["file"] == "0001-latin1.md"
    assert "UTF-8" in body["files"][0]["problems"][0]["message"]


async def test_yaml_tags_are_refused(client: httpx.AsyncClient, team: Team) -> None:
    evil = "---\nstatus: !!python/object/apply:os.system ['true']\n---\n# X\n"
    reply = await client.post(
        imports(team, filename="0001-x.md"), content=evil.encode(), headers=team.owner | MARKDOWN
    )
    body = assert_problem(reply, 422, "validation-error")
    assert body["files"][0]["outcome"] == "error"


async def test_importing_needs_the_admin_role(client: httpx.AsyncClient, team: Team) -> None:
    reply = await client.post(
        imports(team, filename="0001-x.md"),
        content=MADR_4.encode(),
        headers=team.decider | MARKDOWN,
    )
    assert_problem(reply, 403, "forbidden")


async def test_an_import_is_refused_before_its_body_is_read(
    client: httpx.AsyncClient, team: Team
) -> None:
    for caller, status in ((team.stranger, 404), (team.viewer, 403), ({}, 401)):
        read: list[bytes] = []

        async def body(read: list[bytes] = read) -> AsyncIterator[bytes]:
            for _ in range(64):
                read.append(b"x")
                yield b"PK" + bytes(64 * 1024)

        reply = await client.post(imports(team), content=body(), headers=caller | ZIP)
        assert reply.status_code == status, reply.text
        assert read == [], f"{status}: the body was read before the refusal"


async def test_export_zips_every_decision_with_an_index(
    client: httpx.AsyncClient, team: Team
) -> None:
    bundle = zipped({"0001-use-postgresql.md": MADR_2, "0003-use-postgresql-16.md": MADR_4})
    await client.post(imports(team), content=bundle, headers=team.owner | ZIP)
    reply = await client.get(f"/v1/logs/{team.slug}/export", headers=team.viewer)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(reply.content)) as archive:
        names = archive.namelist()
        index = archive.read("index.md").decode()
        exported = {n: archive.read(n) for n in names if n != "index.md"}
    assert names == ["0001-use-postgresql.md", "0003-use-postgresql-16.md", "index.md"]
    assert "| ADR-0003 | [Use PostgreSQL 16](0003-use-postgresql-16.md) | accepted |" in index

    # What we export imports back unchanged.
    again = await client.post(
        imports(team),
        content=zipped({n: t.decode() for n, t in exported.items()}),
        headers=team.owner | ZIP,
    )
    assert [f["outcome"] for f in again.json()["files"]] == ["unchanged", "unchanged"]


async def test_the_graph_draws_supersession_as_mermaid_and_dot(
    client: httpx.AsyncClient, team: Team
) -> None:
    bundle = zipped({"0001-use-postgresql.md": MADR_2, "0003-use-postgresql-16.md": MADR_4})
    await client.post(imports(team), content=bundle, headers=team.owner | ZIP)
    mermaid = await client.get(f"/v1/logs/{team.slug}/graph", headers=team.viewer)
    assert mermaid.text.startswith("flowchart LR\n")
    assert "platform_3 -->|supersedes| platform_1" in mermaid.text
    dot = await client.get(f"/v1/logs/{team.slug}/graph?format=dot", headers=team.viewer)
    assert dot.text.startswith("digraph decisions {")
    assert 'platform_3 -> platform_1 [label="supersedes"];' in dot.text


async def test_markdown_export_and_graph_read_while_a_writer_holds_sqlites_lock(
    client: httpx.AsyncClient, team: Team, settings: Settings
) -> None:
    bundle = zipped({"0001-use-postgresql.md": MADR_2, "0003-use-postgresql-16.md": MADR_4})
    await client.post(imports(team), content=bundle, headers=team.owner | ZIP)
    database = make_url(settings.database_url).database
    assert database is not None
    # Another process's write transaction, held open: a read that took the write path
    # (BEGIN IMMEDIATE) would wait for it until busy_timeout (30 s).
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        other = sqlite3.connect(database, isolation_level=None, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()

        async def read_out() -> list[httpx.Response]:
            return [
                await client.get(
                    f"/v1/logs/{team.slug}/decisions/3", headers=team.viewer | ACCEPT_MD
                ),
                await client.get(f"/v1/logs/{team.slug}/export", headers=team.viewer),
                await client.get(f"/v1/logs/{team.slug}/graph", headers=team.viewer),
            ]

        markdown, export, graph = await asyncio.wait_for(read_out(), timeout=10)
    finally:
        writer.rollback()
        writer.close()
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "# Use PostgreSQL 16" in markdown.text
    assert export.status_code == 200
    assert export.headers["content-type"] == "application/zip"
    assert "platform_3 -->|supersedes| platform_1" in graph.text


async def test_lint_reports_problems_with_lines_and_stores_nothing(
    client: httpx.AsyncClient, team: Team
) -> None:
    bad = MADR_4.replace("status: accepted", "status: aproved")
    reply = await client.post(
        "/v1/lint",
        files=[
            ("files", ("0002-bad.md", bad.encode())),
            ("files", ("0001-ok.md", MADR_4.encode())),
        ],
        headers=team.viewer,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["errors"] >= 1
    assert {
        "file": "0002-bad.md",
        "line": 2,
        "rule": "unknown-status",
        "severity": "error",
    }.items() <= body["problems"][-1].items() or any(
        (p["file"], p["line"], p["rule"]) == ("0002-bad.md", 2, "unknown-status")
        for p in body["problems"]
    )
    listing = (await client.get(team.decisions(), headers=team.viewer)).json()
    assert listing["items"] == []


async def test_lint_needs_a_token_unless_the_server_lets_anonymous_callers_lint(
    client: httpx.AsyncClient,
) -> None:
    """ADR-0010: parsing is the costliest thing a caller can ask for; by default only
    signed-in callers may (ADR_REGISTRY_ANONYMOUS_LINT=true opens it, as the hostile
    uploads test does)."""
    reply = await client.post(
        "/v1/lint?filename=0001-ok.md", content=MADR_4.encode(), headers=MARKDOWN
    )
    assert_problem(reply, 401, "not-authenticated")


@pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/madr-samples is not beside the repo")
async def test_every_madr_sample_imports(client: httpx.AsyncClient, team: Team) -> None:
    files = {p.name: p.read_text() for p in sorted(SAMPLES.glob("0*.md"))}
    reply = await client.post(imports(team), content=zipped(files), headers=team.owner | ZIP)
    assert reply.status_code == 200, reply.text
    assert {f["outcome"] for f in reply.json()["files"]} == {"created"}


async def test_a_single_markdown_upload_needs_its_file_name(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(imports(team), content=MADR_4.encode(), headers=team.owner | MARKDOWN)
    body = assert_problem(reply, 422, "validation-error")
    assert body["errors"][0]["loc"] == ["query", "filename"]


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def folder(name: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((FIXTURES / name).glob("*.md"))}


async def test_an_import_cannot_rewrite_an_accepted_decision_as_rejected(
    client: httpx.AsyncClient, team: Team
) -> None:
    """Issue 8, finding 7: this import used to change the accepted decision's title,
    content and status, a move PATCH refuses with 409."""
    first = await client.post(
        imports(team, filename="0004-use-postgresql-16.md"),
        content=MADR_4.encode(),
        headers=team.owner | MARKDOWN,
    )
    assert first.json()["files"][0]["outcome"] == "created"
    rejected = MADR_4.replace("status: accepted", "status: rejected")

    for update in ("false", "true"):
        reply = await client.post(
            imports(team, filename="0004-use-postgresql-16.md", update=update),
            content=rejected.replace("Upgrade.", "Downgrade.").encode(),
            headers=team.owner | MARKDOWN,
        )
        body = assert_problem(reply, 422, "validation-error")
        problem = body["files"][0]["problems"][0]
        assert (problem["rule"], problem["severity"]) == ("lifecycle", "error")
        assert "accepted; it cannot become rejected" in problem["message"]

    decision = (await client.get(team.decisions("/4"), headers=team.viewer)).json()
    assert (decision["status"], decision["version"]) == ("accepted", 1)


async def test_a_file_whose_number_belongs_to_an_unrelated_proposal_is_refused_unless_update(
    client: httpx.AsyncClient, team: Team
) -> None:
    await client.post(team.decisions(), json={"title": "Use Kafka"}, headers=team.author)
    other = MADR_4.replace("status: accepted", "status: proposed")

    refused = await client.post(
        imports(team, filename="0001-use-postgresql-16.md"),
        content=other.encode(),
        headers=team.owner | MARKDOWN,
    )
    body = assert_problem(refused, 422, "validation-error")
    assert body["files"][0]["problems"][0]["rule"] == "number-taken"
    assert "'Use Kafka'" in body["files"][0]["problems"][0]["message"]
    kept = (await client.get(team.decisions("/1"), headers=team.viewer)).json()
    assert kept["title"] == "Use Kafka"

    updated = await client.post(
        imports(team, filename="0001-use-postgresql-16.md", update="true"),
        content=other.encode(),
        headers=team.owner | MARKDOWN,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["files"][0]["outcome"] == "updated"
    rewritten = (await client.get(team.decisions("/1"), headers=team.viewer)).json()
    assert rewritten["title"] == "Use PostgreSQL 16"


async def test_a_log4brains_folder_imports_with_every_link_on_its_decision(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        imports(team), content=zipped(folder("log4brains")), headers=team.owner | ZIP
    )

    assert reply.status_code == 200, reply.text
    files = {f["file"]: (f["outcome"], f["number"]) for f in reply.json()["files"]}
    assert files == {
        "20210301-record-decisions-in-markdown.md": ("created", 1),
        "20210315-build-the-site-with-a-static-generator.md": ("created", 2),
        "20210315-number-decisions-from-a-counter.md": ("created", 3),
        "20210602-name-decisions-by-date-and-slug.md": ("created", 4),
        "20210602-search-with-a-client-side-index.md": ("created", 5),
        "README.md": ("ignored", None),
        "template.md": ("ignored", None),
    }  # index.md is not read from a zip at all
    old = (await client.get(team.decisions("/3"), headers=team.viewer)).json()
    new = (await client.get(team.decisions("/4"), headers=team.viewer)).json()
    assert (old["status"], old["links"]) == (
        "superseded",
        [{"kind": "superseded-by", "target": "platform/4"}],
    )
    assert new["links"] == [{"kind": "supersedes", "target": "platform/3"}]

    again = await client.post(
        imports(team), content=zipped(folder("log4brains")), headers=team.owner | ZIP
    )
    assert {f["outcome"] for f in again.json()["files"]} == {"unchanged", "ignored"}


async def test_an_adr_tools_folder_imports_with_superceded_links_and_old_dates(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        imports(team), content=zipped(folder("adr-tools")), headers=team.owner | ZIP
    )

    assert reply.status_code == 200, reply.text
    assert {f["outcome"] for f in reply.json()["files"]} == {"created"}
    first = (await client.get(team.decisions("/1"), headers=team.viewer)).json()
    postgres = (await client.get(team.decisions("/2"), headers=team.viewer)).json()
    assert first["date"] == "2019-01-12"
    assert (postgres["status"], postgres["links"]) == (
        "superseded",
        [{"kind": "superseded-by", "target": "platform/3"}],
    )
