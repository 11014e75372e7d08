"""Concurrent writers over HTTP: no gaps, no duplicates, no lost updates."""

from __future__ import annotations

import asyncio

import httpx

from tests.e2e.conftest import ON_BOTH, Team, assert_problem, propose

pytestmark = ON_BOTH


async def test_concurrent_proposals_get_consecutive_numbers(
    client: httpx.AsyncClient, team: Team
) -> None:
    replies = await asyncio.gather(
        *(
            client.post(team.decisions(), json={"title": f"Idea {i}"}, headers=team.author)
            for i in range(50)
        )
    )
    assert [reply.status_code for reply in replies] == [201] * 50
    assert sorted(reply.json()["number"] for reply in replies) == list(range(1, 51))
    listed = await client.get(team.decisions(), params={"limit": 200}, headers=team.viewer)
    assert [d["number"] for d in listed.json()["items"]] == list(range(1, 51))


async def test_two_patches_with_the_same_etag_cannot_both_win(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    replies = await asyncio.gather(
        *(
            client.patch(
                team.decisions("/1"),
                json={"title": title},
                headers=team.author | {"If-Match": '"1"'},
            )
            for title in ("Mine", "Theirs")
        )
    )
    assert sorted(reply.status_code for reply in replies) == [200, 412]
    winner = next(reply for reply in replies if reply.status_code == 200)
    assert_problem(
        next(reply for reply in replies if reply.status_code == 412), 412, "version-mismatch"
    )
    stored = await client.get(team.decisions("/1"), headers=team.viewer)
    assert stored.json()["title"] == winner.json()["title"]
    assert stored.headers["etag"] == '"2"'
