"""Numbers without collisions: reserve one for a decision that will arrive through git."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from entrypoints.settings import Settings
from tests.e2e.conftest import MAX_BODY_BYTES, Team, assert_problem
from tests.e2e.test_git_sync import attach, madr, outcomes, sync
from tests.git_folders import GitFolder

ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        git_allow_local_sources=True,
        reservation_ttl_seconds=3600,
    )


async def reserve(
    client: httpx.AsyncClient, team: Team, title: str | None = None
) -> httpx.Response:
    return await client.post(
        f"/v1/logs/{team.slug}/numbers",
        json=None if title is None else {"title": title},
        headers=team.author,
    )


@ON_SQLITE
async def test_a_reservation_names_the_number_and_the_file_and_is_never_given_again(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await reserve(client, team, "Use Kafka for events!")
    assert reply.status_code == 201, reply.text
    held = reply.json()
    assert (held["number"], held["file"], held["reserved_by"]) == (
        1,
        "0001-use-kafka-for-events.md",
        "ann",
    )
    expires = dt.datetime.fromisoformat(held["expires_at"])
    assert dt.timedelta(minutes=59) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)

    untitled = (await reserve(client, team)).json()
    assert (untitled["number"], untitled["file"]) == (2, "0002-title.md")
    proposal = await client.post(team.decisions(), json={"title": "Use REST"}, headers=team.author)
    assert proposal.json()["number"] == 3, "a proposal never takes a reserved number"


@ON_SQLITE
async def test_a_viewer_cannot_reserve_and_a_bad_title_names_the_field(
    client: httpx.AsyncClient, team: Team
) -> None:
    denied = await client.post(f"/v1/logs/{team.slug}/numbers", headers=team.viewer)
    assert_problem(denied, 403, "forbidden")
    bad = await client.post(
        f"/v1/logs/{team.slug}/numbers", json={"title": "two\nlines"}, headers=team.author
    )
    assert assert_problem(bad, 422, "validation-error")["errors"][0]["loc"] == ["body", "title"]


@ON_POSTGRES
async def test_fifty_concurrent_reservations_get_fifty_distinct_numbers(
    client: httpx.AsyncClient, team: Team
) -> None:
    replies = await asyncio.gather(*(reserve(client, team, f"Decision {i}") for i in range(50)))
    assert all(reply.status_code == 201 for reply in replies), [r.text for r in replies]
    numbers = sorted(reply.json()["number"] for reply in replies)
    assert numbers == list(range(1, 51))


@ON_SQLITE
async def test_after_the_first_sync_a_new_file_takes_the_number_reserved_for_it_or_collides(
    app: FastAPI, client: httpx.AsyncClient, team: Team, tmp_path: Path
) -> None:
    repo = GitFolder(tmp_path / "repo.git")
    repo.commit({"0001-use-kafka.md": madr("Use Kafka")})
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    await sync(app, client, team)

    reserved = (await reserve(client, team, "Use REST")).json()
    unreserved = (await reserve(client, team, "Given to someone else")).json()
    repo.commit(
        {
            reserved["file"]: madr("Use REST"),
            f"{unreserved['number']:04d}-use-grpc.md": madr("Use gRPC"),
            # Past every number the registry gave out: nobody can hold it.
            "0009-use-soap.md": madr("Use SOAP"),
        }
    )
    report = await sync(app, client, team)

    assert outcomes(report) == {
        "0001-use-kafka.md": ("unchanged", 1),
        reserved["file"]: ("created", reserved["number"]),
        f"{unreserved['number']:04d}-use-grpc.md": ("error", unreserved["number"]),
        "0009-use-soap.md": ("created", 9),
    }
    collided = next(f for f in report["files"] if f["file"].endswith("use-grpc.md"))
    assert collided["problems"][0]["rule"] == "number-collision"
    message = collided["problems"][0]["message"]
    assert f"reserved by ann for {unreserved['file']}, not for this file" in message
