"""Process settings, read from `ADR_REGISTRY_*` environment variables when built."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogFormat = Literal["auto", "json", "console"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADR_REGISTRY_", extra="ignore")

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

    # -- search --------------------------------------------------------------------
    cursor_key: SecretStr = Field(
        default=SecretStr(""),
        description="Signs the cursors of lists; give every API process the same random "
        "value. Empty: cursors are still bound to their list and filters, but can be forged.",
    )

    @model_validator(mode="after")
    def _embedded_database_by_default(self) -> Self:
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
    def admin_token_path(self) -> Path:
        return self.data_dir / "admin-token"
