"""What the server itself refuses, before the app sees a request (issue 8, finding 9):
problems like the app's, no banner; against a real `adr-registry serve`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from entrypoints.http.server import HEAD_SECONDS, MAX_HEAD_BYTES
from tests.e2e.test_metrics_processes import COMMAND, free_port, wait_until_ready


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    env = {
        **os.environ,
        "ADR_REGISTRY_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "ADR_REGISTRY_DATABASE_URL": "",
        "ADR_REGISTRY_BROKER_URL": "",
    }
    process = subprocess.Popen(
        [COMMAND, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def exchange(port: int, *parts: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, a part at a time; the status, headers and body of the one reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        for part in parts:
            connection.sendall(part)
            time.sleep(0.2)  # each part its own read on the server's side
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = connection.recv(65536)
            assert chunk, f"the server closed without a reply: {reply!r}"
            reply += chunk
        head, _, body = reply.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:])
        while len(body) < int(headers.get("content-length", "0")):
            chunk = connection.recv(65536)
            if not chunk:
                break
            body += chunk
    return int(lines[0].split(" ")[1]), headers, body


def assert_server_problem(reply: tuple[int, dict[str, str], bytes], status: int, name: str) -> None:
    code, headers, body = reply
    assert code == status, reply
    assert headers["content-type"] == "application/problem+json"
    assert headers["x-content-type-options"] == "nosniff"
    assert "server" not in headers
    problem = json.loads(body)
    assert problem["type"] == f"https://adr-registry.dev/problems/{name}"
    assert problem["status"] == status
    assert problem["detail"]


@pytest.mark.parametrize("pieces", [1, 2], ids=["whole", "in-pieces"])
def test_a_head_past_the_bound_is_a_431_problem(server: int, pieces: int) -> None:
    """Whole in one read, h11 parses it and the app refuses it; arriving in pieces, h11
    refuses it once its buffer passes the bound, and the server answers."""
    start = b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Padding: " + b"x" * MAX_HEAD_BYTES
    parts = [start + b"\r\n\r\n"] if pieces == 1 else [start, b"x\r\n\r\n"]
    assert_server_problem(exchange(server, *parts), 431, "head-too-large")


def test_a_request_that_is_not_http_is_a_400_problem(server: int) -> None:
    assert_server_problem(exchange(server, b"HELLO THERE\r\n\r\n"), 400, "bad-request")


def test_a_websocket_upgrade_is_served_as_plain_http(server: int) -> None:
    status, headers, _ = exchange(
        server,
        b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    )
    assert status == 200
    assert "server" not in headers
    assert headers["x-content-type-options"] == "nosniff"


def test_a_head_that_never_completes_loses_its_connection(server: int) -> None:
    """Opened and fed a byte now and then, a connection is still closed once the head
    is HEAD_SECONDS late: bytes received do not reset the deadline."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server), timeout=HEAD_SECONDS + 10) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\n")
        closed = False
        while not closed and time.monotonic() - started < HEAD_SECONDS + 10:
            try:
                connection.sendall(b"X")
                connection.settimeout(1)
                closed = connection.recv(1024) == b""
            except TimeoutError:
                continue
            except OSError:
                closed = True
    assert closed
    assert HEAD_SECONDS - 1 < time.monotonic() - started < HEAD_SECONDS + 10
