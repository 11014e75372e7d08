"""Git sync over HTTP: a log mirrors a folder of a git repository made by the test.

The API queues a sync (202); the test then runs it as a worker would, through the
same handler (the Celery message waits in the embedded broker), and reads the report.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from application.commands import RunSync
from application.handlers.git_sync import RunSyncHandler
from entrypoints.settings import Settings
from tests.e2e.conftest import MAX_BODY_BYTES, Team, assert_problem
from tests.git_folders import SUBMODULE, SYMLINK, GitFolder, served

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        git_allow_local_sources=True,
        # The test's HTTP remote listens on loopback, which the SSRF guard refuses.
        webhook_allow_hosts="127.0.0.1",
        git_max_repository_bytes=200_000,
    )


@pytest.fixture
def repo(tmp_path: Path) -> GitFolder:
    return GitFolder(tmp_path / "repo.git")


def madr(title: str, status: str = "accepted", *, context: str = "", links: str = "") -> bytes:
    body = f"\n## Context and Problem Statement\n\n{context}\n" if context else ""
    return f"---\nstatus: {status}\ndate: 2024-01-01\n{links}---\n\n# {title}\n{body}".encode()


async def attach(
    client: httpx.AsyncClient, team: Team, source: dict[str, str] | None
) -> httpx.Response:
    log = await client.get(f"/v1/logs/{team.slug}", headers=team.owner)
    return await client.patch(
        f"/v1/logs/{team.slug}",
        json={"source": source},
        headers={**team.owner, "If-Match": log.headers["etag"]},
    )


async def sync(app: FastAPI, client: httpx.AsyncClient, team: Team) -> dict[str, Any]:
    reply = await client.post(f"/v1/logs/{team.slug}/sync", headers=team.owner)
    assert reply.status_code == 202, reply.text
    queued = reply.json()
    assert queued["state"] == "queued"
    assert reply.headers["location"] == f"/v1/logs/{team.slug}/syncs/{queued['id']}"
    run: RunSyncHandler = app.state.services.get(RunSyncHandler)
    await run(RunSync(queued["id"]))
    done = await client.get(reply.headers["location"], headers=team.viewer)
    assert done.status_code == 200, done.text
    body: dict[str, Any] = done.json()
    assert body["state"] == "done"
    return body


def outcomes(report: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    return {f["file"]: (f["outcome"], f["number"]) for f in report["files"]}


async def decisions(client: httpx.AsyncClient, team: Team) -> dict[int, dict[str, Any]]:
    reply = await client.get(team.decisions(), headers=team.viewer)
    assert reply.status_code == 200, reply.text
    found = {}
    for item in reply.json()["items"]:
        full = await client.get(team.decisions(f"/{item['number']}"), headers=team.viewer)
        found[item["number"]] = full.json()
    return found


async def actors(client: httpx.AsyncClient, team: Team, number: int) -> list[str]:
    reply = await client.get(team.decisions(f"/{number}/history"), headers=team.viewer)
    return [entry["actor"] for entry in reply.json()["items"]]


# -- the source -----------------------------------------------------------------------


async def test_an_admin_gives_a_log_a_git_source_shown_without_credentials_and_detaches_it(
    client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    source = {"url": repo.url, "branch": "main", "path": "docs/adr"}
    reply = await attach(client, team, source)
    assert reply.status_code == 200, reply.text
    assert reply.json()["source"] == source
    shown = await client.get(f"/v1/logs/{team.slug}", headers=team.viewer)
    assert shown.json()["source"] == source

    detached = await attach(client, team, None)
    assert detached.status_code == 200, detached.text
    assert detached.json()["source"] is None


async def test_only_an_admin_may_set_the_source(
    client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    log = await client.get(f"/v1/logs/{team.slug}", headers=team.owner)
    reply = await client.patch(
        f"/v1/logs/{team.slug}",
        json={"source": {"url": repo.url}},
        headers={**team.decider, "If-Match": log.headers["etag"]},
    )
    assert_problem(reply, 403, "forbidden")


@pytest.mark.parametrize(
    ("source", "field"),
    [
        ({"url": "https://user:secret@git.example.com/a.git"}, "source.url"),
        ({"url": "ssh://git.example.com/a.git"}, "source.url"),
        ({"url": "http://169.254.169.254/latest"}, "source.url"),
        ({"url": "https://git.example.com/a.git", "branch": "a..b"}, "source.branch"),
        ({"url": "https://git.example.com/a.git", "path": "../etc"}, "source.path"),
    ],
)
async def test_a_source_the_registry_may_not_read_is_a_422_naming_the_field(
    client: httpx.AsyncClient, team: Team, source: dict[str, str], field: str
) -> None:
    problem = assert_problem(await attach(client, team, source), 422, "validation-error")
    assert problem["errors"][0]["loc"] == [field]
    assert "secret" not in problem["detail"]


async def test_local_sources_are_refused_unless_the_operator_allows_them(
    database_url: str, tmp_path: Path, repo: GitFolder
) -> None:
    from entrypoints.http.app import create_app
    from tests.e2e.conftest import bearer

    settings = Settings(data_dir=tmp_path / "other", database_url=database_url)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        from application.commands import CreateUser
        from application.handlers.users import CreateUserHandler
        from application.views import OPERATOR

        create: CreateUserHandler = app.state.services.get(CreateUserHandler)
        owner = bearer((await create(CreateUser(OPERATOR, "olga"))).token)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await client.post("/v1/logs", json={"slug": "local", "title": "L"}, headers=owner)
            reply = await client.patch(
                "/v1/logs/local",
                json={"source": {"url": f"file://{repo.url}"}},
                headers={**owner, "If-Match": '"1"'},
            )
    problem = assert_problem(reply, 422, "validation-error")
    assert "ADR_REGISTRY_GIT_ALLOW_LOCAL_SOURCES" in problem["detail"]


# -- syncing --------------------------------------------------------------------------


async def test_each_sync_brings_in_exactly_its_commits_change_and_the_same_commit_nothing(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    first = repo.commit(
        {"0001-use-kafka.md": madr("Use Kafka"), "0002-use-rest.md": madr("Use REST")}
    )
    assert (await attach(client, team, {"url": repo.url, "path": "docs/adr"})).status_code == 200

    report = await sync(app, client, team)
    assert (report["outcome"], report["commit"], report["author"]) == ("imported", first, "Ann")
    assert outcomes(report) == {
        "0001-use-kafka.md": ("created", 1),
        "0002-use-rest.md": ("created", 2),
    }
    assert await actors(client, team, 1) == [f"git:{first[:7]} by Ann"]

    changed = repo.commit(
        {"0002-use-rest.md": madr("Use REST", context="Clients speak HTTP.")},
        author="Bob <bob@example.com>",
    )
    report = await sync(app, client, team)
    assert outcomes(report) == {
        "0001-use-kafka.md": ("unchanged", 1),
        "0002-use-rest.md": ("updated", 2),
    }
    assert (await actors(client, team, 2))[-1] == f"git:{changed[:7]} by Bob"
    assert await actors(client, team, 1) == [f"git:{first[:7]} by Ann"]

    before = await decisions(client, team)
    again = await sync(app, client, team)
    assert (again["outcome"], again["commit"], again["files"]) == ("unchanged", changed, [])
    assert await decisions(client, team) == before

    renamed = repo.commit(
        {"0001-use-kafka.md": None, "0001-kafka-as-the-event-bus.md": madr("Use Kafka")}
    )
    report = await sync(app, client, team)
    assert report["commit"] == renamed
    assert outcomes(report) == {
        "0001-kafka-as-the-event-bus.md": ("unchanged", 1),
        "0002-use-rest.md": ("unchanged", 2),
    }
    assert await decisions(client, team) == before

    repo.commit({"0002-use-rest.md": None})
    report = await sync(app, client, team)
    assert outcomes(report)["0002-use-rest.md"] == ("removed", 2)
    removed = next(f for f in report["files"] if f["file"] == "0002-use-rest.md")
    assert "stays in the registry, marked removed from source" in removed["problems"][0]["message"]
    assert (await decisions(client, team))[2] == before[2], "a removed file deletes nothing"


async def test_an_http_remote_served_on_loopback_syncs_like_a_local_path(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    commit = repo.commit({"0001-use-kafka.md": madr("Use Kafka")})
    with served(repo) as url:
        assert (await attach(client, team, {"url": url, "path": "docs/adr"})).status_code == 200
        report = await sync(app, client, team)
    assert (report["outcome"], report["commit"]) == ("imported", commit)
    assert outcomes(report) == {"0001-use-kafka.md": ("created", 1)}


async def test_a_file_that_does_not_parse_is_reported_and_its_decision_left_as_it_was(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    repo.commit({"0001-use-kafka.md": madr("Use Kafka")})
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    await sync(app, client, team)
    before = await decisions(client, team)

    repo.commit({"0001-use-kafka.md": madr("Use Kafka", status="aproved")})
    report = await sync(app, client, team)
    assert report["outcome"] == "imported"
    assert outcomes(report) == {"0001-use-kafka.md": ("error", None)}
    assert await decisions(client, team) == before


async def test_a_new_file_with_another_files_number_is_a_collision_not_an_overwrite(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    repo.commit({"0001-use-kafka.md": madr("Use Kafka")})
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    await sync(app, client, team)
    before = await decisions(client, team)

    repo.commit({"0001-use-rabbitmq.md": madr("Use RabbitMQ")})
    report = await sync(app, client, team)
    collided = next(f for f in report["files"] if f["file"] == "0001-use-rabbitmq.md")
    assert collided["outcome"] == "error"
    assert collided["problems"][0]["rule"] == "number-collision"
    assert "0001-use-kafka.md already holds decision 1" in collided["problems"][0]["message"]
    assert await decisions(client, team) == before


# -- the repository is the source of truth ---------------------------------------------


async def test_api_writes_to_a_synced_log_are_409_naming_the_repository_and_file(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    repo.commit({"0001-use-kafka.md": madr("Use Kafka", status="proposed")})
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    await sync(app, client, team)

    edit = await client.patch(
        team.decisions("/1"),
        json={"title": "Use Pulsar"},
        headers={**team.author, "If-Match": '"1"'},
    )
    problem = assert_problem(edit, 409, "source-of-truth")
    assert problem["repository"] == repo.url
    assert problem["file"] == "0001-use-kafka.md"
    assert "docs/adr/0001-use-kafka.md" in problem["detail"]
    accept = await client.post(team.decisions("/1/accept"), headers=team.decider)
    assert_problem(accept, 409, "source-of-truth")
    new = await client.post(team.decisions(), json={"title": "Use gRPC"}, headers=team.author)
    assert assert_problem(new, 409, "source-of-truth")["file"] is None

    await attach(client, team, None)
    edit = await client.patch(
        team.decisions("/1"),
        json={"title": "Use Pulsar"},
        headers={**team.author, "If-Match": '"1"'},
    )
    assert edit.status_code == 200, "detached, the API is the log's source again"


async def test_syncing_a_log_without_a_source_is_a_409(
    client: httpx.AsyncClient, team: Team
) -> None:
    reply = await client.post(f"/v1/logs/{team.slug}/sync", headers=team.owner)
    assert "PATCH" in assert_problem(reply, 409, "no-git-source")["detail"]


# -- bad input: the sync says why, the log keeps its last good state ---------------------


async def test_what_a_sync_cannot_read_ends_it_with_a_reason_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    repo.commit({"0001-use-kafka.md": madr("Use Kafka")})
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    await sync(app, client, team)
    before = await decisions(client, team)

    cases: list[tuple[dict[str, str], str]] = [
        ({"url": "http://127.0.0.1:9/nothing.git", "path": "docs/adr"}, "cannot be reached"),
        ({"url": repo.url, "branch": "develop", "path": "docs/adr"}, "no branch 'develop'"),
        ({"url": repo.url, "path": "docs/decisions"}, "no folder 'docs/decisions'"),
        ({"url": str(repo.root.parent / "missing")}, "not a git repository"),
    ]
    for source, reason in cases:
        assert (await attach(client, team, source)).status_code == 200
        report = await sync(app, client, team)
        assert (report["outcome"], report["files"]) == ("failed", []), source
        assert reason in report["reason"], report["reason"]
    assert await decisions(client, team) == before

    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    # Random, so that the pack cannot compress it below the limit (200 kB here).
    repo.commit({"0002-big.md": madr("Big", context=random.Random(1).randbytes(300_000).hex())})
    report = await sync(app, client, team)
    assert report["outcome"] == "failed"
    assert "ADR_REGISTRY_GIT_MAX_REPOSITORY_BYTES" in report["reason"]
    assert await decisions(client, team) == before


async def test_symbolic_links_submodules_and_huge_files_are_reported_not_read(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    repo.commit(
        {
            "0001-use-kafka.md": madr("Use Kafka"),
            "0002-passwd.md": b"../../../../etc/passwd",
            "0003-inside.md": b"0001-use-kafka.md",
            "0004-vendored.md": b"a" * 40,
        },
        modes={"0002-passwd.md": SYMLINK, "0003-inside.md": SYMLINK, "0004-vendored.md": SUBMODULE},
    )
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    report = await sync(app, client, team)

    assert outcomes(report) == {
        "0001-use-kafka.md": ("created", 1),
        "0002-passwd.md": ("error", None),
        "0003-inside.md": ("error", None),
        "0004-vendored.md": ("error", None),
    }
    why = {f["file"]: f["problems"][0]["message"] for f in report["files"] if f["problems"]}
    assert "a path out of the folder" in why["0002-passwd.md"]
    assert "symbolic link" in why["0003-inside.md"]
    assert "submodule" in why["0004-vendored.md"]
    assert set(await decisions(client, team)) == {1}


async def test_a_file_over_one_mebibyte_is_reported_and_the_rest_imported(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    repo.commit(
        {
            "0001-use-kafka.md": madr("Use Kafka"),
            # It compresses well: the pack stays under the repository limit.
            "0002-huge.md": madr("Huge", context="x" * (1024 * 1024)),
        }
    )
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    report = await sync(app, client, team)
    assert outcomes(report) == {
        "0001-use-kafka.md": ("created", 1),
        "0002-huge.md": ("error", None),
    }
    huge = next(f for f in report["files"] if f["file"] == "0002-huge.md")
    assert "1 MiB" in huge["problems"][0]["message"]


async def test_a_sync_while_another_holds_the_log_is_skipped_and_says_so(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    import datetime as dt

    from application.ports import GitSyncs
    from domain.values import LogSlug

    repo.commit({"0001-use-kafka.md": madr("Use Kafka")})
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    syncs: GitSyncs = app.state.services.get(GitSyncs)
    now = dt.datetime.now(dt.UTC)
    assert await syncs.acquire(
        LogSlug(team.slug), "a-worker", now=now, until=now + dt.timedelta(minutes=5)
    )
    report = await sync(app, client, team)
    assert report["outcome"] == "skipped"
    assert "another sync of this log was running" in report["reason"]
    assert await decisions(client, team) == {}

    await syncs.release(LogSlug(team.slug), "a-worker")
    assert (await sync(app, client, team))["outcome"] == "imported"


async def test_recent_syncs_are_listed_newest_first_a_page_at_a_time(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    repo.commit({"0001-use-kafka.md": madr("Use Kafka")})
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    ids = [(await sync(app, client, team))["id"] for _ in range(3)]

    first = await client.get(f"/v1/logs/{team.slug}/syncs?limit=2", headers=team.viewer)
    assert [s["id"] for s in first.json()["items"]] == [ids[2], ids[1]]
    cursor = first.json()["next_cursor"]
    rest = await client.get(
        f"/v1/logs/{team.slug}/syncs", params={"limit": 2, "cursor": cursor}, headers=team.viewer
    )
    assert [s["id"] for s in rest.json()["items"]] == [ids[0]]
    assert rest.json()["next_cursor"] is None
    other = await client.get(f"/v1/logs/{team.slug}/syncs/{ids[0]}", headers=team.stranger)
    assert_problem(other, 404, "not-found")


async def test_drift_lists_what_no_file_holds_changed_since_the_sync_or_deleted(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    made_here = await client.post(
        team.decisions(), json={"title": "Made here"}, headers=team.author
    )
    assert made_here.json()["number"] == 1
    repo.commit({"0002-use-kafka.md": madr("Use Kafka"), "0003-use-rest.md": madr("Use REST")})
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    await sync(app, client, team)
    drift = await client.get(f"/v1/logs/{team.slug}/drift", headers=team.viewer)
    assert [d["number"] for d in drift.json()["items"]] == [1]

    # Written while the log did not mirror the folder for a moment.
    await attach(client, team, None)
    current = await client.get(team.decisions("/2"), headers=team.author)
    tagged = await client.patch(
        team.decisions("/2"),
        json={"tags": ["messaging"]},
        headers={**team.author, "If-Match": current.headers["etag"]},
    )
    assert tagged.status_code == 200, tagged.text
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    drift = await client.get(f"/v1/logs/{team.slug}/drift", headers=team.viewer)
    assert drift.status_code == 200, drift.text
    items = {d["number"]: (d["file"], d["reason"]) for d in drift.json()["items"]}
    assert set(items) == {1, 2}
    assert items[2][0] == "0002-use-kafka.md"
    assert items[2][1].startswith("changed since the sync of")

    # The next commit's sync brings the file's word back, and deletes nothing.
    deleted = repo.commit({"0003-use-rest.md": None})
    await sync(app, client, team)
    drift = await client.get(f"/v1/logs/{team.slug}/drift", headers=team.viewer)
    items = {d["number"]: (d["file"], d["reason"]) for d in drift.json()["items"]}
    assert set(items) == {1, 3}
    assert items[1] == (None, "no file of the folder holds it")
    assert items[3] == (
        "0003-use-rest.md",
        f"its file was deleted from the folder in {deleted[:7]}: the decision stays, "
        "removed from source",
    )
    await attach(client, team, None)
    unsynced = await client.get(f"/v1/logs/{team.slug}/drift", headers=team.viewer)
    assert_problem(unsynced, 409, "no-git-source")


async def test_after_the_first_sync_a_new_file_may_not_take_a_decision_no_file_holds(
    app: FastAPI, client: httpx.AsyncClient, team: Team, repo: GitFolder
) -> None:
    await client.post(team.decisions(), json={"title": "Made here"}, headers=team.author)
    repo.commit({"0002-use-kafka.md": madr("Use Kafka")})
    await attach(client, team, {"url": repo.url, "path": "docs/adr"})
    await sync(app, client, team)
    before = await decisions(client, team)

    repo.commit({"0001-use-rest.md": madr("Use REST")})
    report = await sync(app, client, team)
    collided = next(f for f in report["files"] if f["file"] == "0001-use-rest.md")
    assert (collided["outcome"], collided["problems"][0]["rule"]) == ("error", "number-collision")
    assert "no file of the folder holds it" in collided["problems"][0]["message"]
    assert await decisions(client, team) == before
