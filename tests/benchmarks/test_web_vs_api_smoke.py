"""The page-versus-JSON benchmark cannot rot: one short round, both answer under load.

It runs `benchmarks/web_vs_api.py --smoke` as a user would: 200 decisions into SQLite,
the page and the JSON checked to show the same decisions, each under a second of wrk
load. No figure is asserted: the machine is shared.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from tests.benchmarks.bounded import run_bounded
from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "benchmarks" / "web_vs_api.py"


def test_the_page_and_the_json_are_measured_side_by_side(tmp_path: Path) -> None:
    if shutil.which("wrk") is None and shutil.which("apt-get") is None:
        unavailable("wrk is not installed and apt-get is not there to install it")
    output = tmp_path / "results.json"
    run = run_bounded(
        [
            sys.executable,
            str(HARNESS),
            "--smoke",
            "--workdir",
            str(tmp_path / "data"),
            "--output",
            str(output),
        ],
        cwd=ROOT,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "the page and the JSON show the same decisions" in run.stdout
    results = json.loads(output.read_text())
    assert set(results["medians"]) == {"api-json", "web-page"}
    assert all(m["requests_per_s"] > 0 for m in results["medians"].values())
    assert set(results["ratios"]) == {"cpu_per_request", "p50", "p99", "requests_per_s"}
