"""What authenticating costs the GET of one decision: anonymous, with a personal access
token, a read-only one and a JWT, through the whole ASGI app in-process, on the embedded
defaults (SQLite) in a temporary folder. Issue #8 bounds each at 1.2x anonymous.

    uv run python benchmarks/authenticated_reads.py [--rounds 20] [--gets 100]
    # the code before, measured by the same script (callers it lacks are skipped):
    PYTHONPATH=/path/to/a/checkout/of/main uv run python benchmarks/authenticated_reads.py

The callers take turns, a batch of `--gets` each per round, so that a drift of the
machine (2 shared cores) falls on all of them alike. Prints p50 and mean per request,
and each caller's mean over the anonymous one's.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from application.commands import CreatePasswordUser, CreateUser
from application.handlers.passwords import CreatePasswordUserHandler
from application.handlers.users import CreateUserHandler
from application.views import OPERATOR
from entrypoints.bootstrap import migrate_database
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

PHRASE = "a long pass phrase"
DECISION = "/v1/logs/open/decisions/1"


async def _callers(app: object, client: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    services = app.state.services  # type: ignore[attr-defined]
    issued = await services.get(CreateUserHandler)(
        CreateUser(actor=OPERATOR, username="olga", is_admin=False)
    )
    owner = {"Authorization": f"Bearer {issued.token}"}
    created = await client.post(
        "/v1/logs", json={"slug": "open", "title": "Open", "visibility": "public"}, headers=owner
    )
    assert created.status_code == 201, created.text
    proposed = await client.post("/v1/logs/open/decisions", json={"title": "T"}, headers=owner)
    assert proposed.status_code == 201, proposed.text
    await services.get(CreatePasswordUserHandler)(CreatePasswordUser(OPERATOR, "paula", PHRASE))
    signed_in = await client.post(
        "/v1/auth/token", data={"grant_type": "password", "username": "paula", "password": PHRASE}
    )
    callers = {
        "anonymous": {},
        "token": owner,
        "jwt": {"Authorization": f"Bearer {signed_in.json()['access_token']}"},
    }
    read_only = await client.post("/v1/tokens", json={"name": "r", "scope": "read"}, headers=owner)
    if read_only.status_code == 201:  # scopes exist
        callers["read-only token"] = {"Authorization": f"Bearer {read_only.json()['token']}"}
    return callers


async def _measure(rounds: int, gets: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "registry.db"
        settings = Settings(data_dir=Path(folder), database_url=f"sqlite+aiosqlite:///{database}")
        await migrate_database(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                callers = await _callers(app, client)
                seconds: dict[str, list[float]] = {name: [] for name in callers}
                for _ in range(rounds):
                    for name, headers in callers.items():
                        for _ in range(gets):
                            start = time.perf_counter()
                            reply = await client.get(DECISION, headers=headers)
                            seconds[name].append(time.perf_counter() - start)
                            assert reply.status_code == 200, reply.text
    anonymous = statistics.fmean(seconds["anonymous"])
    for name, taken in seconds.items():
        print(
            f"{name}: p50 {statistics.median(taken) * 1000:.3f} ms, "
            f"mean {statistics.fmean(taken) * 1000:.3f} ms, "
            f"{statistics.fmean(taken) / anonymous:.3f}x anonymous ({len(taken)} requests)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--gets", type=int, default=100)
    arguments = parser.parse_args()
    asyncio.run(_measure(arguments.rounds, arguments.gets))


if __name__ == "__main__":
    main()
