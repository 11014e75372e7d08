"""Cursors of every list are opaque and bound to their list and filters: one from another
list or query, or a made-up one, is a 400 naming the cursor, never a 500 (security
review #8, item 6: `int:²` and numbers past 2^31 or 2^63 used to crash the server)."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.e2e.conftest import ON_BOTH, Team, assert_problem, propose

pytestmark = ON_BOTH


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CRAFTED = [
    b64("int:²".encode()),
    b64(b"int:2147483648"),
    b64(b"int:9223372036854775808"),
    b64(b"int:-1"),
    b64(b"str:../../etc"),
    b64(b"[2147483648]" + b"\x00" * 16),
    b64(b"\xff\xfe garbage"),
    "not base64 at all!",
    "A" * 300,
]


LISTS = ("logs", "decisions", "history", "search")


@pytest.fixture
async def pages(client: httpx.AsyncClient, team: Team) -> dict[str, str]:
    """A next_cursor of each list, on lists with more than one page."""
    for title in ("Use Kafka", "Kafka topics", "Kafka retention"):
        await propose(client, team, title)
    await client.patch(
        team.decisions("/1"), json={"tags": ["a"]}, headers=team.author | {"If-Match": '"1"'}
    )
    await client.post("/v1/logs", json={"slug": "second", "title": "Second"}, headers=team.owner)
    cursors = {}
    for name in LISTS:
        reply = await client.get(
            url_of(team, name), params=params_of(name, limit=1), headers=team.owner
        )
        assert reply.status_code == 200, reply.text
        cursors[name] = reply.json()["next_cursor"]
        assert cursors[name], name
    return cursors


def url_of(team: Team, name: str) -> str:
    return {
        "logs": "/v1/logs",
        "decisions": team.decisions(),
        "history": team.decisions("/1/history"),
        "search": "/v1/search",
    }[name]


def params_of(name: str, **params: object) -> dict[str, object]:
    return {"q": "kafka", **params} if name == "search" else params


def assert_bad_cursor(reply: httpx.Response) -> None:
    problem = assert_problem(reply, 400, "invalid-cursor")
    assert problem["errors"][0]["loc"] == ["query", "cursor"]
    assert "cursor" in problem["detail"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("cursor", CRAFTED)
async def test_a_made_up_cursor_is_a_400_naming_it(
    client: httpx.AsyncClient, team: Team, name: str, cursor: str
) -> None:
    await propose(client, team, "Use Kafka")
    reply = await client.get(
        url_of(team, name), params=params_of(name, cursor=cursor), headers=team.owner
    )
    assert_bad_cursor(reply)


async def test_a_cursor_works_only_on_the_list_and_filters_that_gave_it(
    client: httpx.AsyncClient, team: Team, pages: dict[str, str]
) -> None:
    for name, cursor in pages.items():
        reply = await client.get(
            url_of(team, name), params=params_of(name, cursor=cursor), headers=team.owner
        )
        assert reply.status_code == 200, (name, reply.text)
        for other in LISTS:
            if other != name:
                reply = await client.get(
                    url_of(team, other), params=params_of(other, cursor=cursor), headers=team.owner
                )
                assert_bad_cursor(reply)
    decisions = pages["decisions"]
    for params in ({"status": "proposed"}, {"tag": "a"}, {"q": "kafka"}):
        reply = await client.get(
            team.decisions(), params={"cursor": decisions, **params}, headers=team.owner
        )
        assert_bad_cursor(reply)
    other_log = await client.get(
        "/v1/logs/second/decisions", params={"cursor": decisions}, headers=team.owner
    )
    assert_bad_cursor(other_log)
    other_decision = await client.get(
        team.decisions("/2/history"), params={"cursor": pages["history"]}, headers=team.owner
    )
    assert_bad_cursor(other_decision)
    other_query = await client.get(
        "/v1/search", params={"q": "topics", "cursor": pages["search"]}, headers=team.owner
    )
    assert_bad_cursor(other_query)
