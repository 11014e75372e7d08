"""Proposing, reading, editing and withdrawing decisions over HTTP."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import ON_SQLITE, Team, accept, assert_problem, propose

pytestmark = ON_SQLITE

CONTENT = {
    "context": "Each service picks its own storage.",
    "drivers": ["one database to operate"],
    "options": [
        {"title": "PostgreSQL", "good": ["transactions"], "bad": ["a server to run"]},
        {"title": "MongoDB"},
    ],
    "outcome": {"chosen": "PostgreSQL", "justification": "it meets every driver"},
    "consequences": {"good": ["one backup procedure"]},
    "confirmation": "Reviews check new services against it.",
}


async def test_proposing_replies_201_with_location_etag_and_the_record(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        team.decisions(),
        json={
            "title": "Use PostgreSQL",
            "content": CONTENT,
            "decision_makers": ["Ada"],
            "consulted": ["Platform"],
            "informed": ["Everyone"],
            "tags": ["Storage", "database"],
            "review_by": "2030-01-01",
        },
        headers=team.author,
    )
    assert reply.status_code == 201, reply.text
    assert reply.headers["location"] == f"/v1/logs/{team.slug}/decisions/1"
    assert reply.headers["etag"] == '"1"'
    decision = reply.json()
    assert decision["number"] == 1
    assert decision["status"] == "proposed"
    assert decision["tags"] == ["database", "storage"]
    assert decision["content"]["options"][0] == {
        "title": "PostgreSQL",
        "description": "",
        "good": ["transactions"],
        "neutral": [],
        "bad": ["a server to run"],
    }
    assert decision["review_by"] == "2030-01-01"
    got = await client.get(team.decisions("/1"), headers=team.viewer)
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    assert got.json() == decision


async def test_numbers_are_consecutive_and_never_reused(
    client: httpx.AsyncClient, team: Team
) -> None:
    assert [(await propose(client, team, f"Decision {i}"))["number"] for i in range(3)] == [1, 2, 3]
    withdrawn = await client.delete(team.decisions("/3"), headers=team.author | {"If-Match": '"1"'})
    assert withdrawn.status_code == 204
    assert (await propose(client, team))["number"] == 4


async def test_status_number_and_version_cannot_be_set(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        team.decisions(),
        json={"title": "Sneaky", "status": "accepted", "number": 9, "version": 5},
        headers=team.author,
    )
    problem = assert_problem(reply, 422, "validation-error")
    assert sorted(error["loc"][-1] for error in problem["errors"]) == [
        "number",
        "status",
        "version",
    ]


async def test_invalid_fields_are_each_named(client: httpx.AsyncClient, team: Team) -> None:
    reply = await client.post(
        team.decisions(),
        json={"tags": "not-a-list", "review_by": "someday", "content": {"options": [{}]}},
        headers=team.author,
    )
    problem = assert_problem(reply, 422, "validation-error")
    assert sorted(tuple(map(str, error["loc"])) for error in problem["errors"]) == [
        ("body", "content", "options", "0", "title"),
        ("body", "review_by"),
        ("body", "tags"),
        ("body", "title"),
    ]


async def test_sections_and_metadata_madr_does_not_name_are_kept(
    client: httpx.AsyncClient, team: Team
) -> None:
    content = {
        "extra_sections": [{"heading": "Risks", "body": "None known.", "after": "confirmation"}],
        "extra_metadata": [{"key": "team", "value": {"name": "platform", "size": 7}}],
    }
    decision = await propose(client, team, content=content)
    assert decision["content"]["extra_sections"] == [
        {"heading": "Risks", "body": "None known.", "level": 2, "after": "confirmation"}
    ]
    assert decision["content"]["extra_metadata"] == content["extra_metadata"]


async def test_metadata_numbers_must_fit_json_readers(
    client: httpx.AsyncClient, team: Team
) -> None:
    content = {"extra_metadata": [{"key": "huge", "value": [1, 2**70]}]}
    reply = await client.post(
        team.decisions(), json={"title": "Big", "content": content}, headers=team.author
    )
    problem = assert_problem(reply, 422, "validation-error")
    assert problem["errors"][0]["loc"] == ["body", "content", "extra_metadata", 0, "value"]


async def test_proposing_needs_the_author_role(client: httpx.AsyncClient, team: Team) -> None:
    body = {"title": "Use PostgreSQL"}
    assert_problem(
        await client.post(team.decisions(), json=body, headers=team.viewer), 403, "forbidden"
    )
    assert_problem(
        await client.post(team.decisions(), json=body, headers=team.stranger), 404, "not-found"
    )
    assert_problem(await client.post(team.decisions(), json=body), 401, "not-authenticated")


async def test_reading_an_unknown_decision_is_404(client: httpx.AsyncClient, team: Team) -> None:
    assert_problem(await client.get(team.decisions("/99"), headers=team.viewer), 404, "not-found")
    assert_problem(
        await client.get("/v1/logs/nowhere/decisions/1", headers=team.viewer), 404, "not-found"
    )
    assert_problem(
        await client.get(team.decisions("/-1"), headers=team.viewer), 422, "validation-error"
    )


async def test_listing_filters_and_pages(client: httpx.AsyncClient, team: Team) -> None:
    await propose(client, team, "One", tags=["db"], decision_makers=["Ada"])
    await propose(client, team, "Two", tags=["db"], review_by="2026-01-01")
    await propose(client, team, "Three", consulted=["Ada"])
    await accept(client, team, 2)

    async def numbers(**params: object) -> list[int]:
        reply = await client.get(team.decisions(), params=params, headers=team.viewer)
        assert reply.status_code == 200, reply.text
        return [item["number"] for item in reply.json()["items"]]

    assert await numbers() == [1, 2, 3]
    assert await numbers(status="accepted") == [2]
    assert await numbers(tag="db") == [1, 2]
    assert await numbers(person="Ada") == [1, 3]
    assert await numbers(review_due="2026-06-01") == [2]
    assert await numbers(review_due="2025-06-01") == []

    first = (await client.get(team.decisions(), params={"limit": 2}, headers=team.viewer)).json()
    assert [d["number"] for d in first["items"]] == [1, 2]
    assert set(first["items"][0]) == {
        "log",
        "number",
        "title",
        "status",
        "date",
        "tags",
        "review_by",
        "version",
    }
    rest = await client.get(
        team.decisions(), params={"limit": 2, "cursor": first["next_cursor"]}, headers=team.viewer
    )
    assert [d["number"] for d in rest.json()["items"]] == [3]
    assert rest.json()["next_cursor"] is None


async def test_list_parameters_are_validated(client: httpx.AsyncClient, team: Team) -> None:
    for params in ({"limit": 0}, {"limit": 201}, {"status": "maybe"}, {"review_due": "soon"}):
        assert_problem(
            await client.get(team.decisions(), params=params, headers=team.viewer),
            422,
            "validation-error",
        )
    problem = assert_problem(
        await client.get(team.decisions(), params={"cursor": "nope"}, headers=team.viewer),
        400,
        "invalid-cursor",
    )
    assert problem["errors"] == [
        {"loc": ["query", "cursor"], "message": problem["errors"][0]["message"]}
    ]


async def test_patch_replaces_the_fields_given_and_keeps_the_rest(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team, content=CONTENT, tags=["db"], review_by="2030-01-01")
    reply = await client.patch(
        team.decisions("/1"),
        json={"title": "Use PostgreSQL 16", "content": {"context": "Only this now."}},
        headers=team.author | {"If-Match": '"1"'},
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["etag"] == '"2"'
    decision = reply.json()
    assert decision["title"] == "Use PostgreSQL 16"
    assert decision["content"]["context"] == "Only this now."
    assert decision["content"]["options"] == []  # content is replaced whole
    assert decision["tags"] == ["db"]  # left out, so kept
    assert decision["review_by"] == "2030-01-01"

    cleared = await client.patch(
        team.decisions("/1"), json={"review_by": None}, headers=team.author | {"If-Match": '"2"'}
    )
    assert cleared.json()["review_by"] is None


async def test_patch_needs_a_current_if_match(client: httpx.AsyncClient, team: Team) -> None:
    await propose(client, team)
    path, change = team.decisions("/1"), {"tags": ["x"]}
    assert_problem(
        await client.patch(path, json=change, headers=team.author), 428, "if-match-required"
    )
    assert_problem(
        await client.patch(path, json=change, headers=team.author | {"If-Match": '"7"'}),
        412,
        "version-mismatch",
    )
    assert_problem(
        await client.patch(path, json=change, headers=team.viewer | {"If-Match": '"1"'}),
        403,
        "forbidden",
    )
    assert_problem(
        await client.patch(
            path, json={"status": "accepted"}, headers=team.author | {"If-Match": '"1"'}
        ),
        422,
        "validation-error",
    )


async def test_a_decided_record_is_frozen_except_tags_and_review_by(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    accepted = await accept(client, team, 1)
    if_match = {"If-Match": f'"{accepted["version"]}"'}
    frozen = await client.patch(
        team.decisions("/1"), json={"title": "Changed"}, headers=team.author | if_match
    )
    assert_problem(frozen, 409, "decision-frozen")
    retagged = await client.patch(
        team.decisions("/1"), json={"tags": ["kept"]}, headers=team.author | if_match
    )
    assert retagged.status_code == 200
    assert retagged.json()["tags"] == ["kept"]


async def test_only_a_proposal_can_be_withdrawn_and_only_with_if_match(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    path = team.decisions("/1")
    assert_problem(await client.delete(path, headers=team.author), 428, "if-match-required")
    assert_problem(
        await client.delete(path, headers=team.author | {"If-Match": '"9"'}),
        412,
        "version-mismatch",
    )
    accepted = await accept(client, team, 1)
    refused = await client.delete(
        path, headers=team.author | {"If-Match": f'"{accepted["version"]}"'}
    )
    problem = assert_problem(refused, 409, "invalid-transition")
    assert problem["current_status"] == "accepted"

    await propose(client, team, "Second")
    gone = await client.delete(team.decisions("/2"), headers=team.author | {"If-Match": '"1"'})
    assert gone.status_code == 204
    assert_problem(await client.get(team.decisions("/2"), headers=team.viewer), 404, "not-found")


async def test_history_lists_events_oldest_first_a_page_at_a_time(
    client: httpx.AsyncClient, team: Team
) -> None:
    await propose(client, team)
    await client.patch(
        team.decisions("/1"), json={"tags": ["a"]}, headers=team.author | {"If-Match": '"1"'}
    )
    await accept(client, team, 1)
    history = (await client.get(team.decisions("/1/history"), headers=team.viewer)).json()
    assert [e["event"] for e in history["items"]] == [
        "decision.proposed",
        "decision.edited",
        "decision.accepted",
    ]
    assert [e["actor"] for e in history["items"]] == ["ann", "ann", "dee"]
    assert history["items"][1]["details"] == {"changed": ["tags"]}
    assert history["next_cursor"] is None

    first = (
        await client.get(team.decisions("/1/history"), params={"limit": 2}, headers=team.viewer)
    ).json()
    rest = (
        await client.get(
            team.decisions("/1/history"),
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=team.viewer,
        )
    ).json()
    assert [e["version"] for e in first["items"] + rest["items"]] == [1, 2, 3]
    assert_problem(
        await client.get(team.decisions("/9/history"), headers=team.viewer), 404, "not-found"
    )


async def test_a_bad_reference_names_its_field(client: httpx.AsyncClient, team: Team) -> None:
    reply = await client.post(
        team.decisions(), json={"title": "B", "supersedes": ["x/-"]}, headers=team.author
    )
    body = assert_problem(reply, 422, "validation-error")
    assert body["errors"][0]["loc"] == ["body", "supersedes", 0]
