"""Issue 8, finding 5: a public decision linked to, or superseded by, a decision of a
private log does not show that log's name to a caller who may not read it.

Every reply that shows links is read as three callers: anonymous, a signed-in user
without a role in the private log, and a viewer of it; only the viewer may see its slug,
and the others are told how many links they do not see.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from application.ports import SessionTokens
from domain.user import TokenScope
from entrypoints.web.session import SESSION_COOKIE
from tests.e2e.conftest import ON_BOTH, Headers, MakeUser

pytestmark = ON_BOTH

PRIVATE = "hush-hush"
ANONYMOUS: Headers = {}


@dataclass(frozen=True)
class Linked:
    """'open' is public: 1 is superseded by hush-hush/1, and 2 relates to open/1 and to
    hush-hush/1. 'hush-hush' is private; vic views it, ann and stan have no role there."""

    owner: Headers
    author: Headers  # an author of 'open', no role in the private log
    stranger: Headers
    viewer: Headers


async def _ok(reply: httpx.Response, status: int = 200) -> httpx.Response:
    assert reply.status_code == status, reply.text
    return reply


@pytest.fixture
async def linked(client: httpx.AsyncClient, make_user: MakeUser) -> Linked:
    owner, author = await make_user("olga"), await make_user("ann")
    stranger, viewer = await make_user("stan"), await make_user("vic")
    for slug, visibility in (("open", "public"), (PRIVATE, "private")):
        await _ok(
            await client.post(
                "/v1/logs",
                json={"slug": slug, "title": slug.title(), "visibility": visibility},
                headers=owner,
            ),
            201,
        )
    await _ok(await client.put("/v1/logs/open/members/ann", json={"role": "author"}, headers=owner))
    await _ok(
        await client.put(f"/v1/logs/{PRIVATE}/members/vic", json={"role": "viewer"}, headers=owner)
    )
    open_ = "/v1/logs/open/decisions"
    hush = f"/v1/logs/{PRIVATE}/decisions"
    await _ok(await client.post(open_, json={"title": "Use SQLite"}, headers=owner), 201)
    await _ok(await client.post(f"{open_}/1/accept", headers=owner))
    await _ok(
        await client.post(
            hush, json={"title": "Use PostgreSQL", "supersedes": ["open/1"]}, headers=owner
        ),
        201,
    )
    await _ok(await client.post(f"{hush}/1/accept", headers=owner))
    await _ok(await client.post(open_, json={"title": "Back up nightly"}, headers=owner), 201)
    for target in ("open/1", f"{PRIVATE}/1"):
        await _ok(
            await client.post(
                f"{open_}/2/links", json={"kind": "relates-to", "target": target}, headers=owner
            ),
            201,
        )
    return Linked(owner=owner, author=author, stranger=stranger, viewer=viewer)


def _callers(linked: Linked) -> list[tuple[str, Headers, bool]]:
    """(who, headers, whether they may read the private log)."""
    return [
        ("anonymous", ANONYMOUS, False),
        ("no role", linked.stranger, False),
        ("viewer", linked.viewer, True),
    ]


def _check(text: str, sees: bool, who: str, what: str) -> None:
    assert (PRIVATE in text) is sees, f"{who}: {what}: {text}"


async def test_a_decision_and_its_links_show_only_readable_targets(
    client: httpx.AsyncClient, linked: Linked
) -> None:
    for who, headers, sees in _callers(linked):
        for n, other in ((1, "open/2"), (2, "open/1")):
            decision = (
                await _ok(await client.get(f"/v1/logs/open/decisions/{n}", headers=headers))
            ).json()
            _check(str(decision), sees, who, f"decision {n}")
            assert decision["hidden_links"] == (0 if sees else 1), who
            if not sees:
                assert decision["links"] == [{"kind": "relates-to", "target": other}], who
            links = (
                await _ok(await client.get(f"/v1/logs/open/decisions/{n}/links", headers=headers))
            ).json()
            _check(str(links), sees, who, f"links of {n}")
            assert links["hidden_links"] == decision["hidden_links"]
            assert links["items"] == decision["links"]


async def test_history_names_no_unreadable_decision(
    client: httpx.AsyncClient, linked: Linked
) -> None:
    for who, headers, sees in _callers(linked):
        for n, event in ((1, "decision.superseded"), (2, "decision.linked")):
            history = (
                await _ok(await client.get(f"/v1/logs/open/decisions/{n}/history", headers=headers))
            ).json()
            _check(str(history), sees, who, f"history of {n}")
            hiding = [e for e in history["items"] if "hidden_links" in e["details"]]
            if sees:
                assert hiding == [], who
            else:
                assert [(e["event"], e["details"]["hidden_links"]) for e in hiding] == [
                    (event, 1)
                ], who


async def test_markdown_export_and_graph_leave_unreadable_links_out(
    client: httpx.AsyncClient, linked: Linked
) -> None:
    for who, headers, sees in _callers(linked):
        markdown = await _ok(
            await client.get(
                "/v1/logs/open/decisions/2", headers={**headers, "Accept": "text/markdown"}
            )
        )
        _check(markdown.text, sees, who, "markdown")
        assert markdown.headers.get("Hidden-Links") == (None if sees else "1")
        assert "open/1" in markdown.text or "ADR-0001" in markdown.text

        export = await _ok(await client.get("/v1/logs/open/export", headers=headers))
        with zipfile.ZipFile(io.BytesIO(export.content)) as bundle:
            texts = {name: bundle.read(name).decode() for name in bundle.namelist()}
        _check("".join(texts.values()), sees, who, "export")
        assert export.headers.get("Hidden-Links") == (None if sees else "2")
        assert ("2 links to decisions in logs you may not read" in texts["index.md"]) is (not sees)

        for fmt in ("mermaid", "dot"):
            graph = await _ok(
                await client.get("/v1/logs/open/graph", params={"format": fmt}, headers=headers)
            )
            _check(graph.text, sees, who, f"graph as {fmt}")
            assert ("2 links to decisions in logs you may not read" in graph.text) is not sees


async def test_a_write_replies_without_the_links_its_author_may_not_read(
    client: httpx.AsyncClient, linked: Linked
) -> None:
    read = await _ok(await client.get("/v1/logs/open/decisions/2", headers=linked.author))
    reply = await _ok(
        await client.patch(
            "/v1/logs/open/decisions/2",
            json={"title": "Back up hourly"},
            headers={**linked.author, "If-Match": read.headers["ETag"]},
        )
    )
    assert PRIVATE not in reply.text
    assert reply.json()["hidden_links"] == 1
    assert reply.json()["links"] == [{"kind": "relates-to", "target": "open/1"}]
    unlinked = await _ok(
        await client.delete(
            "/v1/logs/open/decisions/2/links",
            params={"kind": "relates-to", "target": "open/1"},
            headers=linked.author,
        )
    )
    assert PRIVATE not in unlinked.text
    assert unlinked.json()["hidden_links"] == 1


def _session(app: FastAPI, username: str | None) -> dict[str, str]:
    if username is None:
        return {}
    tokens: SessionTokens = app.state.services.container.resolve(SessionTokens)
    issued = tokens.issue(username, datetime.now(UTC), TokenScope.READ_WRITE)
    return {SESSION_COOKIE: issued.access_token}


async def test_web_pages_show_only_readable_links_and_count_the_others(
    app: FastAPI, client: httpx.AsyncClient, linked: Linked
) -> None:
    for username, sees in ((None, False), ("stan", False), ("vic", True)):
        client.cookies.clear()
        for name, value in _session(app, username).items():
            client.cookies.set(name, value)
        who = username or "anonymous"
        for path in (
            "/logs/open",
            "/logs/open/decisions/1",
            "/logs/open/decisions/2",
            "/logs/open/decisions/2/markdown",
        ):
            page = await _ok(await client.get(path))
            _check(page.text, sees, who, path)
        decision = (await client.get("/logs/open/decisions/2")).text
        assert ("1 link to decisions in logs you cannot read is not shown" in decision) is (
            not sees
        )
        log = (await client.get("/logs/open")).text
        assert ("2 links to decisions in logs you cannot read are not drawn" in log) is not sees
