"""The adr-registry command: it calls the same handlers as the API."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from application.authentication import PersonalAccessToken
from application.commands import Authenticate, SignIn
from application.errors import NotAuthenticated
from application.handlers.passwords import SignInHandler
from application.handlers.users import AuthenticateHandler
from application.views import Actor
from entrypoints import cli
from entrypoints.bootstrap import build_container, dispose, migrate_database
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

pytestmark = pytest.mark.usefixtures("restore_logging")

PHRASE = "a long pass phrase"


def _invoke(data_dir: Path, *args: str, input: str | None = None) -> Result:
    # An empty database URL means the embedded SQLite file in the data dir.
    # An empty broker URL means the embedded broker there too.
    env = {
        "ADR_REGISTRY_DATA_DIR": str(data_dir),
        "ADR_REGISTRY_DATABASE_URL": "",
        "ADR_REGISTRY_BROKER_URL": "",
    }
    return CliRunner().invoke(cli.main, list(args), env=env, input=input)


async def _signed_in(settings: Settings, username: str, password: str) -> Actor | None:
    container = build_container(settings)
    try:
        sign_in: SignInHandler = container.resolve(SignInHandler)
        return await sign_in(SignIn(username, password))
    except NotAuthenticated:
        return None
    finally:
        await dispose(container)


async def _actor_of(settings: Settings, token: str) -> Actor:
    container = build_container(settings)
    try:
        authenticate: AuthenticateHandler = container.resolve(AuthenticateHandler)
        return await authenticate(Authenticate(PersonalAccessToken.presented(token)))
    finally:
        await dispose(container)


def test_users_create_prints_a_token_that_authenticates(tmp_path: Path) -> None:
    assert _invoke(tmp_path, "migrate").exit_code == 0
    created = _invoke(tmp_path, "users", "create", "ada")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()

    async def get_logs() -> httpx.Response:
        app = create_app(Settings(data_dir=tmp_path))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client,
        ):
            return await client.get("/v1/logs", headers={"Authorization": f"Bearer {token}"})

    assert asyncio.run(get_logs()).status_code == 200
    assert asyncio.run(_actor_of(Settings(data_dir=tmp_path), token)) == Actor("ada")


def test_users_create_makes_site_admins_and_refuses_a_taken_name(tmp_path: Path) -> None:
    _invoke(tmp_path, "migrate")
    admin = _invoke(tmp_path, "users", "create", "root", "--admin")
    assert admin.exit_code == 0, admin.output
    actor = asyncio.run(_actor_of(Settings(data_dir=tmp_path), admin.stdout.strip()))
    assert actor == Actor("root", is_admin=True)

    again = _invoke(tmp_path, "users", "create", "root")
    assert again.exit_code == 1
    assert "already exists" in again.output
    invalid = _invoke(tmp_path, "users", "create", "no spaces")
    assert invalid.exit_code == 1
    assert "not a valid username" in invalid.output


async def test_first_start_creates_the_admin_once_with_a_private_token_file(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    token = await cli.prepare_to_serve(settings)
    assert token is not None
    path = settings.admin_token_path
    assert path.read_text() == token + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert await _actor_of(settings, token) == Actor("admin", is_admin=True)

    assert await cli.prepare_to_serve(settings) is None
    assert path.read_text() == token + "\n"


async def test_first_start_does_nothing_when_there_are_users(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    await migrate_database(settings)
    container = build_container(settings)
    try:
        assert await cli.create_first_admin(container, tmp_path / "a") is not None
        assert await cli.create_first_admin(container, tmp_path / "b") is None
    finally:
        await dispose(container)
    assert not (tmp_path / "b").exists()


def test_serve_says_where_the_admin_token_is_never_what_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[Any] = []

    class Server:
        def __init__(self, config: Any) -> None:
            served.append(config)

        def run(self) -> None:
            pass

    monkeypatch.setattr(cli.uvicorn, "Server", Server)
    result = _invoke(tmp_path, "serve", "--host", "0.0.0.0", "--port", "8123")
    assert result.exit_code == 0, result.output
    token = (tmp_path / "admin-token").read_text().strip()
    # Consoles end up in log collectors: the token stays in its 0600 file.
    assert token not in result.stdout
    assert str(tmp_path / "admin-token") in result.stdout
    assert "http://127.0.0.1:8123/docs" in result.stdout
    (config,) = served
    assert (config.host, config.port) == ("0.0.0.0", 8123)
    # The app writes its own access lines, cheaper than uvicorn's (see middleware); no
    # banner; bounded heads and idle connections.
    assert (config.log_config, config.access_log, config.server_header) == (None, False, False)
    assert config.h11_max_incomplete_event_size == 16 * 1024
    assert config.timeout_keep_alive == 5
    assert config.proxy_headers is True

    again = _invoke(tmp_path, "serve")
    assert token not in again.stdout
    assert "http://127.0.0.1:8000/docs" in again.stdout


def _log_created_over_http(data_dir: Path, token: str, slug: str) -> None:
    async def create() -> None:
        app = create_app(Settings(data_dir=data_dir))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client,
        ):
            reply = await client.post(
                "/v1/logs",
                json={"slug": slug, "title": slug.title()},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert reply.status_code == 201, reply.text

    asyncio.run(create())


GOOD = "---\nstatus: accepted\ndate: 2024-01-02\n---\n\n# Use {name}\n"


def test_import_then_export_round_trips_a_folder(tmp_path: Path) -> None:
    data, source, out = tmp_path / "data", tmp_path / "adr", tmp_path / "out"
    source.mkdir()
    for number, name in ((1, "PostgreSQL"), (2, "Redis")):
        (source / f"000{number}-use-{name.lower()}.md").write_text(GOOD.format(name=name))
    assert _invoke(data, "migrate").exit_code == 0
    token = _invoke(data, "users", "create", "ada").stdout.strip()
    _log_created_over_http(data, token, "platform")

    imported = _invoke(data, "import", "platform", str(source))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.strip().endswith("2 created")
    # The command sent its events itself: they went to the embedded broker's folder.
    assert any((data / "broker" / "messages").iterdir())
    again = _invoke(data, "import", "platform", str(source))
    assert again.stdout.strip().endswith("2 unchanged")

    exported = _invoke(data, "export", "platform", str(out))
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in out.iterdir()) == [
        "0001-use-postgresql.md",
        "0002-use-redis.md",
        "index.md",
    ]
    assert "# Use Redis" in (out / "0002-use-redis.md").read_text()


def test_import_with_a_bad_file_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    data, source = tmp_path / "data", tmp_path / "adr"
    source.mkdir()
    (source / "0001-good.md").write_text(GOOD.format(name="X"))
    (source / "0002-bad.md").write_text("---\nstatus: maybe\n---\n# Bad\n")
    assert _invoke(data, "migrate").exit_code == 0
    token = _invoke(data, "users", "create", "ada").stdout.strip()
    _log_created_over_http(data, token, "platform")

    result = _invoke(data, "import", "platform", str(source))
    assert result.exit_code == 1
    assert "0002-bad.md:2: error [unknown-status]" in result.stderr
    assert "Nothing was imported" in result.stderr
    partial = _invoke(data, "import", "platform", str(source), "--partial")
    assert partial.exit_code == 1
    assert "1 created" in partial.stdout


def test_lint_prints_each_problem_and_exits_1_on_errors(tmp_path: Path) -> None:
    (tmp_path / "0001-good.md").write_text(GOOD.format(name="X"))
    clean = _invoke(tmp_path / "data", "lint", str(tmp_path / "0001-good.md"))
    assert clean.exit_code == 0, clean.output
    (tmp_path / "0002-bad.md").write_text("---\nstatus: maybe\n---\n# Bad\n")
    dirty = _invoke(tmp_path / "data", "lint", str(tmp_path))
    assert dirty.exit_code == 1
    assert "0002-bad.md:2: error [unknown-status]" in dirty.stdout


def test_importing_into_a_missing_log_says_so(tmp_path: Path) -> None:
    source = tmp_path / "0001-x.md"
    source.write_text(GOOD.format(name="X"))
    assert _invoke(tmp_path, "migrate").exit_code == 0
    result = _invoke(tmp_path, "import", "nowhere", str(source))
    assert result.exit_code == 1
    assert "there is no log 'nowhere'" in result.output


def test_worker_alive_answers_for_a_liveness_probe(tmp_path: Path) -> None:
    dead = _invoke(tmp_path, "worker-alive")
    assert dead.exit_code == 1
    assert "no worker heartbeat" in dead.output
    (tmp_path / "worker-heartbeat").touch()
    assert _invoke(tmp_path, "worker-alive", "--max-age", "30").exit_code == 0


def test_search_reindex_rebuilds_the_index_and_says_how_many(tmp_path: Path) -> None:
    data, source = tmp_path / "data", tmp_path / "adr"
    source.mkdir()
    for number, name in ((0, "PostgreSQL"), (1, "Redis")):
        (source / f"000{number}-use-{name.lower()}.md").write_text(GOOD.format(name=name))
    assert _invoke(data, "migrate").exit_code == 0
    token = _invoke(data, "users", "create", "ada").stdout.strip()
    _log_created_over_http(data, token, "platform")
    assert _invoke(data, "import", "platform", str(source)).exit_code == 0

    result = _invoke(data, "search", "reindex")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Indexed 2 decisions."

    async def search() -> list[int]:
        app = create_app(Settings(data_dir=data))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client,
        ):
            reply = await client.get(
                "/v1/search",
                params={"q": "postgresql"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert reply.status_code == 200, reply.text
            return [hit["number"] for hit in reply.json()["items"]]

    assert asyncio.run(search()) == [0]


def test_import_ignores_a_readme_and_rewrites_a_taken_number_only_with_update(
    tmp_path: Path,
) -> None:
    data, source = tmp_path / "data", tmp_path / "adr"
    proposal = GOOD.replace("accepted", "proposed")
    source.mkdir()
    (source / "README.md").write_text("# Our decisions\n")
    (source / "0001-use-postgresql.md").write_text(proposal.format(name="PostgreSQL"))
    assert _invoke(data, "migrate").exit_code == 0
    token = _invoke(data, "users", "create", "ada").stdout.strip()
    _log_created_over_http(data, token, "platform")
    assert _invoke(data, "import", "platform", str(source)).exit_code == 0
    (source / "0001-use-postgresql.md").write_text(proposal.format(name="MySQL"))

    refused = _invoke(data, "import", "platform", str(source))
    updated = _invoke(data, "import", "platform", str(source), "--update")

    assert refused.exit_code == 1
    assert "0001-use-postgresql.md:1: error [number-taken]" in refused.stderr
    assert "README.md:1: warning [not-a-decision]" in refused.stderr
    assert updated.exit_code == 0, updated.output
    assert updated.stdout.strip().endswith("1 ignored, 1 updated")


def test_users_create_with_password_prompts_twice_and_the_user_signs_in(tmp_path: Path) -> None:
    _invoke(tmp_path, "migrate")
    created = _invoke(
        tmp_path, "users", "create", "ada", "--admin", "--password", input=f"{PHRASE}\n{PHRASE}\n"
    )
    assert created.exit_code == 0, created.output
    assert PHRASE not in created.output  # typed without echo
    assert "adr_" not in created.output  # no token printed
    settings = Settings(data_dir=tmp_path)
    assert asyncio.run(_signed_in(settings, "ada", PHRASE)) == Actor("ada", is_admin=True)


def test_a_password_against_the_policy_is_refused_with_the_reason(tmp_path: Path) -> None:
    _invoke(tmp_path, "migrate")
    refused = _invoke(tmp_path, "users", "create", "ada", "--password", input="short\nshort\n")
    assert refused.exit_code == 1
    assert "password: is 5 characters; use at least 12" in refused.output
    assert asyncio.run(_signed_in(Settings(data_dir=tmp_path), "ada", "short")) is None


def test_users_set_password_replaces_the_old_one(tmp_path: Path) -> None:
    _invoke(tmp_path, "migrate")
    _invoke(tmp_path, "users", "create", "ada", "--password", input=f"{PHRASE}\n{PHRASE}\n")
    new = "another long phrase"
    changed = _invoke(tmp_path, "users", "set-password", "ada", input=f"{new}\n{new}\n")
    assert changed.exit_code == 0, changed.output
    settings = Settings(data_dir=tmp_path)
    assert asyncio.run(_signed_in(settings, "ada", PHRASE)) is None
    assert asyncio.run(_signed_in(settings, "ada", new)) == Actor("ada")
    missing = _invoke(tmp_path, "users", "set-password", "bob", input=f"{new}\n{new}\n")
    assert missing.exit_code == 1
    assert "there is no user 'bob'" in missing.output


def test_users_disable_stops_a_users_token_at_once_and_enable_restores_it(
    tmp_path: Path,
) -> None:
    _invoke(tmp_path, "migrate")
    token = _invoke(tmp_path, "users", "create", "ada").stdout.strip()

    async def status_of_a_read() -> int:
        app = create_app(Settings(data_dir=tmp_path))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client,
        ):
            reply = await client.get("/v1/logs", headers={"Authorization": f"Bearer {token}"})
            return reply.status_code

    assert asyncio.run(status_of_a_read()) == 200
    disabled = _invoke(tmp_path, "users", "disable", "ada")
    assert disabled.exit_code == 0, disabled.output
    assert asyncio.run(status_of_a_read()) == 401
    assert _invoke(tmp_path, "users", "enable", "ada").exit_code == 0
    assert asyncio.run(status_of_a_read()) == 200
