"""The decisions the web tests read, written through the API as a person would."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

# Markdown that tries everything a hostile author would.
HOSTILE_WORD = "x" * 10_000
HOSTILE_MARKDOWN = (
    "<script>alert('script')</script>\n\n"
    '<img src="x" onerror="alert(\'img\')">\n\n'
    "[click me](javascript:alert('link')) and <a href=\"javascript:alert('a')\">raw</a>\n\n"
    f"{HOSTILE_WORD}\n"
)


@dataclass(frozen=True)
class Seeded:
    public: str  # a public log's slug
    private: str  # a private log's slug
    owner: dict[str, str]  # the headers of the admin of both logs


async def seed(client: httpx.AsyncClient, owner: dict[str, str]) -> Seeded:
    async def post(path: str, body: dict[str, object] | None = None) -> dict[str, object]:
        reply = await client.post(path, json=body, headers=owner)
        assert reply.status_code in (200, 201), reply.text
        data: dict[str, object] = reply.json()
        return data

    await post(
        "/v1/logs",
        {"slug": "handbook", "title": "Engineering handbook", "visibility": "public"},
    )
    await post("/v1/logs", {"slug": "vault", "title": "Secret vault plans"})
    base = "/v1/logs/handbook/decisions"
    await post(
        base,
        {
            "title": "Store decisions in SQLite",
            "content": {"context": "We need a **database**. See [docs](https://sqlite.org)."},
            "decision_makers": ["Ada Lovelace"],
            "consulted": ["Grace Hopper"],
            "tags": ["database"],
            "review_by": "2020-01-01",
        },
    )
    await post(f"{base}/1/accept")
    await post(
        base,
        {
            "title": "Store decisions in PostgreSQL",
            "content": {"context": "SQLite does not scale to our writers."},
            "decision_makers": ["Ada Lovelace"],
            "tags": ["database"],
            "supersedes": ["1"],
        },
    )
    await post(f"{base}/2/accept")
    await post(
        base,
        {
            "title": "Render hostile markdown safely",
            "content": {"context": HOSTILE_MARKDOWN},
            "tags": ["security"],
        },
    )
    await post(
        "/v1/logs/vault/decisions",
        {"title": "Hide the vault key", "content": {"context": "Nobody outside may read this."}},
    )
    return Seeded(public="handbook", private="vault", owner=owner)
