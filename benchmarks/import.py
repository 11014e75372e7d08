"""Import throughput: generate MADR files, import them into SQLite, print files per second.

    uv run python benchmarks/import.py [--files 10000] [--repeat 3]

Each round imports into a fresh SQLite database through the same handler as the API
and the CLI (parse, validate, write in one transaction). Target: 1,000 files/s on a
2-core machine. A re-import of the same files (all unchanged) is timed too.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from application.commands import CreateLog, CreateUser, ImportDecisions
from application.handlers.imports import ImportDecisionsHandler
from application.handlers.logs import CreateLogHandler
from application.handlers.users import CreateUserHandler
from application.views import OPERATOR, Actor
from domain.values import LogSlug
from entrypoints.bootstrap import build_container, dispose, migrate_database
from entrypoints.settings import Settings

STATUSES = ("proposed", "accepted", "rejected", "deprecated")


def madr_file(number: int) -> tuple[str, bytes]:
    """A realistic MADR 4 file; every tenth supersedes the one before it."""
    status = STATUSES[number % len(STATUSES)]
    links = ""
    if number % 10 == 0:
        status = "accepted"
    if number % 10 == 9:
        status, links = "superseded", f"superseded-by: [ADR-{number + 1:04d}]\n"
    text = f"""---
status: {status}
date: 2024-{1 + number % 12:02d}-{1 + number % 28:02d}
decision-makers: [ann, dee]
consulted: [ops]
tags: [area-{number % 17}, backend]
{links}---

# Decision {number}: use component {number} for concern {number % 31}

## Context and Problem Statement

We need to choose how concern {number % 31} is handled in service {number % 97}.
The current approach does not scale past the load we expect next year.

## Decision Drivers

* Operability
* Cost
* Team familiarity

## Considered Options

* Component {number}
* Component {number}b
* Do nothing

## Decision Outcome

Chosen option: "Component {number}", because it meets every driver at the lowest cost.

### Consequences

* Good, because it is simple to run
* Bad, because it is one more thing to learn

## Pros and Cons of the Options

### Component {number}

* Good, because it is mature
* Neutral, because it is new to us

### Component {number}b

* Bad, because it is not maintained
"""
    return f"{number:04d}-use-component-{number}.md", text.encode()


async def one_round(files: tuple[tuple[str, bytes], ...]) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), log_format="console")
        await migrate_database(settings)
        container = build_container(settings)
        try:
            create_user: CreateUserHandler = container.resolve(CreateUserHandler)
            await create_user(CreateUser(OPERATOR, "bench"))
            create_log: CreateLogHandler = container.resolve(CreateLogHandler)
            await create_log(CreateLog(Actor("bench"), LogSlug("bench"), "Benchmark"))
            timings = []
            for _ in range(2):  # first import, then a re-import of the same files
                handler: ImportDecisionsHandler = container.resolve(ImportDecisionsHandler)
                started = time.perf_counter()
                report = await handler(ImportDecisions(OPERATOR, LogSlug("bench"), files))
                timings.append(time.perf_counter() - started)
                assert report.ok, [f for f in report.files if f.problems][:3]
            return timings[0], timings[1]
        finally:
            await dispose(container)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = tuple(madr_file(n) for n in range(1, args.files + 1))
    size = sum(len(data) for _, data in files)
    print(f"{args.files} MADR files, {size / 1e6:.1f} MB, into SQLite, {args.repeat} rounds")
    firsts, agains = [], []
    for round_ in range(1, args.repeat + 1):
        first, again = asyncio.run(one_round(files))
        firsts.append(first)
        agains.append(again)
        print(
            f"round {round_}: import {first:.2f} s ({args.files / first:,.0f} files/s), "
            f"re-import {again:.2f} s ({args.files / again:,.0f} files/s)"
        )
    best = args.files / min(firsts)
    median = args.files / statistics.median(firsts)
    print(f"import: median {median:,.0f} files/s, best {best:,.0f} files/s")
    print(f"ratio to the 1,000 files/s target: {median / 1000:.2f}")


if __name__ == "__main__":
    main()
