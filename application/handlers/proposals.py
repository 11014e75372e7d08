"""Use cases for proposals: propose, edit, withdraw."""

from __future__ import annotations

from application.access import load_decision, load_log
from application.commands import EditDecision, ProposeDecision, WithdrawDecision
from application.ports import Clock, UnitOfWork
from application.views import DecisionView, actor_name
from application.visible_links import view_in_transaction
from domain.decision import Decision
from domain.links import Link, LinkKind
from domain.values import DecisionRef, Role


class ProposeDecisionHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: ProposeDecision) -> DecisionView:
        async with self.uow:
            log = await load_log(self.uow, cmd.actor, cmd.log, Role.AUTHOR)
            log.ensure_writable_through_api()
            for target in cmd.supersedes:
                old = await load_decision(self.uow, cmd.actor, target, Role.VIEWER)
                old.ensure_supersedable()
            number = await self.uow.logs.next_number(cmd.log)
            decision = Decision.propose(
                ref=DecisionRef(cmd.log, number),
                title=cmd.title,
                by=actor_name(cmd.actor),
                at=self.clock.now(),
                decision_makers=cmd.decision_makers,
                consulted=cmd.consulted,
                informed=cmd.informed,
                tags=cmd.tags,
                content=cmd.content,
                review_by=cmd.review_by,
                supersedes=cmd.supersedes,
            )
            await self.uow.decisions.add(decision)
            view = await view_in_transaction(self.uow, cmd.actor, decision)
            await self.uow.commit()
        return view


class EditDecisionHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: EditDecision) -> DecisionView:
        async with self.uow:
            decision = await load_decision(
                self.uow, cmd.actor, cmd.ref, Role.AUTHOR, cmd.expected_version
            )
            decision.edit(cmd.changes, by=actor_name(cmd.actor), at=self.clock.now())
            view = await view_in_transaction(self.uow, cmd.actor, decision)
            await self.uow.commit()
        return view


class WithdrawDecisionHandler:
    """Delete a proposal, and the inverse links other decisions hold to it."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: WithdrawDecision) -> None:
        by, at = actor_name(cmd.actor), self.clock.now()
        async with self.uow:
            decision = await load_decision(
                self.uow, cmd.actor, cmd.ref, Role.AUTHOR, cmd.expected_version
            )
            decision.withdraw(by=by, at=at)
            for link in sorted(decision.links):
                # A proposal's supersedes links are intents: nothing points back yet.
                if link.kind is LinkKind.SUPERSEDES:
                    continue
                other = await self.uow.decisions.get(link.target)
                if other is not None:
                    other.drop_inverse(Link(link.kind.inverse, decision.ref), by=by, at=at)
            await self.uow.decisions.remove(decision)
            await self.uow.commit()
