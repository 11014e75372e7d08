"""Deciding, superseding and linking decisions over HTTP."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import ON_SQLITE, Team, accept, assert_problem, propose

pytestmark = ON_SQLITE


async def test_a_decider_accepts_and_the_etag_moves_on(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    reply = await client.post(
        team.decisions("/1/accept"), headers=team.decider | {"If-Match": '"1"'}
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "accepted"
    assert reply.headers["etag"] == '"2"'


async def test_a_blank_if_match_sets_no_condition_where_it_is_optional(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    reply = await client.post(team.decisions("/1/accept"), headers=team.decider | {"If-Match": ""})
    assert reply.status_code == 200, reply.text


async def test_reject_reopen_and_deprecate(client: httpx.AsyncClient, team: Team) -> None:
    await propose(client, team)
    for step, status in (("reject", "rejected"), ("reopen", "proposed"), ("accept", "accepted")):
        reply = await client.post(team.decisions(f"/1/{step}"), headers=team.decider)
        assert reply.status_code == 200, reply.text
        assert reply.json()["status"] == status
    deprecated = await client.post(team.decisions("/1/deprecate"), headers=team.decider)
    assert deprecated.json()["status"] == "deprecated"


async def test_an_illegal_step_names_the_status_and_what_is_allowed(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    await client.post(team.decisions("/1/reject"), headers=team.decider)
    problem = assert_problem(
        await client.post(team.decisions("/1/accept"), headers=team.decider),
        409,
        "invalid-transition",
    )
    assert problem["current_status"] == "rejected"
    assert problem["allowed"] == ["proposed"]
    assert "rejected" in problem["detail"]


async def test_deciding_needs_the_decider_role_and_a_current_if_match(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    accept_path = team.decisions("/1/accept")
    assert_problem(await client.post(accept_path, headers=team.author), 403, "forbidden")
    assert_problem(await client.post(accept_path, headers=team.stranger), 404, "not-found")
    assert_problem(await client.post(accept_path), 401, "not-authenticated")
    assert_problem(
        await client.post(accept_path, headers=team.decider | {"If-Match": '"5"'}),
        412,
        "version-mismatch",
    )
    assert_problem(
        await client.post(team.decisions("/9/accept"), headers=team.decider), 404, "not-found"
    )


async def test_accepting_a_proposal_supersedes_what_it_names(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team, "Use MySQL")
    await accept(client, team, 1)
    await propose(client, team, "Use PostgreSQL", supersedes=["1"])
    await accept(client, team, 2)

    old = (await client.get(team.decisions("/1"), headers=team.viewer)).json()
    assert old["status"] == "superseded"
    assert old["links"] == [{"kind": "superseded-by", "target": "platform/2"}]
    current = (await client.get(team.decisions("/1/current"), headers=team.viewer)).json()
    assert [(d["log"], d["number"]) for d in current["items"]] == [("platform", 2)]
    assert current["next_cursor"] is None


async def test_naming_an_unaccepted_decision_as_superseded_is_refused(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    reply = await client.post(
        team.decisions(), json={"title": "Next", "supersedes": ["1"]}, headers=team.author
    )
    assert_problem(reply, 409, "invalid-supersession")
    garbled = await client.post(
        team.decisions(), json={"title": "Next", "supersedes": ["one"]}, headers=team.author
    )
    problem = assert_problem(garbled, 422, "validation-error")
    assert problem["errors"][0]["loc"] == ["body", "supersedes", 0]


async def test_supersede_replaces_an_accepted_decision_by_accepted_ones(
    client: httpx.AsyncClient, team: Team
) -> None:
    for title in ("Monolith", "Service A", "Service B"):
        number = (await propose(client, team, title))["number"]
        await accept(client, team, number)
    reply = await client.post(
        team.decisions("/1/supersede"),
        json={"by": ["2", "platform/3"]},
        headers=team.decider | {"If-Match": '"2"'},
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "superseded"
    assert reply.headers["etag"] == '"3"'
    current = (await client.get(team.decisions("/1/current"), headers=team.viewer)).json()
    assert [d["number"] for d in current["items"]] == [2, 3]
    successor = (await client.get(team.decisions("/2/links"), headers=team.viewer)).json()
    assert successor["items"] == [{"kind": "supersedes", "target": "platform/1"}]


async def test_supersede_is_refused_when_it_would_break_the_rules(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    await accept(client, team, 1)
    await propose(client, team, "Not yet accepted")
    path = team.decisions("/1/supersede")
    assert_problem(
        await client.post(path, json={"by": ["2"]}, headers=team.decider),
        409,
        "invalid-supersession",
    )
    assert_problem(
        await client.post(path, json={"by": []}, headers=team.decider), 422, "validation-error"
    )
    assert_problem(
        await client.post(path, json={"by": ["2"]}, headers=team.author), 403, "forbidden"
    )


async def test_links_are_added_listed_and_removed_on_both_sides(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team, "One")
    await propose(client, team, "Two")
    added = await client.post(
        team.decisions("/1/links"),
        json={"kind": "relates-to", "target": "2"},
        headers=team.author,
    )
    assert added.status_code == 201, added.text
    assert added.headers["etag"] == '"2"'
    assert added.json()["links"] == [{"kind": "relates-to", "target": "platform/2"}]
    other = (await client.get(team.decisions("/2/links"), headers=team.viewer)).json()
    assert other == {
        "items": [{"kind": "relates-to", "target": "platform/1"}],
        "next_cursor": None,
        "hidden_links": 0,
    }

    removed = await client.delete(
        team.decisions("/1/links"),
        params={"kind": "relates-to", "target": "platform/2"},
        headers=team.author,
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["links"] == []
    assert (await client.get(team.decisions("/2/links"), headers=team.viewer)).json()["items"] == []


async def test_link_changes_are_refused_when_they_cannot_be_made(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team, "One")
    await accept(client, team, 1)
    await propose(client, team, "Two")
    links = team.decisions("/1/links")
    assert_problem(
        await client.post(links, json={"kind": "amends", "target": "2"}, headers=team.author),
        409,
        "invalid-link",
    )
    assert_problem(
        await client.post(links, json={"kind": "relates-to", "target": "1"}, headers=team.author),
        409,
        "invalid-link",
    )
    assert_problem(
        await client.post(links, json={"kind": "likes", "target": "2"}, headers=team.author),
        422,
        "validation-error",
    )
    assert_problem(
        await client.post(links, json={"kind": "relates-to", "target": "99"}, headers=team.author),
        404,
        "not-found",
    )
    assert_problem(
        await client.post(links, json={"kind": "relates-to", "target": "2"}, headers=team.viewer),
        403,
        "forbidden",
    )
    assert_problem(
        await client.delete(links, params={"kind": "relates-to"}, headers=team.author),
        422,
        "validation-error",
    )


async def test_links_reach_decisions_in_other_logs(client: httpx.AsyncClient, team: Team) -> None:
    created = await client.post(
        "/v1/logs", json={"slug": "shared", "title": "Shared"}, headers=team.owner
    )
    assert created.status_code == 201
    await client.put("/v1/logs/shared/members/ann", json={"role": "author"}, headers=team.owner)
    other = await client.post(
        "/v1/logs/shared/decisions", json={"title": "Shared thing"}, headers=team.author
    )
    assert other.status_code == 201
    await propose(client, team)
    reply = await client.post(
        team.decisions("/1/links"),
        json={"kind": "relates-to", "target": "shared/1"},
        headers=team.author,
    )
    assert reply.status_code == 201, reply.text
    back = (await client.get("/v1/logs/shared/decisions/1/links", headers=team.author)).json()
    assert back["items"] == [{"kind": "relates-to", "target": "platform/1"}]
