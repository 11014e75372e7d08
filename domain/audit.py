"""The audit trail: who did what to whom, when and from where, for site admins to read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class AuditAction(StrEnum):
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    MEMBER_SET = "member_set"
    MEMBER_REMOVED = "member_removed"
    USER_CREATED = "user_created"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One thing that happened.

    `actor` is the user who did it: None for the operator (the CLI) and for a sign-in
    that failed (the username it claimed is the target). `origin` is the client address
    the request came from; None from the CLI. `target` names what it was done to;
    `details` says the rest (a role, a token's name).
    """

    action: AuditAction
    at: dt.datetime
    actor: str | None
    target: str
    origin: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
