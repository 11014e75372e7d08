"""Who may do what: the per-log role rules, decided here for every entrypoint."""

from __future__ import annotations

from application.errors import (
    Forbidden,
    InsufficientScope,
    NotAuthenticated,
    NotFound,
    VersionMismatch,
)
from application.ports import UnitOfWork
from application.views import Actor, LogAccess
from domain.decision import Decision
from domain.log import Log
from domain.values import DecisionRef, LogSlug, Role, Visibility

_SIGN_IN = "send a personal access token as 'Authorization: Bearer <token>'"


def can(actor: Actor, access: LogAccess | None, needed: Role) -> bool:
    if access is None:
        return False
    if actor.is_admin or (needed is Role.VIEWER and access.visibility is Visibility.PUBLIC):
        return True
    return access.role is not None and access.role.includes(needed)


def authorize(actor: Actor, access: LogAccess | None, needed: Role, log: LogSlug) -> None:
    """Raise unless `actor` may act with `needed` on the log.

    A caller who may not see a private log learns nothing: it gets NotFound, as if the
    log did not exist, whether or not a token was given (the HTTP layer adds a hint that
    signing in may help when none was). NotAuthenticated only when an anonymous caller
    would write to a public log.
    """
    if can(actor, access, needed):
        return
    if access is None or (access.role is None and access.visibility is Visibility.PRIVATE):
        raise NotFound(f"there is no log '{log}'")
    if actor.is_anonymous:
        raise NotAuthenticated(f"log '{log}' needs a signed-in caller: {_SIGN_IN}")
    have = access.role.value if access.role else "no role"
    raise Forbidden(
        f"this needs the {needed.value} role on log '{log}'; you have {have}. "
        "Ask one of the log's admins."
    )


def require_write_scope(actor: Actor) -> None:
    """Raise unless the actor's credentials may change something: a read-only token
    may not, whatever its user's roles. Asked before any role, so that it reveals
    nothing about logs either."""
    if not actor.scope.may_write:
        raise InsufficientScope("write", actor.scope.value)


def require_signed_in(actor: Actor) -> None:
    if actor.is_anonymous and not actor.is_admin:
        raise NotAuthenticated(f"this needs a signed-in caller: {_SIGN_IN}")


def access_to(log: Log, actor: Actor) -> LogAccess:
    return LogAccess(visibility=log.visibility, role=log.role_of(actor.username))


async def load_log(uow: UnitOfWork, actor: Actor, slug: LogSlug, needed: Role) -> Log:
    log = await uow.logs.get(slug)
    if log is None:
        raise NotFound(f"there is no log '{slug}'")
    authorize(actor, access_to(log, actor), needed, slug)
    return log


async def load_decision(
    uow: UnitOfWork,
    actor: Actor,
    ref: DecisionRef,
    needed: Role,
    expected_version: int | None = None,
) -> Decision:
    """The decision, once the actor may act on it with `needed`; checks If-Match.

    Anything more than reading it is a write, refused (SourceOfTruth) when its log
    mirrors a git folder: the change belongs in the decision's file there.
    """
    log = await load_log(uow, actor, ref.log, needed)
    if needed is not Role.VIEWER and log.source is not None:
        log.ensure_writable_through_api(await uow.logs.source_file(ref))
    decision = await uow.decisions.get(ref)
    if decision is None:
        raise NotFound(f"there is no decision {ref.number.value} in log '{ref.log}'")
    if expected_version is not None and expected_version != decision.version:
        raise VersionMismatch(f"decision {ref}", expected_version, decision.version)
    return decision
