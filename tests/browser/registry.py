"""The registry as a person meets it: `adr-registry serve` in a process of its own.

It runs on the embedded defaults (a SQLite file and the file broker in a temporary data
directory) on a free port of 127.0.0.1. The data goes in as a person would put it: the
users through the CLI, the logs and decisions through the API with the first admin's
token.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.services import run_in_new_loop
from tests.web.seed import Seeded, seed

CLI = Path(sys.executable).parent / "adr-registry"
PASSWORD = "lamp orbit quiet meadow 1987"
MEMBER = "mia"  # a viewer of the private log
STRANGER = "stan"  # signed in, with no role in the private log
_START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Registry:
    base_url: str
    seeded: Seeded
    log: Path  # what the server printed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADR_REGISTRY_")}
    return env | {"ADR_REGISTRY_DATA_DIR": str(data_dir), "ADR_REGISTRY_LOG_FORMAT": "json"}


def _wait_until_ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"adr-registry serve exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"adr-registry serve did not answer in {_START_TIMEOUT:.0f} s")


def _create_password_users(env: dict[str, str], usernames: tuple[str, ...]) -> None:
    """`adr-registry users create NAME --password` for each, the password typed twice.

    In a session of its own the command has no terminal, so the prompt reads stdin. The
    commands run side by side: each spends seconds importing the application.
    """
    commands = [
        subprocess.Popen(
            [str(CLI), "users", "create", username, "--password"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        for username in usernames
    ]
    for command in commands:
        output, _ = command.communicate(f"{PASSWORD}\n{PASSWORD}\n".encode(), timeout=120)
        if command.returncode != 0:
            raise RuntimeError(f"adr-registry users create failed:\n{output.decode()}")


async def _seed(base_url: str, admin_token: str) -> Seeded:
    owner = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        seeded = await seed(client, owner)
        reply = await client.put(
            f"/v1/logs/{seeded.private}/members/{MEMBER}", json={"role": "viewer"}, headers=owner
        )
        assert reply.status_code == 200, reply.text
    return seeded


@contextmanager
def running_registry(data_dir: Path) -> Iterator[Registry]:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _environment(data_dir)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CLI), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_ready(process, base_url, log)
        # The first start made the site admin; the users come after it, or there would be
        # no first admin.
        admin_token = (data_dir / "admin-token").read_text().strip()
        _create_password_users(env, (MEMBER, STRANGER))
        seeded = run_in_new_loop(lambda: _seed(base_url, admin_token))
        yield Registry(base_url=base_url, seeded=seeded, log=log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
