"""The deployments set exactly the settings the application reads: a setting renamed in
entrypoints/settings.py without the manifests (or the other way round) fails here."""

from __future__ import annotations

from entrypoints.settings import Settings
from tests.infra.manifests import INFRA, env_file, named, pod_specs

PREFIX = "ADR_REGISTRY_"
# Read by libraries, not by Settings: the metrics directory, the servers' own accounts.
NOT_SETTINGS = {
    "PROMETHEUS_MULTIPROC_DIR",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "RABBITMQ_DEFAULT_USER",
    "RABBITMQ_DEFAULT_PASS",
    "RABBITMQ_DEFAULT_VHOST",
}


def settings_variables() -> set[str]:
    return {PREFIX + name.upper() for name in Settings.model_fields}


def test_the_config_map_and_the_secret_set_every_setting_and_nothing_else() -> None:
    config = named("ConfigMap", "adr-registry-config")["data"]
    secret = named("Secret", "adr-registry-secrets")["stringData"]
    assert not set(config) & set(secret)
    assert set(config) | set(secret) == settings_variables() | {"PROMETHEUS_MULTIPROC_DIR"}
    # The secrets are where secrets belong.
    assert set(secret) == {
        "ADR_REGISTRY_DATABASE_URL",
        "ADR_REGISTRY_BROKER_URL",
        "ADR_REGISTRY_CURSOR_KEY",
        "ADR_REGISTRY_JWT_KEYS",
        "ADR_REGISTRY_RATE_LIMIT_STORAGE_URL",
        "ADR_REGISTRY_GIT_CREDENTIALS",
    }


def test_no_container_sets_a_variable_of_its_own() -> None:
    for workload, spec in pod_specs():
        for container in spec["containers"]:
            names = {variable["name"] for variable in container.get("env", [])}
            assert names <= settings_variables() | NOT_SETTINGS, workload
            sources = [next(iter(source)) for source in container["envFrom"]]
            assert sources == ["configMapRef", "secretRef"], workload


def test_the_env_example_sets_every_setting_and_nothing_else() -> None:
    variables = set(env_file(INFRA / ".env.example"))
    assert {v for v in variables if v.startswith(PREFIX)} == settings_variables()
    assert variables - settings_variables() <= NOT_SETTINGS


def test_the_example_values_are_valid_settings() -> None:
    values = {
        name.removeprefix(PREFIX).lower(): value
        for name, value in env_file(INFRA / ".env.example").items()
        if name.startswith(PREFIX)
    }
    settings = Settings.model_validate(values)
    assert settings.env == "production"
    config = named("ConfigMap", "adr-registry-config")["data"]
    secret = named("Secret", "adr-registry-secrets")["stringData"]
    values = {
        name.removeprefix(PREFIX).lower(): value
        for name, value in {**config, **secret}.items()
        if name.startswith(PREFIX)
    }
    assert Settings.model_validate(values).env == "production"
