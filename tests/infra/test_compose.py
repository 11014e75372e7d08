"""infra/compose.yaml, parsed: its services and their wiring (no Docker engine here;
`docker compose config` runs too where one is installed)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.infra.manifests import INFRA, env_file, load_yaml

COMPOSE = INFRA / "compose.yaml"
REGISTRY_SERVICES = ("migrate", "api", "worker", "beat")


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, object]]:
    return load_yaml(COMPOSE)["services"]  # type: ignore[no-any-return]


def test_it_runs_the_registry_beside_postgresql_rabbitmq_and_redis(services: dict) -> None:
    assert set(services) == {"postgres", "rabbitmq", "redis", *REGISTRY_SERVICES}
    commands = {name: services[name]["command"][0] for name in REGISTRY_SERVICES}
    assert commands == {"migrate": "migrate", "api": "serve", "worker": "worker", "beat": "beat"}
    # One image for all four.
    assert len({services[name]["image"] for name in REGISTRY_SERVICES}) == 1


def test_each_long_running_service_has_a_health_check(services: dict) -> None:
    for name in ("postgres", "rabbitmq", "redis", "api", "worker", "beat"):
        test = services[name]["healthcheck"]["test"]
        assert test, name
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["worker"]["healthcheck"]["test"][1:] == ["adr-registry", "worker-alive"]
    assert services["beat"]["healthcheck"]["test"][1:] == ["adr-registry", "beat-alive"]


def test_the_registry_starts_after_the_migration_and_the_servers_are_healthy(
    services: dict,
) -> None:
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in ("api", "worker", "beat"):
        needs = services[name]["depends_on"]
        assert needs["migrate"] == {"condition": "service_completed_successfully"}, name
        assert needs["rabbitmq"] == {"condition": "service_healthy"}, name
    assert services["api"]["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert "--no-migrate" in services["api"]["command"]


def test_the_registry_runs_read_only_without_privileges_and_settings_from_the_example(
    services: dict,
) -> None:
    for name in REGISTRY_SERVICES:
        service = services[name]
        assert service["read_only"] is True, name
        assert any(t.startswith("/data") for t in service["tmpfs"]), name
        assert service["cap_drop"] == ["ALL"], name
        assert service["env_file"][0] == {"path": ".env.example"}, name
    example = env_file(INFRA / ".env.example")
    assert example["ADR_REGISTRY_ENV"] == "production"
    assert example["ADR_REGISTRY_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@postgres:" in example["ADR_REGISTRY_DATABASE_URL"]
    assert "@rabbitmq:" in example["ADR_REGISTRY_BROKER_URL"]
    assert example["ADR_REGISTRY_RATE_LIMIT_STORAGE_URL"].startswith("redis://redis:")


def test_docker_compose_accepts_it_where_docker_is_installed() -> None:
    docker = shutil.which("docker")
    has_compose = (
        docker is not None
        and (
            subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        ).returncode
        == 0
    )
    if docker is None or not has_compose:
        pytest.skip("no Docker Compose here: the file is checked by parsing it (above)")
    run = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
