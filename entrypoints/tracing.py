"""Optional OpenTelemetry tracing of requests (FastAPI's own), SQL statements and Celery
tasks.

Off unless the standard variables ask for it: an OTLP endpoint
(OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or a traces exporter
(OTEL_TRACES_EXPORTER=otlp or console); OTEL_SDK_DISABLED=true turns it off again.
Off, neither the SDK nor an instrumentation is imported and nothing is wrapped (FastAPI
imports the OpenTelemetry API, and is told not to use it).
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and the exporter's own OTEL_* variables are
read by the SDK itself.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi.telemetry import TelemetryConfig
from sqlalchemy.ext.asyncio import AsyncEngine


def enabled() -> bool:
    env = os.environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    return bool(exporter or endpoint)


def start(service: str) -> None:
    """Install this process's tracer provider (after any fork: its exporter thread does
    not survive one). `service` names it unless OTEL_SERVICE_NAME does."""
    from opentelemetry import trace
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    resource = Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", service)})
    provider = TracerProvider(resource=resource)
    if os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def fastapi_telemetry() -> TelemetryConfig:
    """FastAPI's own OpenTelemetry support: request spans when tracing is on; off, not
    even the per-request check for a configured provider. Metrics are Prometheus'
    (ADR-0016) and logs structlog's, so FastAPI exports neither."""
    if not enabled():
        return {"tracing": False, "metrics": False, "logs": False}
    return {
        "tracing": True,
        "metrics": False,
        "logs": False,
        "operation_spans": False,
        # Scraped and probed every few seconds: not worth a trace each.
        "exclude": lambda scope: scope.get("path") in _UNTRACED,
    }


_UNTRACED = frozenset(("/metrics", "/healthz", "/readyz"))


def trace_engine(engine: AsyncEngine) -> Any:
    """Trace each statement of `engine` (returns the tracer that does it)."""
    from opentelemetry import metrics, trace
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    usage = metrics.get_meter(__name__).create_up_down_counter(
        "db.client.connections.usage", unit="connections"
    )
    return EngineTracer(trace.get_tracer(__name__), engine.sync_engine, usage)  # type: ignore[no-untyped-call]


def trace_celery() -> None:
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    instrumentor = CeleryInstrumentor()  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
