"""A decision's web page beside the API's JSON for the same decision, measured from outside.

    uv run python benchmarks/web_vs_api.py            # 6 rounds of 10 s (about 3 min)
    uv run python benchmarks/web_vs_api.py --smoke    # one short round: both answer

Issue #12 asks that a decision page render in under 1.5x the time of the API's JSON.
The data is the HTTP benchmark's (`http_vs_peers.py`, whose helpers this reuses): a
public log of ~1 KB MADR decisions in a SQLite file. One `adr-registry serve` process,
as a user runs it (JSON logs, access log on), is pinned to core 0; `wrk` runs on core 1
and asks for random decisions, anonymously: `/v1/logs/bench/decisions/N` (JSON) and
`/logs/bench/decisions/N` (the page, with its history and links). The two are
interleaved in each round, their order alternating, and the report holds the medians of
req/s, p50, p99 and the server's CPU time per request, and their ratios, page over JSON.
The machine's load average is recorded with each round.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sys
import urllib.request
from dataclasses import asdict
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET = 1.5  # the page's time over the JSON's, at most


def _http_benchmark() -> ModuleType:
    """`http_vs_peers.py`, for its data, server and wrk helpers (benchmarks/ is no package)."""
    spec = importlib.util.spec_from_file_location("http_vs_peers", HERE / "http_vs_peers.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


hvp = _http_benchmark()

API = hvp.Scenario("api-json", "GET a decision, the API's JSON", False, None)
PAGE = hvp.Scenario("web-page", "GET a decision, the web page", False, None)
VARIANT = hvp.Variant("registry-sqlite", "registry, SQLite", "sqlite", "registry", None)


def page_script(workdir: Path, decisions: int) -> Path:
    script = workdir / "random_page.lua"
    script.write_text(
        f'local prefix = "/logs/{hvp.LOG}/decisions/"\n'
        "math.randomseed(7)\n"
        f"request = function() return wrk.format(nil, prefix .. math.random(1, {decisions})) end\n"
    )
    return script


def check_same_decision(base: str, number: int) -> None:
    """The page and the JSON show the same decision before anything is timed."""
    decision = hvp.fetch(f"{base}/v1/logs/{hvp.LOG}/decisions/{number}", None)
    with urllib.request.urlopen(f"{base}/logs/{hvp.LOG}/decisions/{number}", timeout=10) as reply:
        assert reply.headers["content-type"].startswith("text/html"), reply.headers
        html = reply.read().decode()
    heading = f"ADR-{number:04d} {decision['title']}"
    if heading not in html:
        raise SystemExit(f"the page of decision {number} does not show {heading!r}")


def ratios(cells: dict[str, Any]) -> dict[str, float]:
    page, api = cells[PAGE.key], cells[API.key]
    return {
        "cpu_per_request": page.median("cpu_us_per_request") / api.median("cpu_us_per_request"),
        "p50": page.median("p50_ms") / api.median("p50_ms"),
        "p99": page.median("p99_ms") / api.median("p99_ms"),
        "requests_per_s": api.median("requests_per_s") / page.median("requests_per_s"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one short round on 200 decisions")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before each run")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each timed run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--decisions", type=int, default=2_000)
    parser.add_argument("--workdir", type=Path, default=HERE / ".data" / "web_vs_api")
    parser.add_argument("--output", type=Path, default=None, help="default: WORKDIR/results.json")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.warmup, args.duration, args.decisions = 1, 0, 1, 200

    binary = hvp.ensure_wrk()
    if len(os.sched_getaffinity(0)) < 2:
        raise SystemExit("this needs two cores: one for the server, one for the load")
    os.sched_setaffinity(0, {hvp.LOAD_CORE})
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    started_load = os.getloadavg()
    print(f"generating {args.decisions:,} decisions into SQLite ...", flush=True)
    database = asyncio.run(hvp.prepare_sqlite(workdir, args.decisions))
    scripts = {
        API.key: hvp.random_decision_script(workdir, args.decisions),
        PAGE.key: page_script(workdir, args.decisions),
    }
    cells: dict[str, Any] = {}
    loads: list[list[float]] = []
    with hvp.running([VARIANT], {"sqlite": database}, "", workdir) as (server,):
        for number in (1, args.decisions // 2 + 1, args.decisions):
            check_same_decision(server.base, number)
        print("the page and the JSON show the same decisions; timing ...", flush=True)
        for round_ in range(args.rounds):
            loads.append(list(os.getloadavg()))
            for case in (API, PAGE) if round_ % 2 == 0 else (PAGE, API):
                sample = hvp.measure(
                    binary,
                    server,
                    case,
                    None,
                    scripts[case.key],
                    args.warmup,
                    args.duration,
                    args.connections,
                )
                cells.setdefault(case.key, hvp.Cell(VARIANT.key, case.key)).samples.append(sample)
            print(
                f"round {round_ + 1}/{args.rounds} done, load {os.getloadavg()[0]:.2f}", flush=True
            )

    print("\n| what | req/s | p50 ms | p99 ms | server CPU µs/request |")
    print("|---|---:|---:|---:|---:|")
    for case in (API, PAGE):
        cell = cells[case.key]
        print(
            f"| {case.label} | {cell.median('requests_per_s'):,.0f} | "
            f"{cell.median('p50_ms'):.1f} | {cell.median('p99_ms'):.1f} | "
            f"{cell.median('cpu_us_per_request'):,.0f} |"
        )
    found = ratios(cells)
    met = found["cpu_per_request"] < TARGET and found["p50"] < TARGET
    print(
        f"\npage / JSON: server CPU per request {found['cpu_per_request']:.2f}x, "
        f"p50 {found['p50']:.2f}x, p99 {found['p99']:.2f}x, "
        f"JSON req/s over page req/s {found['requests_per_s']:.2f}x"
    )
    print(f"target (CPU per request and p50 under {TARGET}x): {'met' if met else 'NOT met'}")
    ended_load = os.getloadavg()
    print(
        "load average: at start "
        + " ".join(f"{x:.2f}" for x in started_load)
        + ", at end "
        + " ".join(f"{x:.2f}" for x in ended_load)
    )
    output = args.output or workdir / "results.json"
    output.write_text(
        json.dumps(
            {
                "command": " ".join(sys.argv),
                "settings": {k: v for k, v in vars(args).items() if k not in ("workdir", "output")},
                "load": {"start": started_load, "rounds": loads, "end": ended_load},
                "medians": {
                    key: {
                        n: round(cell.median(n), 2)
                        for n in ("requests_per_s", "p50_ms", "p99_ms", "cpu_us_per_request")
                    }
                    for key, cell in cells.items()
                },
                "samples": {key: [asdict(s) for s in cell.samples] for key, cell in cells.items()},
                "ratios": {k: round(v, 3) for k, v in found.items()},
                "target": TARGET,
                "met": met,
            },
            indent=2,
        )
    )
    print(f"results written to {output}")


if __name__ == "__main__":
    main()
