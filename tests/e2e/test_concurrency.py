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


async def test_a_lost_race_the_caller_did_not_condition_on_is_never_a_412(
    client: httpx.AsyncClient, team: Team
) -> None:
    """Issue #8, finding 8: two accepts of proposals that supersede the same decision,
    sent without If-Match, race for it; the loser gets 409 (or both succeed in turn),
    never 412, which answers only an If-Match."""
    statuses: set[int] = set()
    for round_ in range(5):
        old = (await propose(client, team, f"Old {round_}"))["number"]
        accepted = await client.post(team.decisions(f"/{old}/accept"), headers=team.decider)
        assert accepted.status_code == 200, accepted.text
        rivals = [
            (await propose(client, team, f"New {round_}.{i}", supersedes=[str(old)]))["number"]
            for i in range(2)
        ]
        replies = await asyncio.gather(
            *(client.post(team.decisions(f"/{n}/accept"), headers=team.decider) for n in rivals)
        )
        for reply in replies:
            if reply.status_code != 200:
                assert_problem(reply, 409, reply.json()["type"].rsplit("/", 1)[1])
            statuses.add(reply.status_code)
    assert 412 not in statuses
    assert 200 in statuses


async def test_parallel_imports_never_answer_412(client: httpx.AsyncClient, team: Team) -> None:
    files = [
        (f"0{n:03d}-use-{n}.md", f"# Use {n}\n\n## Context and Problem Statement\n\nWhy.\n")
        for n in range(1, 6)
    ]
    replies = await asyncio.gather(
        *(
            client.post(
                f"/v1/logs/{team.slug}/imports?atomic=false",
                files=[("files", (name, text.encode())) for name, text in files[i:] + files[:i]],
                headers=team.owner,
            )
            for i in range(4)
        )
    )
    for reply in replies:
        assert reply.status_code in (200, 409), reply.text
        if reply.status_code == 409:
            assert_problem(reply, 409, "concurrent-change")
