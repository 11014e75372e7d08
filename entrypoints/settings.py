"""Process settings, read from `ADR_REGISTRY_*` environment variables when built."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

import limits
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogFormat = Literal["auto", "json", "console"]
Environment = Literal["development", "production"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADR_REGISTRY_", extra="ignore")

    env: Environment = Field(
        default="development",
        description="production: refuse the embedded database and broker, log JSON.",
    )
    data_dir: Path = Field(
        default=Path("var"), description="Where the embedded database and the admin token live."
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy async URL; empty means a SQLite file in data_dir.",
    )
    log_format: LogFormat = Field(
        default="auto", description="json, console, or auto (console in a terminal)."
    )
    max_body_bytes: int = Field(
        default=1024 * 1024, gt=0, description="Request bodies larger than this get 413."
    )
    max_upload_bytes: int = Field(
        default=64 * 1024 * 1024,
        gt=0,
        description="The same limit for MADR bundles sent to imports and lint.",
    )
    anonymous_lint: bool = Field(
        default=False,
        description="Whether callers without a token may use POST /v1/lint (ADR-0010).",
    )
    parse_workers: int = Field(
        default=2, ge=1, le=64, description="Processes that parse uploaded MADR files."
    )
    parse_budget_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="How long parsing one request's files may take before it is stopped.",
    )

    webhook_allow_hosts: str = Field(
        default="",
        description="Comma-separated host names, addresses or CIDR ranges that webhooks may "
        "be sent to although they are not public (e.g. 127.0.0.1 for local development).",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=60,
        description="How long one webhook attempt may take in all, reply included.",
    )

    # -- git sync (ADR-0018) ---------------------------------------------------------
    git_sync_every_seconds: float = Field(
        default=300.0, gt=0, description="The beat's sync of every log with a git source."
    )
    git_allow_local_sources: bool = Field(
        default=False,
        description="Whether a log may mirror a repository on the server's own disk "
        "(file:// or a plain path); off, only http(s) remotes that pass the SSRF guard.",
    )
    git_credentials: SecretStr = Field(
        default=SecretStr(""),
        description="Credentials for private git remotes, per log, as "
        "'log:username:token,log:username:token'. Never shown by the API.",
    )
    git_max_repository_bytes: int = Field(
        default=100 * 1024 * 1024,
        gt=0,
        description="A sync refuses a branch head whose objects weigh more than this.",
    )
    reservation_ttl_seconds: float = Field(
        default=7 * 24 * 3600.0,
        gt=0,
        description="How long a number reserved with POST /v1/logs/{log}/numbers waits for "
        "its file; a file that arrives later with it is reported as a collision.",
    )
    git_sync_lease_seconds: float = Field(
        default=600.0,
        gt=0,
        description="How long a sync holds its log's lease; a sync of a worker that died "
        "blocks the next one at most this long.",
    )

    @model_validator(mode="after")
    def _valid_git_credentials(self) -> Self:
        self.git_credential_entries()
        return self

    def git_credential_entries(self) -> dict[str, tuple[str, str]]:
        """The git credentials by log slug, as (username, token)."""
        found: dict[str, tuple[str, str]] = {}
        text = self.git_credentials.get_secret_value()
        entries = [part.strip() for part in text.split(",") if part.strip()]
        for position, entry in enumerate(entries, start=1):
            log, _, rest = entry.partition(":")
            username, separator, token = rest.partition(":")
            if not log or not username or not separator or not token:
                # Not the entry itself: it holds a secret.
                raise ValueError(f"git_credentials: entry {position} is not 'log:username:token'")
            if log in found:
                raise ValueError(f"git_credentials: log '{log}' is given twice")
            found[log] = (username, token)
        return found

    # -- background work (Celery) ---------------------------------------------------
    broker_url: str = Field(
        default="",
        description="Celery broker, amqp://... in production; empty means the embedded "
        "broker in data_dir/broker (ADR-0014).",
    )
    queue: str = Field(
        default="adr-registry",
        pattern=r"^[A-Za-z0-9_.-]{1,200}$",
        description="The task queue; dead letters go to '<queue>.dead'.",
    )
    delivery_limit: int = Field(
        default=5,
        ge=1,
        description="Deliveries of one task message before RabbitMQ dead-letters it.",
    )
    worker_concurrency: int = Field(default=2, ge=1, description="Worker processes.")
    worker_heartbeat_file: Path | None = Field(
        default=None,
        description="Touched by a live worker every few seconds; empty means "
        "data_dir/worker-heartbeat.",
    )
    outbox_relay_every_seconds: float = Field(
        default=5.0, gt=0, description="The beat's outbox relay fallback."
    )
    review_sweep_every_seconds: float = Field(
        default=3600.0, gt=0, description="The beat's review-due sweep."
    )
    stale_proposals_every_seconds: float = Field(
        default=3600.0, gt=0, description="The beat's stale-proposal sweep."
    )
    webhook_retry_sweep_every_seconds: float = Field(
        default=30.0, gt=0, description="The beat's sweep for webhook deliveries due again."
    )

    # -- deployment (ADR-0017) --------------------------------------------------------
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses or CIDR ranges (or *) of the proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto the API believes.",
    )
    shutdown_timeout_seconds: int = Field(
        default=20,
        ge=1,
        description="After SIGTERM, how long the API lets requests in flight finish.",
    )
    worker_metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Port of the worker's /metrics (its task counts and durations); "
        "0: not served. Needs PROMETHEUS_MULTIPROC_DIR (the tasks run in child processes).",
    )

    # -- search --------------------------------------------------------------------
    cursor_key: SecretStr = Field(
        default=SecretStr(""),
        description="Signs the cursors of lists; give every API process the same random "
        "value. Empty: cursors are still bound to their list and filters, but can be forged.",
    )

    # -- sign-in -------------------------------------------------------------------
    jwt_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Keys that sign sign-in JWTs (HS256), as 'kid:secret,kid:secret': the "
        "first signs, all verify (put a new key first to rotate; drop the old one after one "
        "token lifetime). Secrets are 32 characters or more; give every API process the "
        "same value. Empty: a random key per process, so tokens die with it.",
    )
    jwt_lifetime_seconds: int = Field(
        default=900, gt=0, le=86400, description="How long a sign-in JWT is valid."
    )
    jwt_issuer: str = Field(default="adr-registry", description="The JWTs' `iss` and `aud` claims.")

    # -- rate limits (ADR-0022) -------------------------------------------------------
    rate_limit_enabled: bool = Field(
        default=True, description="Whether requests and failed sign-ins are rate limited."
    )
    rate_limit_storage_url: str = Field(
        default="",
        description="Where every API process keeps the shared counters: redis://host:6379/0. "
        "Empty: this process's memory (the embedded single process only; production "
        "refuses it).",
    )
    rate_limit_authenticated: str = Field(
        default="1200/minute",
        description="Requests per token (or sign-in JWT), e.g. '1200/minute'.",
    )
    rate_limit_anonymous: str = Field(
        default="300/minute", description="Requests per client address without a token."
    )
    rate_limit_sign_in_failures: str = Field(
        default="10/15 minutes",
        description="Failed sign-ins per username and per client address before both are "
        "refused until the window ends (brute force).",
    )

    @field_validator(
        "rate_limit_authenticated", "rate_limit_anonymous", "rate_limit_sign_in_failures"
    )
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(
                f"'{value}' is not a rate: write it as 'N/unit' or 'N per M units', e.g. "
                "'600/minute' or '10 per 15 minutes'"
            ) from None
        return value

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _a_storage_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "redis+unix://")):
            raise ValueError(
                "give a redis:// (or rediss://, redis+unix://) URL, e.g. "
                "redis://127.0.0.1:6379/0, or leave it empty for this process's memory"
            )
        return value

    @model_validator(mode="after")
    def _valid_jwt_keys(self) -> Self:
        self.jwt_key_ring()
        return self

    def jwt_key_ring(self) -> dict[str, bytes]:
        """The JWT keys by kid, the signing one first; empty when none are set."""
        ring: dict[str, bytes] = {}
        text = self.jwt_keys.get_secret_value().strip()
        for entry in filter(None, (part.strip() for part in text.split(","))):
            kid, separator, secret = entry.partition(":")
            if not separator or not kid.strip() or len(secret.strip()) < 32:
                raise ValueError(
                    "jwt_keys: each key is 'kid:secret' with a secret of 32 characters or "
                    "more, e.g. '2026-12:' followed by `openssl rand -base64 32`"
                )
            if kid.strip() in ring:
                raise ValueError(f"jwt_keys: the kid '{kid.strip()}' is given twice")
            ring[kid.strip()] = secret.strip().encode()
        return ring

    @model_validator(mode="after")
    def _embedded_database_by_default(self) -> Self:
        if self.env == "production":
            _refuse_embedded(self)
            if self.log_format == "auto":
                self.log_format = "json"
        if not self.database_url:
            # Absolute, so the URL means the same file whatever the working directory.
            self.database_url = f"sqlite+aiosqlite:///{self.database_path.absolute()}"
        return self

    @property
    def database_path(self) -> Path:
        """The embedded SQLite file (used only when database_url is not set)."""
        return self.data_dir / "registry.db"

    @property
    def broker_folder(self) -> Path:
        """The embedded broker's messages (used only when broker_url is not set)."""
        return self.data_dir / "broker"

    @property
    def heartbeat_path(self) -> Path:
        return self.worker_heartbeat_file or self.data_dir / "worker-heartbeat"

    @property
    def beat_heartbeat_path(self) -> Path:
        return self.data_dir / "beat-heartbeat"

    @property
    def admin_token_path(self) -> Path:
        return self.data_dir / "admin-token"


def _refuse_embedded(settings: Settings) -> None:
    """The embedded database and broker hold one machine's state, and a random JWT key
    and rate-limit counters in memory one process's: production shares them."""
    if not settings.database_url or settings.database_url.startswith("sqlite"):
        raise ValueError(
            "ADR_REGISTRY_DATABASE_URL must name a PostgreSQL database when "
            "ADR_REGISTRY_ENV=production (postgresql+asyncpg://user:password@host:5432/name), "
            "not the embedded SQLite file"
        )
    if not settings.broker_url:
        raise ValueError(
            "ADR_REGISTRY_BROKER_URL must name a RabbitMQ broker when ADR_REGISTRY_ENV="
            "production (amqp://user:password@host:5672/vhost), not the embedded broker"
        )
    if not settings.jwt_key_ring():
        # A key of its own per process would reject, on every other replica, the tokens
        # one replica signs.
        raise ValueError(
            "ADR_REGISTRY_JWT_KEYS must be set when ADR_REGISTRY_ENV=production, the same "
            "for every API process ('kid:secret', e.g. '2026-12:' followed by "
            "`openssl rand -base64 32`)"
        )
    if settings.rate_limit_enabled and not settings.rate_limit_storage_url:
        # Counters in each process's memory would multiply every limit by the replicas.
        raise ValueError(
            "ADR_REGISTRY_RATE_LIMIT_STORAGE_URL must name a Redis server when "
            "ADR_REGISTRY_ENV=production (redis://host:6379/0), shared by every API process"
        )


def describe_invalid(error: ValidationError) -> str:
    """pydantic-settings' errors as one line per variable: its name and what it expects."""
    lines = []
    for problem in error.errors(include_url=False):
        message = problem["msg"].removeprefix("Value error, ")
        if problem["loc"]:
            variable = f"ADR_REGISTRY_{str(problem['loc'][0]).upper()}"
            # Not the value: it may be a secret (a key, a URL with a password).
            lines.append(f"{variable}: {message}")
        else:
            lines.append(message)
    return "\n".join(lines)
