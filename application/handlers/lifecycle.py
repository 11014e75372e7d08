"""Use cases that decide: accept, reject, reopen, deprecate, supersede."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import assert_never

from application.access import load_decision
from application.commands import ChangeStatus, LifecycleStep, SupersedeDecision
from application.ports import Clock, UnitOfWork
from application.views import DecisionView, actor_name
from application.visible_links import view_in_transaction
from domain.decision import Decision
from domain.supersession import accept_proposal, supersede
from domain.values import Role


class ChangeStatusHandler:
    """Take one lifecycle step; accepting a proposal supersedes, in the same step, what
    it names."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: ChangeStatus) -> DecisionView:
        async with self.uow:
            decision = await load_decision(
                self.uow, cmd.actor, cmd.ref, Role.DECIDER, cmd.expected_version
            )
            # Accepting changes what the proposal names too: a decider's step in each log.
            superseded: list[Decision] = []
            if cmd.step is LifecycleStep.ACCEPT:
                superseded = [
                    await load_decision(self.uow, cmd.actor, ref, Role.DECIDER)
                    for ref in sorted(decision.supersedes)
                ]
            _take(cmd.step, decision, superseded, by=actor_name(cmd.actor), at=self.clock.now())
            view = await view_in_transaction(self.uow, cmd.actor, decision)
            await self.uow.commit()
        return view


def _take(
    step: LifecycleStep,
    decision: Decision,
    superseded: Sequence[Decision],
    *,
    by: str,
    at: datetime,
) -> None:
    match step:
        case LifecycleStep.ACCEPT:
            accept_proposal(decision, superseded, by=by, at=at)
        case LifecycleStep.REJECT:
            decision.reject(by=by, at=at)
        case LifecycleStep.REOPEN:
            decision.reopen(by=by, at=at)
        case LifecycleStep.DEPRECATE:
            decision.deprecate(by=by, at=at)
        case _:
            assert_never(step)


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
            view = await view_in_transaction(self.uow, cmd.actor, old)
            await self.uow.commit()
        return view
