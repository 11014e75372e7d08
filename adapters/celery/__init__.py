"""Celery as the broker client: the outbox relay's publisher and the broker's probe."""

from adapters.celery.health import CeleryBrokerProbe
from adapters.celery.publisher import CeleryEventPublisher

__all__ = ["CeleryBrokerProbe", "CeleryEventPublisher"]
