"""Parse speed of the MADR codec alone: microseconds per file and files per second.

    uv run python benchmarks/madr_parse.py [--files 2000] [--repeat 5] [--profile]

Parses the files `benchmarks/import.py` generates, the shared MADR samples
(/work/shared/madr-samples/madr/*.md) and the seed decisions (/work/shared/seed/*.md),
each set `--repeat` times, and prints the best round per set. `--profile` prints the
functions that take the most time over the generated files instead.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import importlib.util
import pstats
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from adapters.madr import parse_madr
from adapters.madr.errors import MadrParseError
from domain.values import LogSlug

ROOT = Path(__file__).resolve().parent
SHARED = Path("/work/shared")
LOG = LogSlug("bench")
TODAY = dt.date(2030, 1, 1)

Files = Sequence[tuple[str, str]]


def generated(count: int) -> Files:
    """The files of the import benchmark (its file name is no module name: load it)."""
    spec = importlib.util.spec_from_file_location("import_benchmark", ROOT / "import.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    madr_file: Callable[[int], tuple[str, bytes]] = module.madr_file
    return [(name, data.decode()) for name, data in map(madr_file, range(1, count + 1))]


def on_disk(pattern: str) -> Files:
    return [(p.name, p.read_bytes().decode()) for p in sorted(SHARED.glob(pattern))]


def parse_all(files: Files) -> int:
    refused = 0
    for name, text in files:
        try:
            parse_madr(text, filename=name, log=LOG, today=TODAY, number=1)
        except MadrParseError:
            refused += 1
    return refused


def best_round(files: Files, repeat: int) -> float:
    """Seconds per file, best of `repeat` rounds over `files`."""
    parse_all(files)  # warm up: imports, regex caches
    rounds = []
    for _ in range(repeat):
        started = time.perf_counter()
        parse_all(files)
        rounds.append(time.perf_counter() - started)
    return min(rounds) / len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sets = {
        f"generated ({args.files})": generated(args.files),
        "madr samples": on_disk("madr-samples/madr/*.md"),
        "seed": on_disk("seed/*.md"),
    }
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(parse_all, sets[f"generated ({args.files})"])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        return
    for label, files in sets.items():
        if not files:
            print(f"{label:>20}: no files")
            continue
        per_file = best_round(files, args.repeat)
        refused = parse_all(files)
        print(
            f"{label:>20}: {len(files):5d} files, {per_file * 1e6:8.1f} µs/file, "
            f"{1 / per_file:8,.0f} files/s" + (f" ({refused} refused)" if refused else "")
        )


if __name__ == "__main__":
    main()
