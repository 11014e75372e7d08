"""Two API processes on one PROMETHEUS_MULTIPROC_DIR: either one's /metrics sums both."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

COMMAND = str(Path(sys.executable).parent / "adr-registry")
_START_TIMEOUT = 120.0  # imports alone take seconds on a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_apis(tmp_path: Path) -> Iterator[list[str]]:
    env = {
        **os.environ,
        "ADR_REGISTRY_DATA_DIR": str(tmp_path / "data"),
        "ADR_REGISTRY_DATABASE_URL": "",
        "ADR_REGISTRY_BROKER_URL": "",
        "ADR_REGISTRY_LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    subprocess.run([COMMAND, "migrate"], env=env, check=True, capture_output=True)
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [COMMAND, "serve", "--no-migrate", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, processes, strict=True):
            wait_until_ready(url, process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, "the API process stopped"
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not get ready")


def healthz_count(metrics: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "adr_registry_http_requests_total"
        and sample.labels["route"] == "/healthz"
    )


def test_two_processes_on_one_directory_give_summed_counts(two_apis: list[str]) -> None:
    first, second = two_apis
    for _ in range(3):
        assert httpx.get(f"{first}/healthz").status_code == 200
    for _ in range(4):
        assert httpx.get(f"{second}/healthz").status_code == 200
    assert healthz_count(httpx.get(f"{first}/metrics").text) == 7
    assert healthz_count(httpx.get(f"{second}/metrics").text) == 7
