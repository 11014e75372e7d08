"""The web view over HTTP: what each page shows, whom it shows it to, and its headers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from tests.e2e.conftest import ON_SQLITE, MakeUser
from tests.web.seed import HOSTILE_WORD, Seeded, seed

pytestmark = ON_SQLITE


@pytest.fixture
async def seeded(client: httpx.AsyncClient, make_user: MakeUser) -> Seeded:
    return await seed(client, await make_user("olga"))


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def text_of(html: str) -> str:
    """What a reader sees, roughly: tags dropped, spaces collapsed."""
    return re.sub(r"\s+([,.:])", r"\1", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def test_home_lists_public_logs_with_counts_and_recent_decisions(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await client.get("/")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    text = text_of(reply.text)
    assert "Engineering handbook" in text
    assert "3 decisions: accepted 1, proposed 1, superseded 1" in text
    assert "ADR-0002 Store decisions in PostgreSQL" in text
    assert "Secret vault plans" not in text


async def test_a_log_page_filters_its_table_and_draws_its_supersessions(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await client.get("/logs/handbook", params={"status": "accepted"})
    assert reply.status_code == 200
    table = text_of(reply.text.split('<table class="decisions">')[1].split("</table>")[0])
    assert "Store decisions in PostgreSQL" in table
    assert "Store decisions in SQLite" not in table
    assert '<svg class="graph"' in reply.text
    assert "handbook/2 supersedes handbook/1" in text_of(reply.text)


async def test_a_superseded_decision_points_at_the_decision_in_force(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await client.get("/logs/handbook/decisions/1")
    assert reply.status_code == 200
    text = text_of(reply.text)
    assert "This decision is superseded. In force now: ADR-0002" in text
    assert 'href="/logs/handbook/decisions/2"' in reply.text
    assert "Decision makers Ada Lovelace" in text
    assert "Consulted Grace Hopper" in text
    assert "<strong>database</strong>" in reply.text
    assert 'href="https://sqlite.org" rel="nofollow noopener noreferrer"' in reply.text
    newer = await client.get("/logs/handbook/decisions/2")
    assert "Supersedes ADR-0001" in text_of(newer.text)


async def test_adr_names_lead_to_the_decision_page(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await client.get("/logs/handbook/ADR-0002")
    assert reply.status_code == 308
    assert reply.headers["location"] == "/logs/handbook/decisions/2"


async def test_hostile_markdown_is_shown_as_text(client: httpx.AsyncClient, seeded: Seeded) -> None:
    reply = await client.get("/logs/handbook/decisions/3")
    assert reply.status_code == 200
    html = reply.text
    elements = Elements()
    elements.feed(html)
    assert [tag for tag, _ in elements.found if tag in ("script", "img", "iframe")] == [
        "script"
    ]  # the page's own script, in the head
    assert all(
        not name.startswith("on") and not (value or "").lower().startswith("javascript:")
        for _, attributes in elements.found
        for name, value in attributes
    )
    assert "&lt;script&gt;alert" in html
    assert HOSTILE_WORD in html


async def test_markdown_downloads_as_a_file(client: httpx.AsyncClient, seeded: Seeded) -> None:
    reply = await client.get("/logs/handbook/decisions/2/markdown")
    assert reply.status_code == 200
    assert reply.headers["content-disposition"].startswith("attachment;")
    assert "# Store decisions in PostgreSQL" in reply.text


async def test_search_shows_highlighted_hits_and_facets(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await client.get("/search", params={"q": "postgresql"})
    assert reply.status_code == 200
    assert "<mark>" in reply.text
    text = text_of(reply.text)
    assert "ADR-0002 Store decisions in PostgreSQL" in text
    fragment = await client.get("/search/results", params={"q": "vault"})
    assert "0 decisions match" in text_of(fragment.text)


@pytest.mark.parametrize(
    "path",
    [
        "/logs/vault",
        "/logs/vault/decisions/1",
        "/logs/vault/decisions/1/markdown",
        "/logs/vault/ADR-0001",
        "/logs/nowhere",
        "/logs/nowhere/decisions/1",
        "/logs/handbook/decisions/99",
        "/no/such/page",
    ],
)
async def test_private_and_missing_pages_answer_the_same_404(
    client: httpx.AsyncClient, seeded: Seeded, path: str
) -> None:
    reply = await client.get(path, follow_redirects=True)
    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith("text/html")
    assert "vault" not in reply.text.lower()
    missing = await client.get("/logs/nowhere")
    assert text_of(reply.text) == text_of(missing.text)


async def test_the_api_keeps_its_problems_for_unknown_paths(client: httpx.AsyncClient) -> None:
    reply = await client.get("/v1/nothing-here")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "params",
    [{"status": "bogus"}, {"cursor": "not-a-cursor"}, {"person": "a\x00b"}],
)
async def test_bad_filters_get_a_page_that_says_what_is_wrong(
    client: httpx.AsyncClient, seeded: Seeded, params: dict[str, str]
) -> None:
    reply = await client.get("/logs/handbook", params=params)
    assert reply.status_code == 400
    assert reply.headers["content-type"].startswith("text/html")
    assert "Cannot read that request" in reply.text


async def test_an_overlong_search_gets_a_400_page(client: httpx.AsyncClient) -> None:
    reply = await client.get("/search", params={"q": "x" * 5000})
    assert reply.status_code == 400
    assert "Cannot read that request" in reply.text


@pytest.mark.parametrize("path", ["/", "/static/style.css", "/static/search.js", "/nope"])
async def test_pages_and_assets_carry_strict_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    reply = await client.get(path)
    csp = reply.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["referrer-policy"] == "same-origin"


async def test_pages_reference_only_assets_of_the_app(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for path in ("/", "/logs/handbook", "/logs/handbook/decisions/1", "/search?q=store"):
        html = (await client.get(path)).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html.split("<main")[0])
        assert sources
        assert all(s.startswith(("/", "#")) for s in sources), sources
