"""The audit trail's reply."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from domain.audit import AuditAction


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    action: AuditAction
    actor: str | None = Field(
        description="The user who did it; null for the operator (the CLI) and for a "
        "sign-in that failed (its target is the username it claimed)."
    )
    target: str = Field(description="What it was done to.")
    origin: str | None = Field(
        description="The client address the request came from; null from the CLI."
    )
    details: dict[str, str] = Field(description="The rest: a role, a token's name.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "at": "2026-12-02T09:30:00Z",
                    "action": "member_set",
                    "actor": "olga",
                    "target": "log platform member ann",
                    "origin": "203.0.113.7",
                    "details": {"role": "decider"},
                }
            ]
        }
    )
