"""No database stores NUL (PostgreSQL refuses it in text; SQLite stores it, and an export
then fails its own lint): it is refused everywhere with a 422 naming the field (issue #8,
finding 6), on both databases."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import ON_BOTH, Team, assert_problem, propose

pytestmark = ON_BOTH


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Use\x00Kafka"}, "title"),
        ({"title": "Kafka", "content": {"context": "a\x00b"}}, "context"),
        ({"title": "Kafka", "tags": ["a\x00"]}, "tags"),
        ({"title": "Kafka", "decision_makers": ["ann\x00"]}, "decision_makers"),
    ],
)
async def test_a_nul_in_a_body_is_a_422_naming_the_field(
    client: httpx.AsyncClient, team: Team, body: dict[str, object], field: str
) -> None:
    reply = await client.post(team.decisions(), json=body, headers=team.author)
    problem = assert_problem(reply, 422, "validation-error")
    assert any(field in map(str, error["loc"]) for error in problem["errors"]), problem


async def test_a_nul_in_a_log_or_a_token_name_is_refused(
    client: httpx.AsyncClient, team: Team
) -> None:
    log = await client.post("/v1/logs", json={"slug": "x", "title": "X\x00"}, headers=team.author)
    assert_problem(log, 422, "validation-error")
    token = await client.post("/v1/tokens", json={"name": "ci\x00"}, headers=team.author)
    assert_problem(token, 422, "validation-error")


@pytest.mark.parametrize("parameter", ["q", "tag", "person", "status", "cursor"])
async def test_a_nul_in_a_query_parameter_is_a_4xx_naming_it(
    client: httpx.AsyncClient, team: Team, parameter: str
) -> None:
    await propose(client, team)
    reply = await client.get(team.decisions(), params={parameter: "a\x00b"}, headers=team.viewer)
    assert reply.status_code in (400, 422), reply.text
    assert parameter in reply.text


@pytest.mark.parametrize("path", ["/v1/logs/a%00b", "/v1/logs/platform/decisions/1%00"])
async def test_a_nul_in_the_path_is_a_4xx(client: httpx.AsyncClient, team: Team, path: str) -> None:
    reply = await client.get(path, headers=team.viewer)
    assert 400 <= reply.status_code < 500, reply.text


async def test_a_nul_in_an_uploads_file_name_is_a_422_naming_it(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(
        f"/v1/logs/{team.slug}/imports",
        params={"filename": "0001-a\x00.md"},
        content=b"# A\n",
        headers=team.owner | {"Content-Type": "text/markdown"},
    )
    problem = assert_problem(reply, 422, "validation-error")
    assert problem["errors"][0]["loc"] == ["query", "filename"]
