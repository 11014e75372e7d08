"""Git credentials come from a secret setting, per log, and never show."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from entrypoints.settings import Settings, describe_invalid


def test_credentials_are_read_per_log(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, git_credentials="platform:ci-bot:s3cr3t:with:colons, payments:me:tok"
    )
    assert settings.git_credential_entries() == {
        "platform": ("ci-bot", "s3cr3t:with:colons"),
        "payments": ("me", "tok"),
    }
    assert "s3cr3t" not in repr(settings)


@pytest.mark.parametrize("value", ["platform:ci-bot", "platform::s3cr3t", "a:b:s3cr3t,a:d:e"])
def test_a_bad_entry_is_refused_without_showing_it(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(data_dir=tmp_path, git_credentials=value)
    message = describe_invalid(refused.value)
    assert message.startswith("git_credentials: ")
    assert "s3cr3t" not in message
    assert "ci-bot" not in message


def test_a_reason_a_sync_records_never_holds_the_token() -> None:
    from adapters.git.credentials import GitCredential

    credential = GitCredential("ci-bot", "p@ss/word")
    reason = "https://ci-bot:p%40ss%2Fword@git.example.com failed; p@ss/word rejected"
    assert credential.scrub(reason) == "https://ci-bot:***@git.example.com failed; *** rejected"
    assert "p@ss" not in repr(credential)
