"""Use cases for typed links. Each link is stored on both sides, except a proposal's
supersedes link, which is only an intent until the proposal is accepted."""

from __future__ import annotations

from application.access import load_decision
from application.commands import LinkDecisions, UnlinkDecisions
from application.ports import Clock, UnitOfWork
from application.views import DecisionView, actor_name
from application.visible_links import view_in_transaction
from domain.links import Link, LinkKind
from domain.values import Role


class LinkDecisionsHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: LinkDecisions) -> DecisionView:
        by, at = actor_name(cmd.actor), self.clock.now()
        link = Link(cmd.kind, cmd.target)
        async with self.uow:
            source = await load_decision(self.uow, cmd.actor, cmd.ref, Role.AUTHOR)
            # The target records the inverse link, so it changes too; a supersedes
            # intent changes nothing there until the proposal is accepted.
            target_role = Role.VIEWER if cmd.kind is LinkKind.SUPERSEDES else Role.AUTHOR
            target = await load_decision(self.uow, cmd.actor, cmd.target, target_role)
            if cmd.kind is LinkKind.SUPERSEDES:
                target.ensure_supersedable()
            if source.link(link, by=by, at=at) and cmd.kind is not LinkKind.SUPERSEDES:
                target.receive_inverse(Link(cmd.kind.inverse, source.ref), by=by, at=at)
            view = await view_in_transaction(self.uow, cmd.actor, source)
            await self.uow.commit()
        return view


class UnlinkDecisionsHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: UnlinkDecisions) -> DecisionView:
        by, at = actor_name(cmd.actor), self.clock.now()
        async with self.uow:
            source = await load_decision(self.uow, cmd.actor, cmd.ref, Role.AUTHOR)
            if source.unlink(Link(cmd.kind, cmd.target), by=by, at=at) and (
                cmd.kind is not LinkKind.SUPERSEDES
            ):
                target = await load_decision(self.uow, cmd.actor, cmd.target, Role.AUTHOR)
                target.drop_inverse(Link(cmd.kind.inverse, source.ref), by=by, at=at)
            view = await view_in_transaction(self.uow, cmd.actor, source)
            await self.uow.commit()
        return view
