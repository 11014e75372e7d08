"""The task the drain benchmark runs: nothing, so the figure is Celery's own cost."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="bench.noop")
def noop(number: int) -> None:
    del number
