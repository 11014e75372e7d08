"""Production mode and bad settings: the process stops at start with one line naming the
variable; the server gets the proxy and shutdown settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from entrypoints import cli
from entrypoints.settings import Settings, describe_invalid

pytestmark = pytest.mark.usefixtures("restore_logging")

COMMAND = str(Path(sys.executable).parent / "adr-registry")
POSTGRES = "postgresql+asyncpg://registry@db.internal/registry"


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin", "ADR_REGISTRY_DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [COMMAND, *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_the_embedded_database_in_one_line(tmp_path: Path) -> None:
    done = run(tmp_path, "serve", ADR_REGISTRY_ENV="production")
    assert done.returncode == 1
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: ADR_REGISTRY_DATABASE_URL must name a PostgreSQL database")
    assert "ADR_REGISTRY_ENV=production" in line
    assert "Traceback" not in done.stderr


def test_production_refuses_the_embedded_broker_in_one_line(tmp_path: Path) -> None:
    done = run(
        tmp_path, "worker", ADR_REGISTRY_ENV="production", ADR_REGISTRY_DATABASE_URL=POSTGRES
    )
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: ADR_REGISTRY_BROKER_URL must name a RabbitMQ broker")


def test_a_malformed_setting_stops_the_process_naming_it_and_the_expected_form(
    tmp_path: Path,
) -> None:
    done = run(tmp_path, "serve", ADR_REGISTRY_WORKER_CONCURRENCY="two")
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: ADR_REGISTRY_WORKER_CONCURRENCY: ")
    assert "valid integer" in line


def test_production_refuses_a_random_jwt_key_per_process(tmp_path: Path) -> None:
    done = run(
        tmp_path,
        "serve",
        ADR_REGISTRY_ENV="production",
        ADR_REGISTRY_DATABASE_URL=POSTGRES,
        ADR_REGISTRY_BROKER_URL="amqp://mq//",
    )
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: ADR_REGISTRY_JWT_KEYS must be set")


PRODUCTION = {
    "env": "production",
    "database_url": POSTGRES,
    "broker_url": "amqp://mq//",
    "jwt_keys": "k1:" + "s" * 32,
    "rate_limit_storage_url": "redis://redis:6379/0",
}


def test_production_refuses_rate_limit_counters_in_one_process_memory() -> None:
    without = {**PRODUCTION, "rate_limit_storage_url": ""}
    with pytest.raises(ValidationError, match="ADR_REGISTRY_RATE_LIMIT_STORAGE_URL must name"):
        Settings.model_validate(without)
    # Turned off, there is nothing to share.
    Settings.model_validate({**without, "rate_limit_enabled": False})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate_limit_anonymous", "lots", "'lots' is not a rate"),
        ("rate_limit_sign_in_failures", "10", "'10' is not a rate"),
        ("rate_limit_storage_url", "memcached://cache:11211", "give a redis:// "),
    ],
)
def test_a_malformed_rate_limit_setting_says_what_it_expects(
    field: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings.model_validate({field: value})


def test_production_with_its_servers_logs_json() -> None:
    assert Settings.model_validate(PRODUCTION).log_format == "json"
    console = Settings.model_validate({**PRODUCTION, "log_format": "console"})
    assert console.log_format == "console"


@given(
    field=st.sampled_from(
        ["max_body_bytes", "worker_concurrency", "shutdown_timeout_seconds", "env", "queue"]
    ),
    value=st.text(max_size=20).filter(lambda v: not v.strip().isdigit()),
)
def test_every_invalid_value_is_described_by_its_variable_without_the_value(
    field: str, value: str
) -> None:
    try:
        Settings.model_validate({field: value})
    except ValidationError as error:
        described = describe_invalid(error)
    else:
        return  # some text is a valid value (a queue name, say)
    lines = described.splitlines()
    assert lines
    assert all(line.startswith(f"ADR_REGISTRY_{field.upper()}: ") for line in lines)
    # The value itself is never echoed: it might be a secret.
    if len(value) > 3:
        assert value not in described


@pytest.fixture
def configs(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What `serve` hands uvicorn, with a server that returns at once instead of serving."""
    handed: list[Any] = []

    class Server:
        def __init__(self, config: Any) -> None:
            handed.append(config)

        def run(self) -> None:
            pass

    monkeypatch.setattr(cli.uvicorn, "Server", Server)
    return handed


def test_serve_hands_uvicorn_the_trusted_proxies_and_the_drain_time(
    tmp_path: Path, configs: list[Any]
) -> None:
    env = {
        "ADR_REGISTRY_DATA_DIR": str(tmp_path),
        "ADR_REGISTRY_DATABASE_URL": "",
        "ADR_REGISTRY_BROKER_URL": "",
        "ADR_REGISTRY_TRUSTED_PROXIES": "10.0.0.0/8,192.168.1.7",
        "ADR_REGISTRY_SHUTDOWN_TIMEOUT_SECONDS": "17",
    }
    served = CliRunner().invoke(cli.main, ["serve"], env=env)
    assert served.exit_code == 0, served.output
    (config,) = configs
    assert config.proxy_headers is True
    assert config.forwarded_allow_ips == "10.0.0.0/8,192.168.1.7"
    assert config.timeout_graceful_shutdown == 17


def test_serve_without_migrating_gives_up_when_the_schema_never_comes(tmp_path: Path) -> None:
    env = {"ADR_REGISTRY_DATA_DIR": str(tmp_path), "ADR_REGISTRY_BROKER_URL": ""}
    served = CliRunner().invoke(
        cli.main, ["serve", "--no-migrate", "--schema-timeout", "0"], env=env
    )
    assert served.exit_code == 1
    assert "run `adr-registry migrate`" in served.output


def test_serve_without_migrating_starts_once_the_schema_is_there(
    tmp_path: Path, configs: list[Any]
) -> None:
    env = {"ADR_REGISTRY_DATA_DIR": str(tmp_path), "ADR_REGISTRY_BROKER_URL": ""}
    assert CliRunner().invoke(cli.main, ["migrate"], env=env).exit_code == 0
    served = CliRunner().invoke(cli.main, ["serve", "--no-migrate"], env=env)
    assert served.exit_code == 0, served.output
    assert "First start" not in served.output  # the first admin is the job's to make
    assert len(configs) == 1
