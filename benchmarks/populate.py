"""Fill a database with N logs and M decisions of realistic MADR content, fast and
deterministically from a seed, for the search benchmarks.

    uv run python benchmarks/populate.py --url postgresql+asyncpg://postgres@127.0.0.1/adr_search_bench
    uv run python benchmarks/populate.py --url sqlite+aiosqlite:///var/search-bench.db \\
        --logs 100 --decisions 100000

The database is made anew (on PostgreSQL only one whose name starts with
'adr_search_bench'), migrated, then written in bulk straight to the tables: COPY on
PostgreSQL (the search trigger off, the index rebuilt once at the end by the same code as
`adr-registry search reindex`), batched inserts on SQLite (its triggers index as it goes).

Logs get long-tailed sizes (a few large ones, many small), a quarter of them public, and
members; a tenth open with ADR-0000. Decisions take every status, supersede one another
within their log, and carry history. Two callers are made with personal access tokens:
`bench-admin` (a site admin) and `bench-member` (roles in 50 logs); their tokens and the
names the benchmark queries are written to --manifest.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from madr_corpus import AREAS, Corpus, GeneratedDecision
from sqlalchemy.engine import make_url

from adapters.sqlalchemy import create_engine, create_search, migrate
from application.tokens import hash_secret, new_secret

ROLES = ("viewer", "author", "decider", "admin")
BENCH_ADMIN = "bench-admin"
BENCH_MEMBER = "bench-member"
MEMBER_LOGS = 50
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def log_sizes(rng: random.Random, logs: int, decisions: int) -> list[int]:
    """Long-tailed: the largest log holds about 4% of all decisions, the smallest few."""
    weights = [(rank + 1) ** -0.7 for rank in range(logs)]
    total = sum(weights)
    sizes = [max(1, int(decisions * w / total)) for w in weights]
    sizes[0] += decisions - sum(sizes)
    rng.shuffle(sizes)
    return sizes


class World:
    """Everything but the decisions' text: logs, users, members, the bench callers."""

    def __init__(self, corpus: Corpus, logs: int, decisions: int) -> None:
        rng = random.Random(corpus.seed + 1)
        self.sizes = log_sizes(rng, logs, decisions)
        self.slugs = [f"{rng.choice(AREAS)}-{i:04d}" for i in range(logs)]
        self.public = [rng.random() < 0.25 for _ in range(logs)]
        self.from_zero = [rng.random() < 0.1 for _ in range(logs)]
        self.usernames = [f"user{i:04d}" for i in range(len(corpus.people))]
        self.names = dict(zip(self.usernames, corpus.people, strict=True))
        self.members: list[list[tuple[str, str]]] = []
        for _ in range(logs):
            people = rng.sample(self.usernames, 2 + rng.randrange(8))
            roles = [(people[0], "admin")] + [(u, rng.choice(ROLES)) for u in people[1:]]
            self.members.append(roles)
        # The bench member: roles in 50 logs, the largest private one among them.
        largest_private = max(
            (i for i in range(logs) if not self.public[i]), key=self.sizes.__getitem__
        )
        others = [i for i in range(logs) if i != largest_private]
        self.member_logs = sorted(
            [largest_private, *rng.sample(others, min(MEMBER_LOGS - 1, len(others)))]
        )
        for i in self.member_logs:
            self.members[i].append((BENCH_MEMBER, rng.choice(ROLES)))

    def numbers(self, log: int) -> range:
        start = 0 if self.from_zero[log] else 1
        return range(start, start + self.sizes[log])


def plan_statuses(
    corpus: Corpus, world: World, rng: random.Random
) -> tuple[list[list[str]], dict[tuple[int, int], list[dict[str, str]]]]:
    """Each log's statuses in number order, and the supersession links: each superseded
    decision points to the next accepted one of its log, which points back; a superseded
    decision with no later accepted one becomes deprecated."""
    statuses = [[corpus.status(rng) for _ in range(size)] for size in world.sizes]
    links: dict[tuple[int, int], list[dict[str, str]]] = {}
    for log, states in enumerate(statuses):
        start, slug = world.numbers(log).start, world.slugs[log]
        successor: int | None = None
        for j in reversed(range(len(states))):
            if states[j] == "accepted":
                successor = j
            elif states[j] == "superseded":
                if successor is None:
                    states[j] = "deprecated"
                    continue
                later = {"kind": "superseded-by", "target": f"{slug}/{start + successor}"}
                links.setdefault((log, j), []).append(later)
                earlier = {"kind": "supersedes", "target": f"{slug}/{start + j}"}
                links.setdefault((log, successor), []).append(earlier)
    for found in links.values():
        found.sort(key=lambda link: (link["kind"], link["target"]))
    return statuses, links


class Rows:
    """The rows of every table, decision by decision in the order they were written:
    the logs interleave, as they do over the years in a real registry, so that ids (and
    rows on disk) follow time, not logs."""

    def __init__(self, corpus: Corpus, world: World, seed: int) -> None:
        rng = random.Random(seed)
        self.corpus = corpus
        self.world = world
        self.statuses, self.links = plan_statuses(corpus, world, rng)
        self.order = [log for log, size in enumerate(world.sizes) for _ in range(size)]
        rng.shuffle(self.order)
        self.names = [[world.names.get(u, u) for u, _ in roles] for roles in world.members]
        self.rng = rng
        self.decision_id = 0
        self.event_id = 0
        # How many decisions name each rare word, and whether one is in a public log.
        self.codenames: dict[str, int] = {}
        self.public_codenames: set[str] = set()

    def all(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        written = [0] * len(self.world.sizes)
        first_day, days = dt.date(2016, 1, 1), 3650
        for position, log in enumerate(self.order):
            j = written[log]
            written[log] += 1
            day = first_day + dt.timedelta(days=position * days // len(self.order))
            d = self.corpus.decision(
                self.rng,
                self.world.numbers(log).start + j,
                self.names[log],
                self.statuses[log][j],
                day,
            )
            d.links = self.links.get((log, j), [])
            if d.codename is not None:
                self.codenames[d.codename] = self.codenames.get(d.codename, 0) + 1
                if self.world.public[log]:
                    self.public_codenames.add(d.codename)
            yield from self._rows_of(log, d)

    def _rows_of(self, log: int, d: GeneratedDecision) -> Iterator[tuple[str, tuple[Any, ...]]]:
        slug = self.world.slugs[log]
        self.decision_id += 1
        did = self.decision_id
        yield (
            "decisions",
            (
                did,
                log + 1,
                d.number,
                d.title,
                d.status,
                d.date,
                d.review_by,
                2 if d.status != "proposed" else 1,
                orjson.dumps(d.content).decode(),
                orjson.dumps(d.decision_makers).decode(),
                orjson.dumps(d.consulted).decode(),
                orjson.dumps(d.informed).decode(),
                orjson.dumps(d.tags).decode(),
                orjson.dumps(d.links).decode(),
            ),
        )
        for tag in d.tags:
            yield "decision_tags", (did, tag)
        for role, people in (
            ("decision_makers", d.decision_makers),
            ("consulted", d.consulted),
            ("informed", d.informed),
        ):
            for name in people:
                yield "decision_people", (did, role, name)
        for link in d.links:
            target_number = int(link["target"].rpartition("/")[2])
            yield "decision_links", (did, link["kind"], slug, target_number)
        at = dt.datetime.combine(d.date, dt.time(9), tzinfo=dt.UTC)
        self.event_id += 1
        yield (
            "decision_events",
            (
                self.event_id,
                slug,
                d.number,
                1,
                "decision.proposed",
                "importer",
                at,
                orjson.dumps({"title": d.title}).decode(),
            ),
        )
        if d.status != "proposed":
            self.event_id += 1
            yield (
                "decision_events",
                (
                    self.event_id,
                    slug,
                    d.number,
                    2,
                    f"decision.{d.status}",
                    "importer",
                    at,
                    "{}",
                ),
            )


COLUMNS = {
    "decisions": (
        "id",
        "log_id",
        "number",
        "title",
        "status",
        "date",
        "review_by",
        "version",
        "content",
        "decision_makers",
        "consulted",
        "informed",
        "tags",
        "links",
    ),
    "decision_tags": ("decision_id", "tag"),
    "decision_people": ("decision_id", "role", "name"),
    "decision_links": ("decision_id", "kind", "target_log_slug", "target_number"),
    "decision_events": (
        "id",
        "log_slug",
        "number",
        "version",
        "event",
        "actor",
        "at",
        "details",
    ),
}
_BATCH = 50_000


def batches(rows: Rows) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Every table's rows, _BATCH decisions at a time (a decision's other rows may come
    in the next batch: batches are written in order, decisions first)."""
    batch: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
    for table, row in rows.all():
        if table == "decisions" and len(batch["decisions"]) >= _BATCH:
            yield batch
            batch = {table: [] for table in COLUMNS}
        batch[table].append(row)
    yield batch


def base_rows(world: World) -> dict[str, list[tuple[Any, ...]]]:
    users = [(u, False, AT) for u in world.usernames]
    users += [(BENCH_ADMIN, True, AT), (BENCH_MEMBER, False, AT)]
    logs = [
        (
            i + 1,
            slug,
            slug.replace("-", " ").title(),
            "",
            "public" if public else "private",
            world.numbers(i).stop,
            1,
        )
        for i, (slug, public) in enumerate(zip(world.slugs, world.public, strict=True))
    ]
    members = [
        (i + 1, username, role)
        for i, roles in enumerate(world.members)
        for username, role in dict(roles).items()
    ]
    return {"users": users, "logs": logs, "log_members": members}


BASE_COLUMNS = {
    "users": ("username", "is_admin", "created_at"),
    "logs": ("id", "slug", "title", "description", "visibility", "next_number", "version"),
    "log_members": ("log_id", "username", "role"),
}


def tokens() -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    secrets = {BENCH_ADMIN: new_secret(), BENCH_MEMBER: new_secret()}
    rows = [
        (f"bench-{username}", username, "bench", hash_secret(secret), AT)
        for username, secret in secrets.items()
    ]
    return secrets, rows


# -- PostgreSQL -------------------------------------------------------------------------


async def populate_postgres(
    url: str, corpus: Corpus, world: World, seed: int
) -> tuple[dict[str, str], Rows]:
    parsed = make_url(url)
    name = parsed.database or ""
    if not name.startswith("adr_search_bench"):
        raise SystemExit(f"refusing to recreate database {name!r}: name it adr_search_bench…")
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    admin_dsn = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    await migrate(url)

    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ALTER TABLE decisions DISABLE TRIGGER decision_search_sync")
        for table, rows in base_rows(world).items():
            await connection.copy_records_to_table(table, records=rows, columns=BASE_COLUMNS[table])
        secrets, token_rows = tokens()
        await connection.copy_records_to_table(
            "access_tokens",
            records=token_rows,
            columns=("id", "username", "name", "secret_hash", "created_at"),
        )
        started = time.perf_counter()
        rows_of = Rows(corpus, world, seed)
        for batch in batches(rows_of):
            # Decisions first: the other tables refer to them.
            for table, rows in batch.items():
                await connection.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
            print(
                f"  {rows_of.decision_id:,} decisions ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        for table in ("logs", "decisions", "decision_events"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        print(f"copied {rows_of.decision_id:,} decisions in {time.perf_counter() - started:.0f} s")
        await connection.execute("ALTER TABLE decisions ENABLE TRIGGER decision_search_sync")
    finally:
        await connection.close()

    started = time.perf_counter()
    engine = create_engine(url)
    try:
        indexed = await create_search(engine).rebuild()
    finally:
        await engine.dispose()
    print(f"indexed {indexed:,} decisions in {time.perf_counter() - started:.0f} s")
    connection = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        print(f"vacuum analyze in {time.perf_counter() - started:.0f} s")
    finally:
        await connection.close()
    return secrets, rows_of


# -- SQLite -----------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def populate_sqlite(
    url: str, corpus: Corpus, world: World, seed: int
) -> tuple[dict[str, str], Rows]:
    path = Path(make_url(url).database or "")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    asyncio.run(migrate(url))
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("BEGIN")

        def insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
            marks = ", ".join("?" for _ in columns)
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                ([_sqlite_value(v) for v in row] for row in rows),
            )

        for table, rows in base_rows(world).items():
            insert(table, BASE_COLUMNS[table], rows)
        secrets, token_rows = tokens()
        insert("access_tokens", ("id", "username", "name", "secret_hash", "created_at"), token_rows)
        started = time.perf_counter()
        rows_of = Rows(corpus, world, seed)
        for batch in batches(rows_of):
            for table, rows in batch.items():
                insert(table, COLUMNS[table], rows)
        connection.execute("COMMIT")
        print(
            f"inserted {rows_of.decision_id:,} decisions (indexed by the triggers) in "
            f"{time.perf_counter() - started:.0f} s"
        )
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return secrets, rows_of


# -- the manifest -----------------------------------------------------------------------


def manifest(
    corpus: Corpus, world: World, rows: Rows, secrets: dict[str, str], url: str
) -> dict[str, Any]:
    """What the benchmark needs: tokens, and logs and words of known frequencies."""
    member_private = [i for i in world.member_logs if not world.public[i]]
    largest_readable = max(
        (i for i in range(len(world.slugs)) if world.public[i] or i in world.member_logs),
        key=world.sizes.__getitem__,
    )
    largest_public = max(
        (i for i in range(len(world.slugs)) if world.public[i]), key=world.sizes.__getitem__
    )
    popular = corpus.technologies
    # A word in one decision of all, in a public log: every caller can find it.
    rare = min(c for c in rows.public_codenames if rows.codenames[c] == 1)
    # The admin of the largest public log makes decisions there.
    person = world.names[world.members[largest_public][0][0]]
    return {
        "url": url,
        "seed": corpus.seed,
        "logs": len(world.slugs),
        "decisions": sum(world.sizes),
        "tokens": secrets,
        "member_logs": [world.slugs[i] for i in world.member_logs],
        "member_private_logs": len(member_private),
        "public_logs": sum(world.public),
        "largest_log": {
            "slug": world.slugs[largest_readable],
            "decisions": world.sizes[largest_readable],
            "public": world.public[largest_readable],
        },
        "largest_public_log": {
            "slug": world.slugs[largest_public],
            "decisions": world.sizes[largest_public],
        },
        "words": {
            "common": popular[0].name,
            "typical": popular[12].name,
            "second": popular[40].name,
            "rare": rare,
            "person": person,
            "tag": popular[3].tag,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the database to make")
    parser.add_argument("--logs", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--manifest",
        type=Path,
        default=Path("var/search-bench.json"),
        help="where to write the bench callers' tokens and the words to query",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    corpus = Corpus(args.seed)
    world = World(corpus, args.logs, args.decisions)
    print(
        f"{args.logs:,} logs ({sum(world.public)} public), {args.decisions:,} decisions; "
        f"largest log {max(world.sizes):,}, smallest {min(world.sizes):,}"
    )
    if make_url(args.url).get_backend_name() == "postgresql":
        secrets, rows = asyncio.run(populate_postgres(args.url, corpus, world, args.seed))
    else:
        secrets, rows = populate_sqlite(args.url, corpus, world, args.seed)
    args.manifest.parent.mkdir(parents=True, exist_ok=True)
    args.manifest.write_text(json.dumps(manifest(corpus, world, rows, secrets, args.url), indent=2))
    args.manifest.chmod(0o600)
    print(f"done in {time.perf_counter() - started:.0f} s; manifest in {args.manifest}")


if __name__ == "__main__":
    main()
