"""The webhook settings: a ten-second attempt by default, no private target allowed
unless listed, and a bad allow list stops the process at start, saying which entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.webhooks.sender import HttpxWebhookSender
from application.ports import WebhookSender
from entrypoints.bootstrap import build_container
from entrypoints.settings import Settings


def database(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/registry.db"


def test_a_delivery_attempt_may_take_ten_seconds_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ADR_REGISTRY_WEBHOOK_TIMEOUT_SECONDS", raising=False)
    monkeypatch.delenv("ADR_REGISTRY_WEBHOOK_ALLOW_HOSTS", raising=False)
    settings = Settings(database_url=database(tmp_path))
    assert (settings.webhook_timeout_seconds, settings.webhook_allow_hosts) == (10.0, "")
    sender = build_container(settings).resolve(WebhookSender)
    assert isinstance(sender, HttpxWebhookSender)
    assert sender.timeout == 10.0


def test_the_allow_list_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADR_REGISTRY_WEBHOOK_ALLOW_HOSTS", "127.0.0.1, hooks.internal")
    assert Settings().webhook_allow_hosts == "127.0.0.1, hooks.internal"


def test_a_bad_allow_list_stops_the_process_at_start(tmp_path: Path) -> None:
    settings = Settings(database_url=database(tmp_path), webhook_allow_hosts="http://x")
    with pytest.raises(ValueError, match="'http://x' is neither a host name nor"):
        build_container(settings)
