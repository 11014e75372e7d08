"""The background half: the Celery app, its tasks, the beat schedule and the worker's
per-process runtime."""
