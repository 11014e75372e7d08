"""GET /v1/search and `q` on the decision list, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import ON_BOTH, MakeUser, Team, accept, assert_problem, propose

pytestmark = ON_BOTH


@pytest.fixture
async def decisions(client: httpx.AsyncClient, team: Team) -> None:
    """In the private 'platform': three Kafka decisions, one accepted; and one about
    Redis. In a public log 'open': one about Kafka."""
    await propose(
        client,
        team,
        "Use Kafka for events",
        tags=["events"],
        decision_makers=["Ada Lovelace"],
        content={"context": "We need <b>durable</b> & ordered events."},
    )
    await propose(client, team, "Keep Kafka topics small")
    await propose(client, team, "Use Redis as a cache")
    await propose(client, team, "Retire Kafka", tags=["events"])
    await accept(client, team, 1)
    reply = await client.post(
        "/v1/logs",
        json={"slug": "open", "title": "Open", "visibility": "public"},
        headers=team.owner,
    )
    assert reply.status_code == 201, reply.text
    reply = await client.post(
        "/v1/logs/open/decisions", json={"title": "Kafka as the bus"}, headers=team.owner
    )
    assert reply.status_code == 201, reply.text


def hits(reply: httpx.Response) -> list[tuple[str, int]]:
    assert reply.status_code == 200, reply.text
    return [(hit["log"], hit["number"]) for hit in reply.json()["items"]]


@pytest.mark.usefixtures("decisions")
async def test_search_finds_across_the_logs_the_caller_may_read(
    client: httpx.AsyncClient, team: Team
) -> None:
    anonymous = await client.get("/v1/search", params={"q": "kafka"})
    assert hits(anonymous) == [("open", 1)]
    assert anonymous.json()["facets"]["log"] == [{"value": "open", "count": 1}]
    stranger = await client.get("/v1/search", params={"q": "kafka"}, headers=team.stranger)
    assert hits(stranger) == [("open", 1)]
    viewer = await client.get("/v1/search", params={"q": "kafka"}, headers=team.viewer)
    assert sorted(hits(viewer)) == [("open", 1), ("platform", 1), ("platform", 2), ("platform", 4)]
    body = viewer.json()
    assert body["total"] == 4
    assert {f["value"]: f["count"] for f in body["facets"]["log"]} == {"platform": 3, "open": 1}
    assert {f["value"]: f["count"] for f in body["facets"]["status"]} == {
        "proposed": 3,
        "accepted": 1,
    }
    assert body["facets"]["tag"] == [{"value": "events", "count": 2}]
    hit = next(h for h in body["items"] if (h["log"], h["number"]) == ("platform", 1))
    assert set(hit) == {"log", "number", "title", "status", "date", "snippet", "score"}
    assert hit["status"] == "accepted"
    assert "<mark>Kafka</mark>" in hit["snippet"]


@pytest.mark.usefixtures("decisions")
async def test_search_filters_and_syntax(client: httpx.AsyncClient, team: Team) -> None:
    async def found(**params: str) -> list[tuple[str, int]]:
        return sorted(hits(await client.get("/v1/search", params=params, headers=team.viewer)))

    assert await found(q="kafka", log="platform", status="accepted") == [("platform", 1)]
    assert await found(q="kafka", tag="Events") == [("platform", 1), ("platform", 4)]
    assert await found(q="kafka", person="Ada Lovelace") == [("platform", 1)]
    assert await found(q="kafka -events") == [("open", 1), ("platform", 2)]
    assert await found(q='"kafka topics"') == [("platform", 2)]
    assert await found(q="redis OR retire") == [("platform", 3), ("platform", 4)]
    assert await found(q="durab*") == [("platform", 1)]
    assert await found(q="kafka", date_from="2000-01-01", date_to="2000-12-31") == []


@pytest.mark.usefixtures("decisions")
async def test_search_pages_follow_the_cursor(client: httpx.AsyncClient, team: Team) -> None:
    seen: list[tuple[str, int]] = []
    params = {"q": "kafka", "limit": "1"}
    for _ in range(10):
        reply = await client.get("/v1/search", params=params, headers=team.viewer)
        seen += hits(reply)
        assert reply.json()["total"] == 4
        cursor = reply.json()["next_cursor"]
        if cursor is None:
            break
        params = {"q": "kafka", "limit": "1", "cursor": cursor}
    assert sorted(seen) == [("open", 1), ("platform", 1), ("platform", 2), ("platform", 4)]


@pytest.mark.usefixtures("decisions")
async def test_the_list_takes_q_with_its_filters(client: httpx.AsyncClient, team: Team) -> None:
    listed = await client.get(team.decisions(), params={"q": "kafka"}, headers=team.viewer)
    assert [d["number"] for d in listed.json()["items"]] == [1, 2, 4]
    tagged = await client.get(
        team.decisions(), params={"q": "kafka", "tag": "events"}, headers=team.viewer
    )
    assert [d["number"] for d in tagged.json()["items"]] == [1, 4]
    first = await client.get(
        team.decisions(), params={"q": "kafka", "limit": 1}, headers=team.viewer
    )
    other = await client.get(
        team.decisions(),
        params={"q": "redis", "cursor": first.json()["next_cursor"]},
        headers=team.viewer,
    )
    assert_problem(other, 400, "invalid-cursor")


@pytest.mark.usefixtures("decisions")
async def test_a_private_log_filter_answers_like_the_log(
    client: httpx.AsyncClient, team: Team
) -> None:
    stranger = await client.get(
        "/v1/search", params={"q": "kafka", "log": "platform"}, headers=team.stranger
    )
    assert_problem(stranger, 404, "not-found")
    missing = await client.get(
        "/v1/search", params={"q": "kafka", "log": "nowhere"}, headers=team.viewer
    )
    assert_problem(missing, 404, "not-found")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "k" * 501}, "q"),
        ({}, "q"),
        ({"q": "kafka", "tag": "a\x00b"}, "tag"),
        ({"q": "kafka", "person": "\x00"}, "person"),
        ({"q": "kafka", "status": "maybe"}, "status"),
        ({"q": "kafka", "date_from": "2024-02-01", "date_to": "2024-01-01"}, "date_from"),
        ({"q": "kafka", "log": "Not A Slug"}, "log"),
        ({"q": "kafka", "limit": "0"}, "limit"),
    ],
)
async def test_bad_search_input_is_a_422_naming_the_field(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    problem = assert_problem(await client.get("/v1/search", params=params), 422, "validation-error")
    assert field in [issue["loc"][-1] for issue in problem["errors"]], problem


@pytest.mark.parametrize(
    "q",
    [
        '"unbalanced',
        "-",
        "*",
        "OR",
        "kafka OR",
        "NEAR(kafka redis)",
        "title:kafka",
        "col:x AND y",
        "'; DROP TABLE decisions; --",
        "日本語 слово عربي",
        "(((",
        "!kafka & redis | <->",
        "the -kafka",
    ],
)
async def test_any_search_text_gets_results_or_an_empty_list(
    client: httpx.AsyncClient, make_user: MakeUser, q: str
) -> None:
    admin = await make_user("root", admin=True)
    reply = await client.get("/v1/search", params={"q": q}, headers=admin)
    assert reply.status_code == 200, reply.text
    assert isinstance(reply.json()["items"], list)
    listed = await client.post("/v1/logs", json={"slug": "core", "title": "Core"}, headers=admin)
    assert listed.status_code == 201
    in_log = await client.get("/v1/logs/core/decisions", params={"q": q}, headers=admin)
    assert in_log.status_code == 200, in_log.text


async def test_a_nul_in_the_search_text_is_a_422_naming_q(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    admin = await make_user("root", admin=True)
    reply = await client.get("/v1/search", params={"q": "kafka\x00redis"}, headers=admin)
    assert reply.status_code == 422, reply.text
    assert reply.json()["errors"] == [
        {"loc": ["query", "q"], "message": "must not contain NUL characters"}
    ]
