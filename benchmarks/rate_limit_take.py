"""The CPU one request's rate limit costs, in-process: `RateLimits.take` on the memory
storage and on Redis (hits batched, as the API sends them), against a quota that is
never spent.

    uv run python benchmarks/rate_limit_take.py [--redis redis://127.0.0.1:6379/0] [-n 5000]

Prints microseconds per request, wall and CPU; compare with the CPU a served request
costs (benchmarks/rate_limit_cost.sh measures the whole request from outside).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from entrypoints.http.rate_limits import RateLimits, storage_of

_SCOPE = {"headers": [(b"authorization", b"Bearer adr_" + b"x" * 43)], "client": ("::1", 1)}


async def measure(url: str, requests: int) -> str:
    limits = RateLimits(
        storage_of(url),
        authenticated="1000000000/minute",
        anonymous="1000000000/minute",
        sign_in_failures="10/minute",
    )
    for _ in range(200):
        await limits.take(_SCOPE)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        await limits.take(_SCOPE)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return (
        f"{url or 'memory'}: {wall / requests * 1e6:.1f} us wall, "
        f"{cpu / requests * 1e6:.1f} us CPU per request"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("-n", type=int, default=5000)
    args = parser.parse_args()
    for url in ("", args.redis):
        print(asyncio.run(measure(url, args.n)))


if __name__ == "__main__":
    main()
