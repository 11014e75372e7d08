"""Search and list latency through the HTTP API, on a database populate.py made.

    uv run python benchmarks/populate.py --url postgresql+asyncpg://postgres@127.0.0.1/adr_search_bench
    uv run python benchmarks/search.py --manifest var/search-bench.json

Starts `adr-registry serve` on that database as a separate process, as a user would,
and measures from outside it with an HTTP client, one request at a time:

- GET /v1/search p50/p95 for a one-word, a two-word, a phrase and a rare-word query,
  and the one-word query with each filter; GET /v1/logs/{log}/decisions?q=... in the
  largest log; each as an anonymous caller and as `bench-member` (roles in 50 logs);
- page 1 against page 1,000 (reached by walking the cursor) of a search and of a list;
- EXPLAIN (ANALYZE, BUFFERS) of the statements behind each search, summarised
  (PostgreSQL), or EXPLAIN QUERY PLAN (SQLite);
- with --writes N (PostgreSQL): proposing a decision over HTTP, and the INSERT alone,
  with the search trigger on and off, in alternating rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from madr_corpus import CATEGORIES, TECHNOLOGIES, Corpus
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from adapters.sqlalchemy import create_engine, create_search
from application.search_query import parse_search
from application.views import Actor, DecisionFilters, SearchFilters
from domain.values import LogSlug

ROOT = Path(__file__).resolve().parent.parent
TRIGGER = "decision_search_sync"


@dataclass
class Stats:
    samples: list[float]

    def p(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def line(self) -> str:
        return (
            f"p50 {self.p(0.5):6.1f} ms  p95 {self.p(0.95):6.1f} ms  "
            f"max {max(self.samples):6.1f} ms"
        )


async def timed(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, str],
    headers: dict[str, str],
    n: int,
    warm: int = 3,
) -> Stats:
    """n GETs one after the other (after `warm` untimed ones), in milliseconds."""
    samples = []
    for i in range(warm + n):
        started = time.perf_counter()
        reply = await client.get(url, params=params, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        assert reply.status_code == 200, reply.text
        if i >= warm:
            samples.append(elapsed)
    return Stats(samples)


# -- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ADR_REGISTRY_DATABASE_URL": url,
        "ADR_REGISTRY_DATA_DIR": str(data_dir),
        "ADR_REGISTRY_LOG_FORMAT": "json",
    }
    # The installed command, as a user starts it.
    command = [str(Path(sys.executable).with_name("adr-registry")), "serve", "--port", str(port)]
    log = (data_dir / "server.log").open("wb")
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


async def wait_ready(client: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit("the server stopped; see server.log")
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("the server did not become ready")


# -- the cases ----------------------------------------------------------------------------


def queries(manifest: dict[str, Any]) -> dict[str, str]:
    words = manifest["words"]
    tech = next(t for t in TECHNOLOGIES if t.name == words["typical"])
    purpose = CATEGORIES[tech.category][1][0]
    return {
        "one word": tech.name.lower(),
        "two words": f"{tech.name.lower()} {purpose.split()[-1]}",
        "phrase": f'"{purpose}"',
        "rare word": words["rare"],
        "one word, another": words["second"].lower(),
        "common word (stress)": words["common"].lower(),
    }


def largest_log(manifest: dict[str, Any], member: bool) -> dict[str, Any]:
    """The largest log the caller may read."""
    return dict(manifest["largest_log" if member else "largest_public_log"])


def filters(manifest: dict[str, Any], member: bool) -> dict[str, dict[str, str]]:
    words = manifest["words"]
    log = largest_log(manifest, member)["slug"]
    return {
        "log": {"log": log},
        "status": {"status": "accepted"},
        "tag": {"tag": next(t.tag for t in TECHNOLOGIES if t.name == words["typical"])},
        "person": {"person": words["person"]},
        "date range": {"date_from": "2020-01-01", "date_to": "2020-12-31"},
    }


async def walk_to_page(
    client: httpx.AsyncClient, url: str, params: dict[str, str], headers: dict[str, str], page: int
) -> str:
    """The cursor of page `page`, reached by following next_cursor from page 1."""
    cursor = None
    for _ in range(page - 1):
        reply = await client.get(
            url, params=params | ({"cursor": cursor} if cursor else {}), headers=headers
        )
        assert reply.status_code == 200, reply.text
        cursor = reply.json()["next_cursor"]
        assert cursor is not None, f"{url} {params} has fewer than {page} pages"
    assert cursor is not None
    return cursor


async def http_cases(
    client: httpx.AsyncClient, manifest: dict[str, Any], n: int, deep: bool
) -> None:
    callers = {
        "anonymous": {},
        "bench-member (roles in 50 logs)": {
            "Authorization": f"Bearer {manifest['tokens']['bench-member']}"
        },
    }
    for caller, headers in callers.items():
        print(f"\n## {caller}\n")
        member = caller != "anonymous"
        log, size = (
            largest_log(manifest, member)["slug"],
            largest_log(manifest, member)["decisions"],
        )
        for kind, q in queries(manifest).items():
            reply = await client.get("/v1/search", params={"q": q}, headers=headers)
            total = reply.json()["total"]
            stats = await timed(client, "/v1/search", {"q": q}, headers, n)
            print(f"search {kind:<24} {q!r:<34} {total:>7} hits  {stats.line()}")
        one = queries(manifest)["one word"]
        for name, extra in filters(manifest, member).items():
            params = {"q": one, **extra}
            reply = await client.get("/v1/search", params=params, headers=headers)
            assert reply.status_code == 200, reply.text
            total = reply.json()["total"]
            stats = await timed(client, "/v1/search", params, headers, n)
            print(f"search one word + {name:<15} {'':<34} {total:>7} hits  {stats.line()}")
        url = f"/v1/logs/{log}/decisions"
        for q in (one, queries(manifest)["rare word"]):
            stats = await timed(client, url, {"q": q, "limit": "20"}, headers, n)
            print(f"list q={q!r} in {log} ({size:,} decisions):  {stats.line()}")
        if not deep:
            continue
        print()
        deep_search = await a_query_with_pages(client, manifest, headers, 1000 * 20 + 1)
        # A page size that gives the log 1,000 pages (20, in the 1M population).
        per_page = str(min(20, size // 1000))
        for name, url, params in (
            ("search", "/v1/search", {"q": deep_search, "limit": "20"}),
            ("list", f"/v1/logs/{log}/decisions", {"limit": per_page}),
        ):
            started = time.perf_counter()
            cursor = await walk_to_page(client, url, params, headers, 1000)
            walked = time.perf_counter() - started
            first = await timed(client, url, params, headers, n)
            later = await timed(client, url, params | {"cursor": cursor}, headers, n)
            print(f"{name} {params}: walked 999 pages in {walked:.0f} s")
            print(f"  page 1     {first.line()}")
            print(f"  page 1000  {later.line()}")
            print(
                f"  ratio page 1000 / page 1: p50 {later.p(0.5) / first.p(0.5):.2f}, "
                f"p95 {later.p(0.95) / first.p(0.95):.2f}"
            )


async def a_query_with_pages(
    client: httpx.AsyncClient, manifest: dict[str, Any], headers: dict[str, str], hits: int
) -> str:
    """The first of some common words with at least `hits` matches for this caller."""
    candidates = [manifest["words"]["common"].lower(), "team", "cost", "services", "platform"]
    for q in candidates:
        reply = await client.get("/v1/search", params={"q": q, "limit": "1"}, headers=headers)
        if reply.json()["total"] >= hits:
            return q
    raise SystemExit(f"no candidate query has {hits} hits")


# -- plans --------------------------------------------------------------------------------


async def explain(url: str, manifest: dict[str, Any]) -> None:
    engine = create_engine(url)
    search = create_search(engine)
    postgres = engine.dialect.name == "postgresql"
    captured: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        captured.append((statement, parameters))

    print("\n## plans\n")
    log = LogSlug(manifest["largest_log"]["slug"])
    one = queries(manifest)["one word"]
    try:
        for caller, actor in (("anonymous", Actor(None)), ("member", Actor("bench-member"))):
            cases = {
                kind: search.search(
                    parse_search(q), actor, SearchFilters(), limit=21, after=None, facet_size=20
                )
                for kind, q in queries(manifest).items()
            }
            if caller == "member":
                cases["list q in one log"] = search.decisions(
                    log, parse_search(one), DecisionFilters(), limit=21, after=None
                )
            for kind, call in cases.items():
                captured.clear()
                event.listen(engine.sync_engine, "before_cursor_execute", grab)
                try:
                    await call
                finally:
                    event.remove(engine.sync_engine, "before_cursor_execute", grab)
                async with engine.connect() as connection:
                    for label, (statement, params) in zip(
                        ("rank", "details"), captured, strict=False
                    ):
                        prefix = (
                            "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
                        )
                        rows = (await connection.exec_driver_sql(prefix + statement, params)).all()
                        print(f"{caller:<9} {kind:<22} {label:<7} {summary(rows, postgres)}")
    finally:
        await engine.dispose()


def summary(rows: list[Any], postgres: bool) -> str:
    if not postgres:
        lines = [str(row[-1]) for row in rows]
        return "; ".join(line for line in lines if "SCAN" in line or "SEARCH" in line)[:300]
    lines = [row[0] for row in rows]
    scans = sorted(
        {
            m.group(0)
            for line in lines
            if (
                m := re.search(
                    r"(Bitmap Index Scan|Index Only Scan|Index Scan|Seq Scan) on \w+", line
                )
            )
        }
    )
    execution = next((line for line in lines if line.startswith("Execution Time")), "")
    # The heap blocks of the search table, not of log_members.
    after = next((i for i, line in enumerate(lines) if "Heap Scan on decision_search" in line), 0)
    heap = next((line.strip() for line in lines[after:] if "Heap Blocks" in line), "")
    return f"{execution}; {', '.join(scans)}; {heap}"


# -- writes -------------------------------------------------------------------------------


async def writes(
    client: httpx.AsyncClient, url: str, manifest: dict[str, Any], n: int, rounds: int = 5
) -> None:
    """Proposing a decision with the search trigger on and off, alternating rounds."""
    headers = {"Authorization": f"Bearer {manifest['tokens']['bench-admin']}"}
    slug = f"bench-writes-{int(time.time())}"
    reply = await client.post("/v1/logs", json={"slug": slug, "title": "Writes"}, headers=headers)
    assert reply.status_code == 201, reply.text
    corpus = Corpus(manifest["seed"] + 99)
    rng = random.Random(1)
    engine = create_engine(url)
    timings: dict[bool, list[float]] = {True: [], False: []}
    sql: dict[bool, list[float]] = {True: [], False: []}
    try:
        for _ in range(rounds):
            for indexed in (True, False):
                async with engine.begin() as connection:
                    state = "ENABLE" if indexed else "DISABLE"
                    await connection.execute(
                        text(f"ALTER TABLE decisions {state} TRIGGER {TRIGGER}")
                    )
                for _ in range(n):
                    d = corpus.decision(rng, 0, ["Ada Lovelace"], "proposed", dt.date(2026, 1, 1))
                    body = {
                        "title": d.title,
                        "content": d.content,
                        "tags": d.tags,
                        "decision_makers": d.decision_makers,
                        "consulted": d.consulted,
                    }
                    started = time.perf_counter()
                    reply = await client.post(
                        f"/v1/logs/{slug}/decisions", json=body, headers=headers
                    )
                    timings[indexed].append((time.perf_counter() - started) * 1000)
                    assert reply.status_code == 201, reply.text
                sql[indexed] += await insert_cost(engine, slug, corpus, rng, n)
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f"ALTER TABLE decisions ENABLE TRIGGER {TRIGGER}"))
            # Index what was written with the trigger off, as reindex would.
            await connection.execute(
                text(
                    "UPDATE decisions SET title = title WHERE log_id = "
                    "(SELECT id FROM logs WHERE slug = :slug)"
                ),
                {"slug": slug},
            )
        await engine.dispose()
    print(f"\n## writes ({rounds} rounds of {n} each way)\n")
    for label, samples in (("POST decision over HTTP", timings), ("INSERT + COMMIT alone", sql)):
        on, off = Stats(samples[True]), Stats(samples[False])
        print(f"{label:<24} with index    {on.line()}")
        print(f"{label:<24} without index {off.line()}")
        mean = statistics.mean(samples[True]) / statistics.mean(samples[False])
        print(
            f"{label:<24} ratio: mean {mean:.2f}, "
            f"p50 {on.p(0.5) / off.p(0.5):.2f}, p95 {on.p(0.95) / off.p(0.95):.2f}"
        )


async def insert_cost(
    engine: Any, slug: str, corpus: Corpus, rng: random.Random, n: int
) -> list[float]:
    """One decision row inserted and committed, n times, numbered from the log's counter."""
    samples = []
    async with engine.connect() as connection:
        log_id, start = (
            await connection.execute(
                text(
                    "UPDATE logs SET next_number = next_number + :n WHERE slug = :slug "
                    "RETURNING id, next_number - :n - 1"
                ),
                {"n": n, "slug": slug},
            )
        ).one()
        await connection.commit()
        for i in range(n):
            d = corpus.decision(rng, 0, ["Ada Lovelace"], "proposed", dt.date(2026, 1, 1))
            params = {
                "log_id": log_id,
                "number": start + 1 + i,
                "title": d.title,
                "content": json.dumps(d.content),
                "makers": json.dumps(d.decision_makers),
                "tags": json.dumps(d.tags),
            }
            started = time.perf_counter()
            await connection.execute(
                text(
                    "INSERT INTO decisions (log_id, number, title, status, date, version, content,"
                    " decision_makers, consulted, informed, tags, links) VALUES (:log_id, :number,"
                    " :title, 'proposed', '2026-01-01', 1, :content, :makers, '[]', '[]', :tags,"
                    " '[]')"
                ),
                params,
            )
            await connection.commit()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=Path("var/search-bench.json"))
    parser.add_argument("--requests", type=int, default=40, help="timed requests per case")
    parser.add_argument("--no-deep", action="store_true", help="skip page 1,000")
    parser.add_argument("--writes", type=int, default=0, help="decisions per write round")
    parser.add_argument("--no-queries", action="store_true", help="measure writes only")
    args = parser.parse_args()
    manifest = json.loads(args.manifest.read_text())
    url = manifest["url"]
    print(
        f"# {make_url(url).get_backend_name()}: {manifest['logs']:,} logs, "
        f"{manifest['decisions']:,} decisions; load: {os.getloadavg()}"
    )
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_server(url, port, Path(data_dir))
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=120
            ) as client:
                await wait_ready(client, server)
                if not args.no_queries:
                    await http_cases(client, manifest, args.requests, not args.no_deep)
                if args.writes:
                    await writes(client, url, manifest, args.writes)
        finally:
            server.terminate()
            server.wait(timeout=30)
    if not args.no_queries:
        await explain(url, manifest)
    print(f"\nload after: {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
