"""Personal access tokens over HTTP."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import ON_SQLITE, Team, assert_problem, bearer

pytestmark = ON_SQLITE


async def test_a_new_token_is_shown_once_and_authenticates(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post("/v1/tokens", json={"name": "ci"}, headers=team.viewer)
    assert reply.status_code == 201, reply.text
    issued = reply.json()
    assert issued["username"] == "vic"
    assert issued["name"] == "ci"
    assert issued["id"]
    got = await client.get(f"/v1/logs/{team.slug}", headers=bearer(issued["token"]))
    assert got.status_code == 200


async def test_creating_a_token_needs_a_signed_in_caller_and_a_name(
    client: httpx.AsyncClient, team: Team
) -> None:
    assert_problem(await client.post("/v1/tokens", json={"name": "ci"}), 401, "not-authenticated")
    problem = assert_problem(
        await client.post("/v1/tokens", json={"name": "  "}, headers=team.viewer),
        422,
        "validation-error",
    )
    assert problem["errors"][0]["loc"] == ["body", "name"]
    assert_problem(
        await client.post("/v1/tokens", json={}, headers=team.viewer), 422, "validation-error"
    )
