"""The HTTP benchmark harness cannot rot: one short round, every variant answers alike.

It runs `benchmarks/http_vs_peers.py --smoke` as a user would: it builds the peers'
environments if they are missing, generates 1,000 decisions into SQLite and a
throwaway PostgreSQL database, checks that every variant returns the registry's JSON,
and puts each under a second of wrk load. No figure is asserted: the machine is shared.
"""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.benchmarks.bounded import run_bounded
from tests.services import postgres_url_or_skip, unavailable

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "benchmarks" / "http_vs_peers.py"


def test_every_variant_answers_with_the_registrys_json_under_load(tmp_path: Path) -> None:
    admin = make_url(postgres_url_or_skip())
    if shutil.which("wrk") is None and shutil.which("apt-get") is None:
        unavailable("wrk is not installed and apt-get is not there to install it")
    database = admin.set(
        drivername="postgresql", database=f"adr_bench_smoke_{uuid.uuid4().hex[:8]}"
    )
    output = tmp_path / "results.json"
    run = run_bounded(
        [
            sys.executable,
            str(HARNESS),
            "--smoke",
            "--workdir",
            str(tmp_path / "data"),
            "--postgres",
            database.render_as_string(hide_password=False),
            "--output",
            str(output),
        ],
        cwd=ROOT,
        timeout=110,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "gave equal JSON" in run.stdout
    results = json.loads(output.read_text())
    measured = {(m["variant"], m["scenario"]) for m in results["medians"]}
    variants = {v["key"] for v in results["variants"]}
    scenarios = {s["key"] for s in results["scenarios"]}
    assert len(variants) == 7
    assert measured == {(v, s) for v in variants for s in scenarios}
    assert all(m["requests_per_s"] > 0 for m in results["medians"])
    assert set(results["writes"]["medians"]) == {"registry-sqlite", "registry-postgres"}
