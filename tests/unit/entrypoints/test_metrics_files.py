"""Multiprocess metric files: a process gone (or an earlier holder of our id) is
forgotten at start; processes still running keep theirs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from entrypoints.metrics import MULTIPROCESS_DIR, forget_dead_processes


def test_files_of_dead_processes_and_of_our_own_id_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MULTIPROCESS_DIR, str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    alive = os.getppid()
    for name in (
        f"counter_{gone.pid}.db",
        f"gauge_livesum_{gone.pid}.db",
        f"counter_{os.getpid()}.db",
        f"counter_{alive}.db",
        f"histogram_{alive}.db",
        "notes.txt",
    ):
        (tmp_path / name).write_bytes(b"")
    forget_dead_processes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"counter_{alive}.db",
        f"histogram_{alive}.db",
        "notes.txt",
    ]


def test_without_the_variable_nothing_is_touched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROCESS_DIR, raising=False)
    (tmp_path / "counter_1.db").write_bytes(b"")
    forget_dead_processes()
    assert (tmp_path / "counter_1.db").exists()
