"""Hostile uploads against a real server (issue #8, findings 1 and 2): files built to cost
the parser minutes, and zips of compressed zeros, sent while another client reads
/healthz, which must keep answering within 100 ms; the server's memory stays bounded."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

MARKDOWN = {"Content-Type": "text/markdown"}
VALID = (
    "---\nstatus: accepted\ndate: 2024-01-02\n---\n\n# Use {n}\n\n"
    "## Context and Problem Statement\n\nWhy.\n"
)


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    token: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    port = _free_port()
    env = os.environ | {
        "ADR_REGISTRY_DATA_DIR": str(tmp_path),
        "ADR_REGISTRY_ANONYMOUS_LINT": "true",
        "ADR_REGISTRY_LOG_FORMAT": "json",
    }
    env.pop("ADR_REGISTRY_DATABASE_URL", None)
    cli = Path(sys.executable).with_name("adr-registry")
    process = subprocess.Popen(
        [str(cli), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            assert process.poll() is None, "the server exited"
            time.sleep(0.1)
        token = (tmp_path / "admin-token").read_text().strip()
        yield Server(url, process.pid, token)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _hostile_files() -> list[tuple[str, bytes, dict[str, str]]]:
    nested = "---\nx: " + "[" * 20_000 + "]" * 20_000 + "\n---\n# Nested\n"
    keys = "---\n" + "".join(f"k{n}: {n}\n" for n in range(60_000)) + "---\n# Keys\n"
    setext = "# Headings\n\n" + "a\n=\n" * 250_000
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(1, 2_001):
            archive.writestr(f"{n:04d}-use-{n}.md", VALID.format(n=n))
    return [
        ("nested YAML", nested.encode(), MARKDOWN),
        ("60,000 keys", keys.encode(), MARKDOWN),
        ("250,000 setext headings", setext.encode()[: 1024 * 1024], MARKDOWN),
        ("2,000 valid files", many.getvalue(), {"Content-Type": "application/zip"}),
    ]


def _health_latencies(url: str, stop: threading.Event, seen: list[float]) -> None:
    with httpx.Client(base_url=url, timeout=5) as client:
        while not stop.is_set():
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            seen.append(time.perf_counter() - started)
            time.sleep(0.02)


def test_hostile_files_never_stall_the_server(server: Server) -> None:
    stop = threading.Event()
    latencies: list[float] = []
    health = threading.Thread(target=_health_latencies, args=(server.url, stop, latencies))
    replies: dict[str, httpx.Response] = {}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        client.get("/healthz")  # connections warm
        health.start()
        try:
            started = time.monotonic()
            for kind, body, headers in _hostile_files():
                replies[kind] = client.post(
                    "/v1/lint?filename=0001-x.md", content=body, headers=headers
                )
            elapsed = time.monotonic() - started
        finally:
            stop.set()
            health.join()
    for kind, reply in replies.items():
        assert reply.status_code < 500, (kind, reply.text)
    assert elapsed < 60
    assert len(latencies) > 10
    assert max(latencies) < 0.1, sorted(latencies)[-5:]


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # the peak, so a spike between reads counts
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


# The API's peak resident memory after any number of bomb uploads: what it needs to
# serve, plus one upload's budget (64 MiB decompressed) and its copies.
RSS_BOUND = 400 * 1024 * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_zips_of_compressed_zeros_keep_memory_bounded(server: Server) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(1, 41):
            archive.writestr(f"{n:04d}-zeros.md", bytes(1024 * 1024))
    parts = [("files", (f"bomb-{n}.zip", bomb.getvalue(), "application/zip")) for n in range(10)]
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for _ in range(3):
            reply = client.post("/v1/lint", files=parts, headers=headers)
            assert reply.status_code == 422, reply.text
            assert "send fewer" in reply.json()["detail"]
    assert _rss_bytes(server.pid) < RSS_BOUND
