"""The registry's HTTP reads measured from outside, beside the frameworks ADR-0001 weighed.

    uv run python benchmarks/http_vs_peers.py                 # the full run (about 25 min)
    uv run python benchmarks/http_vs_peers.py --smoke         # one short round: all answer alike

It generates the data (a public log of 10,000 decisions of about 1 KB, a user with a
bearer token) into one SQLite file and one PostgreSQL database (`adr_bench`), then
starts every variant on that same data, each server one process pinned to core 0:

- the registry as a user runs it (`adr-registry serve`, JSON logs, access log on), on
  SQLite and on PostgreSQL;
- peers from `benchmarks/peers/`, each in its own virtual environment under
  `benchmarks/.venvs/` built from its pinned requirements: bare Starlette + aiosqlite
  and + asyncpg (the same SQL as the registry: the limit for each driver), Flask on
  gunicorn's sync worker + sqlite3, Django REST Framework (ORM, ModelSerializer), and
  Tornado + aiosqlite.

Every variant's JSON is checked equal to the registry's before anything is timed.
`wrk` (Debian's package, installed when missing) runs on core 1: per scenario and
variant a warm-up, then a timed run with --latency; the variants are interleaved in
each round, the rounds repeated, and the table holds the medians of req/s, p50, p99
and the server's CPU time per request (from /proc/<pid>/stat, its children included).
Then the write path: proposals and acceptances per second on each database.

It prints the table and the ratios issue #6 sets as targets, and writes them all as
JSON (`--output`). The machine's load average is recorded with each round.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from application.commands import CreateLog, CreateUser, ImportDecisions
from application.cursors import Cursors
from application.handlers.imports import ImportDecisionsHandler
from application.handlers.logs import CreateLogHandler
from application.handlers.users import CreateUserHandler
from application.views import OPERATOR, Actor
from domain.values import LogSlug, Visibility
from entrypoints.bootstrap import build_container, dispose, migrate_database
from entrypoints.settings import Settings

HERE = Path(__file__).resolve().parent
PEERS = HERE / "peers"
VENVS = HERE / ".venvs"
SERVER_CORE, LOAD_CORE = 0, 1
LOG = "bench"
WRITES_LOG = "bench-writes"
PAGE_SIZE = 50
# The peers sign list cursors with the same key (peers/reads.py), so their replies equal ours.
CURSOR_KEY = "benchmark cursor key"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/adr_bench"


# --- what is measured -------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    database: str  # sqlite | postgres
    kind: str  # registry | bare | flask | drf | tornado
    peer: str | None  # its folder in benchmarks/peers, for the peers


VARIANTS = (
    Variant("registry-sqlite", "registry, SQLite", "sqlite", "registry", None),
    Variant("registry-postgres", "registry, PostgreSQL", "postgres", "registry", None),
    Variant(
        "starlette-aiosqlite", "bare Starlette + aiosqlite", "sqlite", "bare", "starlette_aiosqlite"
    ),
    Variant(
        "starlette-asyncpg", "bare Starlette + asyncpg", "postgres", "bare", "starlette_asyncpg"
    ),
    Variant("flask-sqlite3", "Flask, gunicorn sync + sqlite3", "sqlite", "flask", "flask_sqlite3"),
    Variant("drf-orm", "Django REST Framework, ORM (SQLite)", "sqlite", "drf", "drf_orm"),
    Variant("tornado-aiosqlite", "Tornado + aiosqlite", "sqlite", "tornado", "tornado_aiosqlite"),
)


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    bearer: bool
    path: str | None  # a fixed path, or None for a random decision


def scenarios(decisions: int) -> tuple[Scenario, ...]:
    page = min(100, decisions // PAGE_SIZE)
    # The decision list's scope (ListDecisionsHandler): the log and no filters.
    scope = ("decisions", LOG, None, None, None, None, None)
    cursor = Cursors(CURSOR_KEY.encode()).encode(scope, (page - 1) * PAGE_SIZE)
    lists = f"/v1/logs/{LOG}/decisions?limit={PAGE_SIZE}"
    return (
        Scenario("get-anonymous", "GET a decision, anonymous", False, None),
        Scenario("get-bearer", "GET a decision, bearer token", True, None),
        Scenario("list-first", "list of 50, first page", False, lists),
        Scenario(
            f"list-page-{page}",
            f"list of 50, page {page} by cursor",
            False,
            f"{lists}&cursor={cursor}",
        ),
    )


@dataclass
class Sample:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float
    requests: int
    load: float


@dataclass
class Cell:
    variant: str
    scenario: str
    samples: list[Sample] = field(default_factory=list)

    def median(self, name: str) -> float:
        return statistics.median(getattr(s, name) for s in self.samples)


# --- tools: wrk and the peers' virtual environments ------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=False).returncode:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("could not install wrk: run 'apt-get install -y wrk' as root")
    return found


def ensure_venv(peer: str) -> Path:
    """The peer's own virtual environment, rebuilt when its requirements change."""
    requirements = PEERS / peer / "requirements.txt"
    venv = VENVS / peer
    stamp = venv / "requirements.sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return venv
    print(
        f"installing {peer}'s pinned requirements into {venv.relative_to(HERE.parent)}", flush=True
    )
    uv = shutil.which("uv") or "uv"
    # The project's interpreter, not its environment: the peers never see our packages.
    python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([uv, "venv", "-q", "--clear", "--python", python, str(venv)], check=True)
    env = {**os.environ, "VIRTUAL_ENV": str(venv)}
    subprocess.run([uv, "pip", "install", "-q", "-r", str(requirements)], env=env, check=True)
    stamp.write_text(digest)
    return venv


# --- the data ----------------------------------------------------------------------------


def _madr_file():  # type: ignore[no-untyped-def]
    """The import benchmark's generator of realistic ~1 KB MADR files."""
    spec = importlib.util.spec_from_file_location("import_benchmark", HERE / "import.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.madr_file


@dataclass(frozen=True)
class Database:
    name: str  # sqlite | postgres
    url: str  # the registry's SQLAlchemy URL
    reader_token: str
    writer_token: str


async def _load(url: str, data_dir: Path, decisions: int) -> tuple[str, str]:
    settings = Settings(data_dir=data_dir, database_url=url, log_format="console")
    await migrate_database(settings)
    container = build_container(settings)
    try:
        create_user: CreateUserHandler = container.resolve(CreateUserHandler)
        reader = await create_user(CreateUser(OPERATOR, "reader"))
        writer = await create_user(CreateUser(OPERATOR, "writer"))
        for slug, visibility in ((LOG, Visibility.PUBLIC), (WRITES_LOG, Visibility.PRIVATE)):
            create_log: CreateLogHandler = container.resolve(CreateLogHandler)
            await create_log(
                CreateLog(Actor("writer"), LogSlug(slug), slug.title(), visibility=visibility)
            )
        madr_file = _madr_file()
        files = tuple(madr_file(n) for n in range(1, decisions + 1))
        handler: ImportDecisionsHandler = container.resolve(ImportDecisionsHandler)
        report = await handler(ImportDecisions(OPERATOR, LogSlug(LOG), files))
        assert report.ok, [f for f in report.files if f.problems][:3]
        return reader.token, writer.token
    finally:
        await dispose(container)


def _remove_sqlite(path: Path) -> None:
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()


async def prepare_sqlite(workdir: Path, decisions: int) -> Database:
    path = workdir / "registry.db"
    _remove_sqlite(path)
    url = f"sqlite+aiosqlite:///{path}"
    reader, writer = await _load(url, workdir, decisions)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("ANALYZE")
    return Database("sqlite", url, reader, writer)


async def prepare_postgres(dsn: str, workdir: Path, decisions: int) -> Database:
    name = dsn.rsplit("/", 1)[1]
    admin = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    reader, writer = await _load(url, workdir, decisions)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return Database("postgres", url, reader, writer)


async def drop_postgres(dsn: str) -> None:
    admin = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{dsn.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()


# --- the servers -------------------------------------------------------------------------


@dataclass
class Server:
    variant: Variant
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _command(
    variant: Variant, port: int, databases: dict[str, Database], dsn: str, workdir: Path
) -> tuple[list[str], dict[str, str], Path]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ADR_REGISTRY_", "VIRTUAL_ENV"))
    }
    sqlite_path = str(workdir / "registry.db")
    if variant.peer is None:
        database = databases[variant.database]
        env |= {
            "ADR_REGISTRY_DATABASE_URL": database.url,
            "ADR_REGISTRY_DATA_DIR": str(workdir / variant.key),
            "ADR_REGISTRY_LOG_FORMAT": "json",
            "ADR_REGISTRY_CURSOR_KEY": CURSOR_KEY,
            # The peers limit nothing, and wrk from one address would soon get 429s.
            "ADR_REGISTRY_RATE_LIMIT_ENABLED": "false",
        }
        cli = Path(sys.executable).parent / "adr-registry"
        return [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)], env, HERE.parent
    venv = ensure_venv(variant.peer)
    folder = PEERS / variant.peer
    env |= {
        "BENCH_SQLITE": sqlite_path,
        "BENCH_POSTGRES_DSN": dsn,
        "PYTHONPATH": f"{folder}:{PEERS}",
    }
    bind = f"127.0.0.1:{port}"
    if variant.kind == "bare":
        args = [
            "uvicorn",
            "app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    elif variant.kind == "flask":
        args = ["gunicorn", "--workers", "1", "--worker-class", "sync", "--bind", bind, "app:app"]
    elif variant.kind == "drf":
        args = [
            "gunicorn",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--bind",
            bind,
            "adrs.wsgi:application",
        ]
    else:
        args = ["python", "app.py", str(port)]
    return [str(venv / "bin" / args[0]), *args[1:]], env, folder


def start(variant: Variant, databases: dict[str, Database], dsn: str, workdir: Path) -> Server:
    port = _free_port()
    command, env, cwd = _command(variant, port, databases, dsn, workdir)
    log = workdir / "logs" / f"{variant.key}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            ["taskset", "-c", str(SERVER_CORE), *command],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(variant, port, process, log)


def wait_ready(server: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.variant.key} exited:\n{server.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.base}/v1/logs/{LOG}/decisions/1", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(
        f"{server.variant.key} did not answer in {timeout:.0f} s:\n{server.log.read_text()[-3000:]}"
    )


def stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its descendants (gunicorn's worker, say)."""
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = int(fields[11]) + int(fields[12])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0) for pid in tree) / _TICKS


# --- equal JSON first ------------------------------------------------------------------


def fetch(url: str, token: str | None) -> Any:
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}"} if token else {}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def check_equal(
    servers: list[Server],
    databases: dict[str, Database],
    cases: tuple[Scenario, ...],
    decisions: int,
) -> int:
    """Every variant answers every case exactly as the first (the registry on SQLite)."""
    checked = 0
    for case in cases:
        paths = (
            [case.path]
            if case.path
            else [f"/v1/logs/{LOG}/decisions/{n}" for n in (1, decisions // 2 + 1, decisions)]
        )
        for path in paths:
            replies = {}
            for server in servers:
                token = databases[server.variant.database].reader_token if case.bearer else None
                replies[server.variant.key] = fetch(server.base + path, token)
            reference_key = servers[0].variant.key
            for key, reply in replies.items():
                if reply != replies[reference_key]:
                    raise SystemExit(
                        f"{key} answers {path} unlike {reference_key}:\n"
                        f"{json.dumps(reply)[:800]}\n{json.dumps(replies[reference_key])[:800]}"
                    )
                checked += 1
    for server in servers:
        if server.variant.kind == "registry":
            lines = [
                json.loads(line)
                for line in server.log.read_text().splitlines()
                if line.startswith("{")
            ]
            access = [line for line in lines if line.get("event") == "request"]
            if not access or "request_id" not in access[-1]:
                raise SystemExit(f"{server.variant.key} wrote no access line with a request id")
    return checked


# --- wrk ---------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    assert match, text
    return float(match[1]) * _UNITS[match[2]]


def random_decision_script(workdir: Path, decisions: int) -> Path:
    script = workdir / "random_decision.lua"
    script.write_text(
        f'local prefix = "/v1/logs/{LOG}/decisions/"\n'
        "math.randomseed(7)\n"
        f"request = function() return wrk.format(nil, prefix .. math.random(1, {decisions})) end\n"
    )
    return script


def wrk(
    binary: str,
    server: Server,
    case: Scenario,
    token: str | None,
    script: Path,
    seconds: int,
    connections: int,
) -> tuple[str, float]:
    command = [
        "taskset",
        "-c",
        str(LOAD_CORE),
        binary,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if case.path is None:
        command += ["-s", str(script), server.base + "/"]
    else:
        command.append(server.base + case.path)
    before = cpu_seconds(server.process.pid)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return output, cpu_seconds(server.process.pid) - before


def measure(
    binary: str,
    server: Server,
    case: Scenario,
    token: str | None,
    script: Path,
    warmup: int,
    seconds: int,
    connections: int,
) -> Sample:
    if warmup:
        wrk(binary, server, case, token, script, warmup, connections)
    output, cpu = wrk(binary, server, case, token, script, seconds, connections)
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if failures or (errors and errors[4] != "0"):
        raise SystemExit(f"{server.variant.key} failed under load ({case.key}):\n{output}")
    requests = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    latency = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.M))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"unexpected wrk output for {server.variant.key} ({case.key}):\n{output}")
    return Sample(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),  # type: ignore[index]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        cpu_us_per_request=cpu * 1e6 / max(requests, 1),
        requests=requests,
        load=os.getloadavg()[0],
    )


# --- writes ------------------------------------------------------------------------------


async def writes_round(
    server: Server, token: str, count: int, concurrency: int
) -> dict[str, float]:
    """Propose `count` decisions, then accept them, `concurrency` at a time: each per second."""
    headers = {"Authorization": f"Bearer {token}"}
    body = {"title": "Use a write benchmark", "tags": ["bench"], "decision_makers": ["writer"]}
    decisions = f"/v1/logs/{WRITES_LOG}/decisions"
    rates: dict[str, float] = {}
    numbers: list[int] = []
    async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=60) as client:

        async def run(name: str, calls: list[Any]) -> None:
            queue = list(reversed(calls))
            before_cpu, started = cpu_seconds(server.process.pid), time.perf_counter()

            async def worker() -> None:
                while queue:
                    reply = await queue.pop()
                    if reply.status_code not in (200, 201):
                        raise SystemExit(f"{name} failed: {reply.status_code} {reply.text}")
                    if name == "propose":
                        numbers.append(reply.json()["number"])

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
            rates[f"{name}_per_s"] = len(calls) / elapsed
            rates[f"{name}_cpu_us"] = (
                (cpu_seconds(server.process.pid) - before_cpu) * 1e6 / len(calls)
            )

        await run("propose", [client.post(decisions, json=body) for _ in range(count)])
        await run("accept", [client.post(f"{decisions}/{n}/accept") for n in numbers])
    return rates


# --- the report ---------------------------------------------------------------------------


def ratio(
    cells: dict[tuple[str, str], Cell], a: str, b: str, scenario: str, name: str = "requests_per_s"
) -> float | None:
    if (a, scenario) not in cells or (b, scenario) not in cells:
        return None
    return cells[(a, scenario)].median(name) / cells[(b, scenario)].median(name)


def targets(
    cells: dict[tuple[str, str], Cell], cases: tuple[Scenario, ...]
) -> list[dict[str, Any]]:
    """Issue #6's targets, each with its same-run ratio of medians."""
    rows: list[dict[str, Any]] = []

    def add(what: str, value: float | None, goal: float, at_most: bool = False) -> None:
        if value is not None:
            met = value <= goal if at_most else value >= goal
            rows.append(
                {
                    "target": what,
                    "ratio": round(value, 3),
                    "goal": ("<= " if at_most else ">= ") + str(goal),
                    "met": met,
                }
            )

    for database, bare in (("sqlite", "starlette-aiosqlite"), ("postgres", "starlette-asyncpg")):
        ours = f"registry-{database}"
        for case in cases:
            if case.key.startswith("get"):
                add(f"{ours} / {bare} req/s, {case.label}", ratio(cells, ours, bare, case.key), 0.6)
                add(
                    f"{ours} / {bare} p99, {case.label}",
                    ratio(cells, ours, bare, case.key, "p99_ms"),
                    2.0,
                    at_most=True,
                )
                add(
                    f"{ours} / flask-sqlite3 req/s, {case.label}",
                    ratio(cells, ours, "flask-sqlite3", case.key),
                    2.0,
                )
                add(
                    f"{ours} / drf-orm req/s, {case.label}",
                    ratio(cells, ours, "drf-orm", case.key),
                    6.0,
                )
            else:
                add(f"{ours} / {bare} req/s, {case.label}", ratio(cells, ours, bare, case.key), 0.5)
    return rows


def print_table(cells: dict[tuple[str, str], Cell], cases: tuple[Scenario, ...]) -> None:
    labels = {v.key: v.label for v in VARIANTS}
    print("\n| scenario | variant | req/s | p50 ms | p99 ms | server CPU µs/request |")
    print("|---|---|---:|---:|---:|---:|")
    for case in cases:
        for variant in VARIANTS:
            cell = cells.get((variant.key, case.key))
            if cell is None:
                continue
            print(
                f"| {case.label} | {labels[variant.key]} | {cell.median('requests_per_s'):,.0f} | "
                f"{cell.median('p50_ms'):.1f} | {cell.median('p99_ms'):.1f} | "
                f"{cell.median('cpu_us_per_request'):,.0f} |"
            )


@contextmanager
def running(
    variants: list[Variant], databases: dict[str, Database], dsn: str, workdir: Path
) -> Iterator[list[Server]]:
    servers: list[Server] = []
    try:
        for variant in variants:
            servers.append(start(variant, databases, dsn, workdir))
        for server in servers:
            wait_ready(server)
        yield servers
    finally:
        for server in servers:
            stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="one short round on 1,000 decisions: every variant answers alike",
    )
    parser.add_argument(
        "--prepare", action="store_true", help="only install wrk and the peers' environments"
    )
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of load before each timed run"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of each timed run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument(
        "--writes",
        type=int,
        default=500,
        help="proposals (then acceptances) per round and database; 0 measures reads only",
    )
    parser.add_argument("--only", default="", help="comma-separated variant keys (default: all)")
    parser.add_argument("--workdir", type=Path, default=HERE / ".data")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ADR_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a libpq URL; the database is dropped and created",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="the JSON results (default: WORKDIR/results.json)"
    )
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.warmup, args.duration, args.decisions, args.writes = 1, 0, 1, 1000, 20

    binary = ensure_wrk()
    chosen = [v for v in VARIANTS if not args.only or v.key in args.only.split(",")]
    for variant in chosen:
        if variant.peer:
            ensure_venv(variant.peer)
    if args.prepare:
        return
    if len(os.sched_getaffinity(0)) < 2:
        raise SystemExit("this needs two cores: one for the servers, one for the load")
    # The harness (and so the write-path client) stays off the servers' core.
    os.sched_setaffinity(0, {LOAD_CORE})

    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    started_load = os.getloadavg()
    print(f"generating {args.decisions:,} decisions into SQLite and PostgreSQL ...", flush=True)
    databases = {
        "sqlite": asyncio.run(prepare_sqlite(workdir, args.decisions)),
        "postgres": asyncio.run(prepare_postgres(args.postgres, workdir, args.decisions)),
    }
    cases = scenarios(args.decisions)
    script = random_decision_script(workdir, args.decisions)
    cells: dict[tuple[str, str], Cell] = {}
    writes: dict[str, list[dict[str, float]]] = {}
    loads: list[list[float]] = []
    try:
        with running(chosen, databases, args.postgres, workdir) as servers:
            checked = check_equal(servers, databases, cases, args.decisions)
            print(
                f"{len(servers)} variants gave equal JSON in {checked} replies; timing ...",
                flush=True,
            )
            for round_ in range(args.rounds):
                loads.append(list(os.getloadavg()))
                order = servers[round_ % len(servers) :] + servers[: round_ % len(servers)]
                for case in cases:
                    for server in order:
                        token = (
                            databases[server.variant.database].reader_token if case.bearer else None
                        )
                        sample = measure(
                            binary,
                            server,
                            case,
                            token,
                            script,
                            args.warmup,
                            args.duration,
                            args.connections,
                        )
                        cells.setdefault(
                            (server.variant.key, case.key), Cell(server.variant.key, case.key)
                        ).samples.append(sample)
                for server in order:
                    if server.variant.kind == "registry" and args.writes:
                        token = databases[server.variant.database].writer_token
                        rates = asyncio.run(writes_round(server, token, args.writes, 16))
                        writes.setdefault(server.variant.key, []).append(rates)
                print(
                    f"round {round_ + 1}/{args.rounds} done, load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
    finally:
        if args.smoke:
            asyncio.run(drop_postgres(args.postgres))

    print_table(cells, cases)
    print("\nwrite path (registry; medians of proposals, then acceptances, 16 at a time):")
    write_medians = {
        key: {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
        for key, rounds in writes.items()
    }
    for key, rates in write_medians.items():
        print(
            f"  {key}: propose {rates['propose_per_s']:,.0f}/s "
            f"({rates['propose_cpu_us']:,.0f} µs CPU each), "
            f"accept {rates['accept_per_s']:,.0f}/s ({rates['accept_cpu_us']:,.0f} µs CPU each)"
        )
    goals = targets(cells, cases)
    print("\ntargets (same-run ratios of medians):")
    for goal in goals:
        print(
            f"  {'met    ' if goal['met'] else 'NOT met'}  {goal['target']}: "
            f"{goal['ratio']:.2f} (goal {goal['goal']})"
        )
    ended_load = os.getloadavg()
    print(f"\nload average: at start {_loads(started_load)}, at end {_loads(ended_load)}")

    output = args.output or workdir / "results.json"
    output.write_text(
        json.dumps(
            {
                "command": " ".join(sys.argv),
                "machine": {
                    "cpus": os.cpu_count(),
                    "processor": _processor(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                },
                "settings": {k: v for k, v in vars(args).items() if k not in ("workdir", "output")},
                "load": {"start": started_load, "rounds": loads, "end": ended_load},
                "variants": [asdict(v) for v in chosen],
                "scenarios": [asdict(c) for c in cases],
                "medians": [
                    {
                        "variant": c.variant,
                        "scenario": c.scenario,
                        **{
                            n: round(c.median(n), 2)
                            for n in ("requests_per_s", "p50_ms", "p99_ms", "cpu_us_per_request")
                        },
                    }
                    for c in cells.values()
                ],
                "samples": [
                    {
                        "variant": c.variant,
                        "scenario": c.scenario,
                        "samples": [asdict(s) for s in c.samples],
                    }
                    for c in cells.values()
                ],
                "writes": {"medians": write_medians, "rounds": writes},
                "targets": goals,
            },
            indent=2,
        )
    )
    print(f"results written to {output}")


def _loads(loads: tuple[float, float, float]) -> str:
    return " ".join(f"{load:.2f}" for load in loads)


def _processor() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


if __name__ == "__main__":
    main()
