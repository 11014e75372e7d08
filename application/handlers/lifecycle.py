"""Use cases that decide: accept, reject, reopen, deprecate, supersede."""

from __future__ import annotations

from application.access import load_decision
from application.commands import (
    AcceptDecision,
    DeprecateDecision,
    RejectDecision,
    ReopenDecision,
    SupersedeDecision,
)
from application.ports import Clock, UnitOfWork
from application.views import DecisionView, actor_name, decision_view
from domain.supersession import accept_proposal, supersede
from domain.values import Role


class AcceptDecisionHandler:
    """Accept a proposal; what it names as superseded becomes superseded with it."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: AcceptDecision) -> DecisionView:
        async with self.uow:
            proposal = await load_decision(
                self.uow, cmd.actor, cmd.ref, Role.DECIDER, cmd.expected_version
            )
            superseded = [
                await load_decision(self.uow, cmd.actor, ref, Role.DECIDER)
                for ref in sorted(proposal.supersedes)
            ]
            accept_proposal(proposal, superseded, by=actor_name(cmd.actor), at=self.clock.now())
            await self.uow.commit()
        return decision_view(proposal)


class RejectDecisionHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: RejectDecision) -> DecisionView:
        async with self.uow:
            decision = await load_decision(
                self.uow, cmd.actor, cmd.ref, Role.DECIDER, cmd.expected_version
            )
            decision.reject(by=actor_name(cmd.actor), at=self.clock.now())
            await self.uow.commit()
        return decision_view(decision)


class ReopenDecisionHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: ReopenDecision) -> DecisionView:
        async with self.uow:
            decision = await load_decision(
                self.uow, cmd.actor, cmd.ref, Role.DECIDER, cmd.expected_version
            )
            decision.reopen(by=actor_name(cmd.actor), at=self.clock.now())
            await self.uow.commit()
        return decision_view(decision)


class DeprecateDecisionHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: DeprecateDecision) -> DecisionView:
        async with self.uow:
            decision = await load_decision(
                self.uow, cmd.actor, cmd.ref, Role.DECIDER, cmd.expected_version
            )
            decision.deprecate(by=actor_name(cmd.actor), at=self.clock.now())
            await self.uow.commit()
        return decision_view(decision)


class SupersedeDecisionHandler:
    """Supersede an accepted decision by accepted ones; every decision it changes
    (the successors record the supersedes link) needs the decider role in its log."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: SupersedeDecision) -> DecisionView:
        async with self.uow:
            old = await load_decision(
                self.uow, cmd.actor, cmd.ref, Role.DECIDER, cmd.expected_version
            )
            successors = [
                await load_decision(self.uow, cmd.actor, ref, Role.DECIDER)
                for ref in sorted(set(cmd.by))
            ]
            supersede(old, successors, by=actor_name(cmd.actor), at=self.clock.now())
            await self.uow.commit()
        return decision_view(old)
