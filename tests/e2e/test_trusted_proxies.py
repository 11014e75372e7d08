"""X-Forwarded-For is believed from ADR_REGISTRY_TRUSTED_PROXIES only (a real server)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_metrics_processes import COMMAND, free_port, wait_until_ready

CLIENT = "203.0.113.7"


def client_seen(tmp_path: Path, trusted: str) -> str:
    port = free_port()
    log = tmp_path / f"api-{port}.log"
    env = {
        **os.environ,
        "ADR_REGISTRY_DATA_DIR": str(tmp_path / "data"),
        "ADR_REGISTRY_DATABASE_URL": "",
        "ADR_REGISTRY_BROKER_URL": "",
        "ADR_REGISTRY_LOG_FORMAT": "json",
        "ADR_REGISTRY_TRUSTED_PROXIES": trusted,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [COMMAND, "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(url, process)
        httpx.get(f"{url}/healthz", headers={"X-Forwarded-For": CLIENT})
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line[:1] == "{"]
    (access,) = [line for line in lines if line.get("path") == "/healthz"]
    return str(access["client"])


@pytest.mark.parametrize(("trusted", "seen"), [("127.0.0.1", CLIENT), ("10.0.0.0/8", "127.0.0.1")])
def test_the_forwarded_client_is_believed_only_from_a_trusted_proxy(
    tmp_path: Path, trusted: str, seen: str
) -> None:
    assert client_seen(tmp_path, trusted) == seen
