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

    # search
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
    def admin_token_path(self) -> Path:
        return self.data_dir / "admin-token"
