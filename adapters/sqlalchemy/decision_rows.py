"""A decision as a row of `decisions` and back, and its events as rows of the history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from application.content_json import content_from_json, content_to_json
from domain.decision import Decision
from domain.events import DecisionEvent
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionRef


def decision_columns(decision: Decision) -> dict[str, Any]:
    """The `decisions` columns a decision fills, besides its log and number."""
    return {
        "title": decision.title,
        "status": decision.status.value,
        "date": decision.date,
        "review_by": decision.review_by,
        "version": decision.version,
        "content": content_to_json(decision.content),
        "decision_makers": list(decision.decision_makers),
        "consulted": list(decision.consulted),
        "informed": list(decision.informed),
        "tags": sorted(decision.tags),
        "links": [
            {"kind": link.kind.value, "target": str(link.target)} for link in sorted(decision.links)
        ],
    }


def decision_from_row(ref: DecisionRef, row: Row[Any]) -> Decision:
    """The decision a row holds; the row has the columns `decision_columns` fills."""
    return Decision(
        ref=ref,
        title=row.title,
        status=Status(row.status),
        date=row.date,
        decision_makers=row.decision_makers,
        consulted=row.consulted,
        informed=row.informed,
        tags=row.tags,
        content=content_from_json(row.content),
        links=(
            Link(LinkKind(link["kind"]), DecisionRef.parse(link["target"], relative_to=ref.log))
            for link in row.links
        ),
        review_by=row.review_by,
        version=row.version,
    )


def event_row(event: DecisionEvent) -> dict[str, Any]:
    return {
        "log_slug": event.ref.log.value,
        "number": event.ref.number.value,
        "version": event.version,
        "event": event.name,
        "actor": event.actor,
        "at": event.at,
        "details": event.details(),
    }
