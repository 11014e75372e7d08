"""Readiness made of several probes, asked at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from application.ports import HealthProbe


class AllHealthProbes(HealthProbe):
    def __init__(self, probes: Sequence[HealthProbe]) -> None:
        self._probes = tuple(probes)

    async def check(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        for result in await asyncio.gather(*(probe.check() for probe in self._probes)):
            checks.update(result)
        return checks
