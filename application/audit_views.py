"""What the audit trail's reader returns, and what it filters on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from domain.audit import AuditAction


@dataclass(frozen=True, slots=True)
class AuditFilters:
    actor: str | None = None
    action: AuditAction | None = None
    since: dt.datetime | None = None  # inclusive


@dataclass(frozen=True, slots=True)
class AuditEntryView:
    id: int
    at: dt.datetime
    action: AuditAction
    actor: str | None
    target: str
    origin: str | None
    details: Mapping[str, str]
