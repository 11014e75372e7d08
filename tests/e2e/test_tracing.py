"""Optional OpenTelemetry tracing: off by default (no SDK, exporter or instrumentation
even imported), on through the standard OTEL_* variables, tracing requests and their SQL
statements."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from entrypoints.settings import Settings
from entrypoints.worker.celery_app import create_celery
from tests.e2e.test_metrics_processes import COMMAND, free_port, wait_until_ready
from tests.e2e.workers import Worker

_IMPORTS_NOTHING = """
import sys
from pathlib import Path
import tempfile
from entrypoints import cli
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
create_app(Settings(data_dir=Path(tempfile.mkdtemp())))
loaded = ("opentelemetry.sdk", "opentelemetry.instrumentation", "opentelemetry.exporter")
print(sorted(m for m in sys.modules if m.startswith(loaded)))
"""


def test_without_otel_variables_no_sdk_exporter_or_instrumentation_is_loaded() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS_NOTHING], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_console_exporter_shows_a_request_and_its_statements(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ADR_REGISTRY_DATA_DIR": str(tmp_path),
        "ADR_REGISTRY_DATABASE_URL": "",
        "ADR_REGISTRY_BROKER_URL": "",
        "OTEL_TRACES_EXPORTER": "console",
        "OTEL_SERVICE_NAME": "registry-under-test",
    }
    spans = tmp_path / "spans.out"
    with spans.open("wb") as out:
        process = subprocess.Popen(
            [COMMAND, "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(url, process)
        token = (tmp_path / "admin-token").read_text().strip()
        created = httpx.post(
            f"{url}/v1/logs",
            json={"slug": "traced", "title": "Traced"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201
    finally:
        process.terminate()
        process.wait(timeout=30)
    found = console_spans(spans.read_text())
    (request,) = [span for span in found if span["name"] == "POST /v1/logs"]
    assert request["resource"]["attributes"]["service.name"] == "registry-under-test"
    # The write's statements are in its trace. (Reads go to the driver directly, past
    # SQLAlchemy's events: ADR-0008's hot path; the request span times them.)
    trace_id = request["context"]["trace_id"]
    assert [
        span
        for span in found
        if span["name"].startswith("INSERT") and span["context"]["trace_id"] == trace_id
    ]
    assert not [span for span in found if "/readyz" in span["name"]]  # probes: untraced


def test_a_worker_traces_its_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    settings = Settings(data_dir=tmp_path, broker_url="")
    worker = Worker.start(settings, concurrency=1)
    try:
        app = create_celery(settings)
        app.send_task("tests.record", args=[1, str(tmp_path), 0])
        app.close()
        deadline = time.monotonic() + 60
        while not (tmp_path / "done").exists():
            assert time.monotonic() < deadline, "the task did not run"
            time.sleep(0.1)
    finally:
        worker.stop()
    names = {span["name"] for span in console_spans(worker.log.read_text())}
    assert "run/tests.record" in names


def console_spans(text: str) -> list[dict[str, Any]]:
    """The spans the console exporter printed (indented JSON objects, among log lines)."""
    spans, decoder, at = [], json.JSONDecoder(), 0
    while (start := text.find("{\n", at)) != -1:
        span, at = decoder.raw_decode(text, start)
        spans.append(span)
    return spans
