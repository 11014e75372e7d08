"""The decision lifecycle as a state machine: every write handler against a reference model.

One shared in-memory Store, a fresh FakeUnitOfWork per command (as in production), three
logs (two private, one public) and actors of every kind. Each rule works out from the
model whether the step is legal and what it must do, runs the handler, and checks either
the documented error with the store untouched, or the outcome. The invariants of
PRODUCT.md ("Lifecycle") are checked over the store's actual contents after every step.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Collection, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from application.commands import (
    ChangeStatus,
    CreateLog,
    EditDecision,
    GetCurrent,
    GetDecision,
    GetHistory,
    LifecycleStep,
    LinkDecisions,
    ProposeDecision,
    RemoveMember,
    SetMember,
    SupersedeDecision,
    UnlinkDecisions,
    UpdateLog,
    WithdrawDecision,
)
from application.cursors import Cursors
from application.errors import (
    ApplicationError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    VersionMismatch,
)
from application.handlers.lifecycle import ChangeStatusHandler, SupersedeDecisionHandler
from application.handlers.links import LinkDecisionsHandler, UnlinkDecisionsHandler
from application.handlers.logs import (
    CreateLogHandler,
    RemoveMemberHandler,
    SetMemberHandler,
    UpdateLogHandler,
)
from application.handlers.proposals import (
    EditDecisionHandler,
    ProposeDecisionHandler,
    WithdrawDecisionHandler,
)
from application.handlers.queries import (
    GetCurrentHandler,
    GetDecisionHandler,
    GetHistoryHandler,
)
from application.views import ANONYMOUS, Actor, DecisionView
from domain.content import Content
from domain.decision import Changes
from domain.errors import (
    DecisionFrozen,
    DomainError,
    InvalidLink,
    InvalidSupersession,
    InvalidTransition,
    InvalidValue,
)
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.supersession import current
from domain.user import User
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility
from tests.fakes import FakeClock, FakeGitSourcePolicy, FakeReadModel, FakeUnitOfWork, Store

Error = type[Exception]

# -- the world: logs, people, roles -------------------------------------------

PLATFORM, PAYMENTS, HANDBOOK = LogSlug("platform"), LogSlug("payments"), LogSlug("handbook")
GHOST = LogSlug("ghost")  # never created
LOGS = (PLATFORM, PAYMENTS, HANDBOOK)
INITIALLY_PUBLIC = {PLATFORM: False, PAYMENTS: False, HANDBOOK: True}

ACTORS: dict[str, Actor] = {
    "owner": Actor("owner"),  # admin of every log
    "ann": Actor("ann"),
    "dee": Actor("dee"),
    "vic": Actor("vic"),
    "stan": Actor("stan"),  # no role anywhere
    "root": Actor("root", is_admin=True),  # site admin, member of nothing
    "anonymous": ANONYMOUS,
}
INITIAL_ROLES: dict[LogSlug, dict[str, Role]] = {
    PLATFORM: {"ann": Role.AUTHOR, "dee": Role.DECIDER, "vic": Role.VIEWER},
    PAYMENTS: {"ann": Role.DECIDER, "dee": Role.AUTHOR},
    HANDBOOK: {"ann": Role.AUTHOR, "dee": Role.DECIDER},
}
MEMBERS_TO_CHANGE = ("ann", "dee", "vic", "stan")
RANK = {Role.VIEWER: 0, Role.AUTHOR: 1, Role.DECIDER: 2, Role.ADMIN: 3}

# -- inputs with their normalised form (None: refused) --------------------------

TITLES: dict[str, str | None] = {
    "Use Kafka": "Use Kafka",
    "  Use Kafka  ": "Use Kafka",
    "Use RabbitMQ for background work": "Use RabbitMQ for background work",
    "Adopt gRPC": "Adopt gRPC",
    "   ": None,
    "two\nlines": None,
}
VALID_TITLES = [t for t, norm in TITLES.items() if norm is not None]
PEOPLE: dict[tuple[str, ...], tuple[str, ...] | None] = {
    (): (),
    ("Ann",): ("Ann",),
    ("Ann", " Ann  "): ("Ann",),
    ("Dee", "Bo  Lee", "Ann"): ("Dee", "Bo Lee", "Ann"),
    ("  ",): None,
}
TAGS: dict[tuple[str, ...], frozenset[str] | None] = {
    (): frozenset(),
    ("Cache",): frozenset({"cache"}),
    ("cache", "Data  Base"): frozenset({"cache", "data-base"}),
    ("API", " api "): frozenset({"api"}),
    ("a,b",): None,
}
CONTENTS = (
    Content(),
    Content(context="We need a queue."),
    Content(context="We need a queue.", drivers=("throughput", "ops cost")),
)
REVIEW_DAYS = (None, dt.date(2026, 6, 1), dt.date(2027, 1, 1))
CONTENT_FIELDS = ("title", "content", "decision_makers", "consulted", "informed")
PEOPLE_FIELDS = ("decision_makers", "consulted", "informed")


def valid_or_not(pool: Sequence[Any], valid: Sequence[Any]) -> st.SearchStrategy[Any]:
    """Mostly valid inputs, sometimes one that must be refused."""
    return st.sampled_from(list(valid) * 4 + list(pool))


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each as often as its weight (st.one_of weighs them evenly)."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(
        lambda strategy: strategy
    )


def untouched_or(values: Sequence[Any]) -> st.SearchStrategy[Any]:
    """None (leave the field as it is) three times in four, else one of `values`."""
    return weighted((3, st.none()), (1, st.sampled_from(list(values))))


# -- the reference model -------------------------------------------------------


@dataclass
class Expected:
    """What one decision must look like in the store."""

    title: str
    status: Status
    date: dt.date
    decision_makers: tuple[str, ...]
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    tags: frozenset[str]
    content: Content
    review_by: dt.date | None
    links: set[Link] = field(default_factory=set)
    events: list[str] = field(default_factory=list)  # history event names, oldest first
    # (title, content, people) when it last left 'proposed'; None while proposed.
    frozen: tuple[object, ...] | None = None

    @property
    def version(self) -> int:
        return len(self.events)

    def targets(self, kind: LinkKind) -> set[DecisionRef]:
        return {link.target for link in self.links if link.kind is kind}

    def move(self, status: Status, today: dt.date, event: str) -> None:
        if self.status is Status.PROPOSED:
            self.frozen = (
                self.title,
                self.content,
                self.decision_makers,
                self.consulted,
                self.informed,
            )
        if status is Status.PROPOSED:
            self.frozen = None
        self.status, self.date = status, today
        self.events.append(event)

    def add_link(self, link: Link) -> bool:
        if link in self.links:
            return False
        self.links.add(link)
        self.events.append("decision.linked")
        return True

    def remove_link(self, link: Link) -> bool:
        if link not in self.links:
            return False
        self.links.remove(link)
        self.events.append("decision.unlinked")
        return True


def store_state(store: Store) -> object:
    """Everything a command could change, as a comparable value."""
    return (
        {r: (d.snapshot(), d.version, tuple(d.events)) for r, d in store.decisions.items()},
        dict(store.counters),
        tuple(store.history),
        {s: (log.version, log.visibility, dict(log.members)) for s, log in store.logs.items()},
    )


def naive_current(ref: DecisionRef, successors: dict[DecisionRef, set[DecisionRef]]) -> set:
    """The ends of every supersession path from `ref`, by plain recursion."""
    nexts = successors.get(ref, set())
    if not nexts:
        return {ref}
    return set().union(*(naive_current(n, successors) for n in nexts))


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.store = Store()
        self.clock = FakeClock()
        # The model.
        self.decisions: dict[DecisionRef, Expected] = {}
        self.withdrawn: dict[DecisionRef, list[str]] = {}  # retired refs -> their history
        self.next_number: dict[LogSlug, int] = dict.fromkeys(LOGS, 1)
        self.handed_out: set[DecisionRef] = set()
        self.public = dict(INITIALLY_PUBLIC)
        self.roles = {slug: {"owner": Role.ADMIN, **roles} for slug, roles in INITIAL_ROLES.items()}
        # What the store looked like after the previous step.
        self.seen_history: tuple[object, ...] = ()
        self.seen_counters: dict[LogSlug, int] = {}
        self._set_up_world()

    def teardown(self) -> None:
        self.loop.close()

    def _set_up_world(self) -> None:
        for actor in ACTORS.values():
            if actor.username:
                self.store.users[actor.username] = User(actor.username, is_admin=actor.is_admin)
        owner = ACTORS["owner"]
        for slug in LOGS:
            visibility = Visibility.PUBLIC if self.public[slug] else Visibility.PRIVATE
            self.run(
                CreateLogHandler(self.uow(), self.clock)(
                    CreateLog(owner, slug, slug.value.title(), visibility=visibility)
                )
            )
            for username, role in INITIAL_ROLES[slug].items():
                self.run(
                    SetMemberHandler(self.uow(), self.clock)(SetMember(owner, slug, username, role))
                )

    # -- plumbing ---------------------------------------------------------------

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    def run(self, step: Coroutine[Any, Any, Any]) -> Any:
        return self.loop.run_until_complete(step)

    def refused(self, expected: Error, step: Coroutine[Any, Any, Any]) -> None:
        """The step raises exactly `expected` and changes nothing at all."""
        before = store_state(self.store)
        with pytest.raises((DomainError, ApplicationError)) as refusal:
            self.run(step)
        assert type(refusal.value) is expected, f"expected {expected.__name__}: {refusal.value!r}"
        assert store_state(self.store) == before, "a refused step changed the store"

    @property
    def today(self) -> dt.date:
        return self.clock.now().date()

    # -- the model's rules ------------------------------------------------------

    def denied(self, who: str, slug: LogSlug, needed: Role) -> Error | None:
        """PRODUCT.md: no role, no access, unless the log is public and one only reads.

        A caller who may not know the log exists learns nothing (NotFound); an
        anonymous one is asked to sign in; a member lacking the role is Forbidden.
        """
        if slug not in self.roles:
            return NotFound
        actor = ACTORS[who]
        role = self.roles[slug].get(actor.username) if actor.username else None
        public = self.public[slug]
        if actor.is_admin or (needed is Role.VIEWER and public):
            return None
        if role is not None and RANK[role] >= RANK[needed]:
            return None
        if role is None and not public:  # anonymous callers too: a private log is hidden
            return NotFound
        if actor.is_anonymous:
            return NotAuthenticated
        return Forbidden

    def unloadable(
        self, who: str, ref: DecisionRef, needed: Role, expected_version: int | None = None
    ) -> Error | None:
        """Why loading `ref` with `needed` fails: the log's access, existence, If-Match."""
        if error := self.denied(who, ref.log, needed):
            return error
        if ref not in self.decisions:
            return NotFound
        if expected_version is not None and expected_version != self.decisions[ref].version:
            return VersionMismatch
        return None

    def any_in(self, status: Status) -> bool:
        return any(e.status is status for e in self.decisions.values())

    def successors(self) -> dict[DecisionRef, set[DecisionRef]]:
        return {r: e.targets(LinkKind.SUPERSEDED_BY) for r, e in self.decisions.items()}

    # -- drawing ----------------------------------------------------------------

    def draw_actor(self, data: st.DataObject, slug: LogSlug, needed: Role) -> str:
        """Mostly someone who may act with `needed` on the log, sometimes anyone."""
        allowed = [who for who in ACTORS if not self.denied(who, slug, needed)]
        return data.draw(st.sampled_from(allowed * 8 + list(ACTORS)), label="actor")

    def invalid_refs(self) -> list[DecisionRef]:
        """Withdrawn numbers, numbers not handed out yet, and a log that does not exist."""
        ahead = [DecisionRef(s, DecisionNumber(self.next_number[s])) for s in LOGS]
        return [*sorted(self.withdrawn), *ahead, DecisionRef(GHOST, DecisionNumber(1))]

    def draw_ref(
        self,
        data: st.DataObject,
        *statuses: Status,
        label: str = "ref",
        besides: DecisionRef | None = None,
        stray: int = 3,
        favour: Collection[DecisionRef] = (),
    ) -> DecisionRef:
        """Mostly a decision with one of `statuses` (other than `besides`), sometimes
        (`stray` in 10) any, rarely none at all; those in `favour` come up more often."""
        existing = sorted(self.decisions)
        preferred = [r for r in existing if self.decisions[r].status in statuses and r != besides]
        favoured = [r for r in preferred if r in favour]
        choices = [(1, st.sampled_from(self.invalid_refs()))]
        if existing:
            choices.insert(0, (stray, st.sampled_from(existing)))
        if preferred:
            choices.insert(0, (6, st.sampled_from(preferred)))
        if favoured:
            choices.insert(0, (4, st.sampled_from(favoured)))
        return data.draw(weighted(*choices), label=label)

    def named_by_proposals(self) -> set[DecisionRef]:
        """Decisions that some proposal would supersede."""
        return {
            old
            for e in self.decisions.values()
            if e.status is Status.PROPOSED
            for old in e.targets(LinkKind.SUPERSEDES)
        }

    def naming_proposals(self) -> set[DecisionRef]:
        """Proposals that would supersede something."""
        return {
            r
            for r, e in self.decisions.items()
            if e.status is Status.PROPOSED and e.targets(LinkKind.SUPERSEDES)
        }

    def draw_version(self, data: st.DataObject, ref: DecisionRef) -> int | None:
        version = self.decisions[ref].version if ref in self.decisions else 1
        choices = (None, None, None, None, version, version, version, version - 1)
        return data.draw(st.sampled_from(choices), label="if_match")

    # -- rules: proposals -------------------------------------------------------

    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        """Decisions to start from: accepted ones in platform and payments, and proposals
        in handbook that would supersede platform's."""
        people = dict.fromkeys(PEOPLE_FIELDS, ())
        for i in range(data.draw(st.integers(2, 6), label="seeded")):
            log, number = LOGS[i % 3], DecisionNumber(i // 3 + 1)
            if log == HANDBOOK:
                named = (DecisionRef(PLATFORM, number),)
                self.try_propose("owner", log, "Use Kafka", people, (), Content(), None, named)
            else:
                self.try_propose("owner", log, "Adopt gRPC", people, (), Content(), None, ())
                self.try_accept("owner", DecisionRef(log, number), None)

    @rule(data=st.data())
    def propose(self, data: st.DataObject) -> None:
        log = data.draw(st.sampled_from([*LOGS * 5, GHOST]), label="log")
        who = self.draw_actor(data, log, Role.AUTHOR)
        title = data.draw(valid_or_not(list(TITLES), VALID_TITLES), label="title")
        people = {
            key: data.draw(valid_or_not(list(PEOPLE), [()]), label=key) for key in PEOPLE_FIELDS
        }
        tags = data.draw(valid_or_not(list(TAGS), [(), ("Cache",)]), label="tags")
        content = data.draw(st.sampled_from(CONTENTS), label="content")
        review_by = data.draw(st.sampled_from(REVIEW_DAYS), label="review_by")
        how_many = data.draw(st.sampled_from((0, 0, 0, 1, 2)), label="how_many_supersedes")
        names = tuple(
            self.draw_ref(data, Status.ACCEPTED, label="supersedes") for _ in range(how_many)
        )
        self.try_propose(who, log, title, people, tags, content, review_by, names)

    def try_propose(
        self,
        who: str,
        log: LogSlug,
        title: str,
        people: dict[str, tuple[str, ...]],
        tags: tuple[str, ...],
        content: Content,
        review_by: dt.date | None,
        names: tuple[DecisionRef, ...],
    ) -> None:
        cmd = ProposeDecision(
            actor=ACTORS[who],
            log=log,
            title=title,
            content=content,
            tags=tags,
            review_by=review_by,
            supersedes=names,
            **people,
        )
        step = ProposeDecisionHandler(self.uow(), self.clock)(cmd)

        error = self.denied(who, log, Role.AUTHOR)
        for target in names:
            if error:
                break
            error = self.unloadable(who, target, Role.VIEWER)
            if not error and self.decisions[target].status is not Status.ACCEPTED:
                error = InvalidSupersession
        norm_people = {key: PEOPLE[value] for key, value in people.items()}
        if not error and (
            TITLES[title] is None or TAGS[tags] is None or None in norm_people.values()
        ):
            error = InvalidValue
        if error:
            self.refused(error, step)
            return

        view: DecisionView = self.run(step)
        number = self.next_number[log]
        ref = DecisionRef(log, DecisionNumber(number))
        assert view.number == number, "proposals get consecutive numbers"
        assert ref not in self.handed_out, "a number is never handed out twice"
        self.next_number[log] += 1
        self.handed_out.add(ref)
        self.decisions[ref] = Expected(
            title=TITLES[title],  # type: ignore[arg-type]
            status=Status.PROPOSED,
            date=self.today,
            tags=TAGS[tags],  # type: ignore[arg-type]
            content=content,
            review_by=review_by,
            links={Link(LinkKind.SUPERSEDES, t) for t in names},
            events=["decision.proposed"],
            **norm_people,  # type: ignore[arg-type]
        )
        self.check_view(view, ref, who)

    @precondition(lambda self: self.decisions)
    @rule(data=st.data())
    def edit(self, data: st.DataObject) -> None:
        ref = self.draw_ref(data, Status.PROPOSED, Status.ACCEPTED)
        who = self.draw_actor(data, ref.log, Role.AUTHOR)
        if_match = self.draw_version(data, ref)
        changes = Changes(
            title=data.draw(untouched_or(VALID_TITLES * 4 + list(TITLES)), label="title"),
            content=data.draw(untouched_or(CONTENTS), label="content"),
            decision_makers=data.draw(untouched_or(list(PEOPLE)), label="makers"),
            consulted=data.draw(untouched_or(list(PEOPLE)), label="consulted"),
            informed=data.draw(untouched_or(list(PEOPLE)), label="informed"),
            tags=data.draw(untouched_or(list(TAGS)), label="tags"),
            review_by=(review_by := data.draw(st.sampled_from(REVIEW_DAYS), label="review_by")),
            clear_review_by=review_by is None and data.draw(st.booleans(), label="clear_review_by"),
        )
        step = EditDecisionHandler(self.uow(), self.clock)(
            EditDecision(ACTORS[who], ref, changes, expected_version=if_match)
        )
        if error := self.unloadable(who, ref, Role.AUTHOR, if_match):
            self.refused(error, step)
            return
        expected = self.decisions[ref]
        new: dict[str, object] = {}
        if changes.title is not None:
            new["title"] = TITLES[changes.title]
        if changes.content is not None:
            new["content"] = changes.content
        for key in PEOPLE_FIELDS:
            if (value := getattr(changes, key)) is not None:
                new[key] = PEOPLE[tuple(value)]
        if changes.tags is not None:
            new["tags"] = TAGS[tuple(changes.tags)]
        if None in new.values():
            self.refused(InvalidValue, step)
            return
        changed = {k: v for k, v in new.items() if v != getattr(expected, k)}
        if changes.clear_review_by or changes.review_by is not None:
            review_by = None if changes.clear_review_by else changes.review_by
            if review_by != expected.review_by:
                changed["review_by"] = review_by
        if expected.status is not Status.PROPOSED and set(changed) & set(CONTENT_FIELDS):
            self.refused(DecisionFrozen, step)
            return
        view = self.run(step)
        for key, value in changed.items():
            setattr(expected, key, value)
        if changed:  # an edit that changes nothing records nothing
            expected.events.append("decision.edited")
        self.check_view(view, ref, who)

    @precondition(lambda self: self.any_in(Status.PROPOSED))
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        ref = self.draw_ref(data, Status.PROPOSED)
        who = self.draw_actor(data, ref.log, Role.AUTHOR)
        if_match = self.draw_version(data, ref)
        step = WithdrawDecisionHandler(self.uow(), self.clock)(
            WithdrawDecision(ACTORS[who], ref, expected_version=if_match)
        )
        error = self.unloadable(who, ref, Role.AUTHOR, if_match)
        if not error and self.decisions[ref].status is not Status.PROPOSED:
            error = InvalidTransition
        if error:
            self.refused(error, step)
            return
        assert self.run(step) is None
        gone = self.decisions.pop(ref)
        gone.events.append("decision.withdrawn")
        self.withdrawn[ref] = gone.events
        for link in gone.links:
            if link.kind is not LinkKind.SUPERSEDES and link.target in self.decisions:
                self.decisions[link.target].remove_link(Link(link.kind.inverse, ref))

    # -- rules: deciding --------------------------------------------------------

    @precondition(lambda self: self.any_in(Status.PROPOSED))
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        ref = self.draw_ref(data, Status.PROPOSED, favour=self.naming_proposals())
        who = self.draw_actor(data, ref.log, Role.DECIDER)
        self.try_accept(who, ref, self.draw_version(data, ref))

    def try_accept(self, who: str, ref: DecisionRef, if_match: int | None) -> None:
        step = ChangeStatusHandler(self.uow(), self.clock)(
            ChangeStatus(ACTORS[who], ref, LifecycleStep.ACCEPT, expected_version=if_match)
        )
        error = self.unloadable(who, ref, Role.DECIDER, if_match)
        named = sorted(self.decisions[ref].targets(LinkKind.SUPERSEDES)) if not error else []
        for old in named:
            error = error or self.unloadable(who, old, Role.DECIDER)
        if not error and self.decisions[ref].status is not Status.PROPOSED:
            error = InvalidTransition
        if not error and any(self.decisions[old].status is not Status.ACCEPTED for old in named):
            error = InvalidSupersession
        if error:
            self.refused(error, step)
            return
        view = self.run(step)
        self.decisions[ref].move(Status.ACCEPTED, self.today, "decision.accepted")
        for old in named:
            self.decisions[old].move(Status.SUPERSEDED, self.today, "decision.superseded")
            self.decisions[old].links.add(Link(LinkKind.SUPERSEDED_BY, ref))
        self.check_view(view, ref, who)

    def _transition(
        self,
        data: st.DataObject,
        lifecycle_step: LifecycleStep,
        source: Status,
        target: Status,
        event: str,
    ) -> None:
        """A one-decision step: reject, reopen, deprecate."""
        ref = self.draw_ref(data, source, favour=self.named_by_proposals())
        who = self.draw_actor(data, ref.log, Role.DECIDER)
        if_match = self.draw_version(data, ref)
        step = ChangeStatusHandler(self.uow(), self.clock)(
            ChangeStatus(ACTORS[who], ref, lifecycle_step, expected_version=if_match)
        )
        error = self.unloadable(who, ref, Role.DECIDER, if_match)
        if not error and self.decisions[ref].status is not source:
            error = InvalidTransition
        if error:
            self.refused(error, step)
            return
        view = self.run(step)
        self.decisions[ref].move(target, self.today, event)
        self.check_view(view, ref, who)

    @precondition(lambda self: self.any_in(Status.PROPOSED))
    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        self._transition(
            data,
            LifecycleStep.REJECT,
            Status.PROPOSED,
            Status.REJECTED,
            "decision.rejected",
        )

    @precondition(lambda self: self.any_in(Status.REJECTED))
    @rule(data=st.data())
    def reopen(self, data: st.DataObject) -> None:
        self._transition(
            data,
            LifecycleStep.REOPEN,
            Status.REJECTED,
            Status.PROPOSED,
            "decision.reopened",
        )

    @precondition(lambda self: self.any_in(Status.ACCEPTED))
    @rule(data=st.data())
    def deprecate(self, data: st.DataObject) -> None:
        self._transition(
            data,
            LifecycleStep.DEPRECATE,
            Status.ACCEPTED,
            Status.DEPRECATED,
            "decision.deprecated",
        )

    @precondition(lambda self: self.any_in(Status.ACCEPTED))
    @rule(data=st.data())
    def supersede(self, data: st.DataObject) -> None:
        ref = self.draw_ref(data, Status.ACCEPTED, label="old", favour=self.named_by_proposals())
        who = self.draw_actor(data, ref.log, Role.DECIDER)
        if_match = self.draw_version(data, ref)
        how_many = data.draw(st.sampled_from((1, 1, 1, 2, 3, 0)), label="how_many_successors")
        by = tuple(
            self.draw_ref(data, Status.ACCEPTED, label="successor", besides=ref, stray=1)
            for _ in range(how_many)
        )
        step = SupersedeDecisionHandler(self.uow(), self.clock)(
            SupersedeDecision(ACTORS[who], ref, by, expected_version=if_match)
        )
        error = self.unloadable(who, ref, Role.DECIDER, if_match)
        successors = sorted(set(by))
        for new in successors:
            error = error or self.unloadable(who, new, Role.DECIDER)
        if not error and (
            not successors
            or ref in successors
            or any(self.decisions[new].status is not Status.ACCEPTED for new in successors)
        ):
            error = InvalidSupersession
        if not error and self.decisions[ref].status is not Status.ACCEPTED:
            error = InvalidTransition
        if error:
            self.refused(error, step)
            return
        view = self.run(step)
        old = self.decisions[ref]
        old.move(Status.SUPERSEDED, self.today, "decision.superseded")
        old.links |= {Link(LinkKind.SUPERSEDED_BY, new) for new in successors}
        for new in successors:
            self.decisions[new].add_link(Link(LinkKind.SUPERSEDES, ref))
        self.check_view(view, ref, who)

    # -- rules: links -----------------------------------------------------------

    @precondition(lambda self: self.decisions)
    @rule(data=st.data())
    def link(self, data: st.DataObject) -> None:
        ref = self.draw_ref(data, Status.PROPOSED, label="source")
        who = self.draw_actor(data, ref.log, Role.AUTHOR)
        kind = data.draw(
            st.sampled_from(
                [LinkKind.RELATES_TO, LinkKind.AMENDS, LinkKind.SUPERSEDES] * 3 + list(LinkKind)
            ),
            label="kind",
        )
        preferred = (Status.ACCEPTED,) if kind is LinkKind.SUPERSEDES else tuple(Status)
        target = self.draw_ref(data, *preferred, label="target", besides=ref)
        step = LinkDecisionsHandler(self.uow(), self.clock)(
            LinkDecisions(ACTORS[who], ref, kind, target)
        )
        target_role = Role.VIEWER if kind is LinkKind.SUPERSEDES else Role.AUTHOR
        error = self.unloadable(who, ref, Role.AUTHOR) or self.unloadable(who, target, target_role)
        already = not error and Link(kind, target) in self.decisions[ref].links
        if (
            not error
            and kind is LinkKind.SUPERSEDES
            and self.decisions[target].status is not Status.ACCEPTED
        ):
            error = InvalidSupersession
        if not error and not already:
            source = self.decisions[ref]
            if (
                target == ref
                or kind in (LinkKind.SUPERSEDED_BY, LinkKind.AMENDED_BY)
                or (kind is not LinkKind.RELATES_TO and source.status is not Status.PROPOSED)
            ):
                error = InvalidLink
        if error:
            self.refused(error, step)
            return
        view = self.run(step)
        if self.decisions[ref].add_link(Link(kind, target)) and kind is not LinkKind.SUPERSEDES:
            self.decisions[target].add_link(Link(kind.inverse, ref))
        self.check_view(view, ref, who)

    @precondition(lambda self: self.decisions)
    @rule(data=st.data())
    def unlink(self, data: st.DataObject) -> None:
        ref = self.draw_ref(data, *Status, label="source")
        who = self.draw_actor(data, ref.log, Role.AUTHOR)
        held = sorted(self.decisions[ref].links) if ref in self.decisions else []
        anything = st.tuples(
            st.sampled_from(list(LinkKind)), st.sampled_from(sorted(self.decisions) or [ref])
        ).map(lambda pair: Link(*pair))
        link = data.draw(
            weighted((4, st.sampled_from(held)), (1, anything)) if held else anything, label="link"
        )
        step = UnlinkDecisionsHandler(self.uow(), self.clock)(
            UnlinkDecisions(ACTORS[who], ref, link.kind, link.target)
        )
        error = self.unloadable(who, ref, Role.AUTHOR)
        if not error and link in self.decisions[ref].links:
            source = self.decisions[ref]
            if link.kind in (LinkKind.SUPERSEDED_BY, LinkKind.AMENDED_BY) or (
                link.kind is not LinkKind.RELATES_TO and source.status is not Status.PROPOSED
            ):
                error = InvalidLink
        if not error and link in self.decisions[ref].links and link.kind is not LinkKind.SUPERSEDES:
            error = self.unloadable(who, link.target, Role.AUTHOR)
        if error:
            self.refused(error, step)
            return
        view = self.run(step)
        # Removing a link that is not there is accepted and changes nothing.
        removed = self.decisions[ref].remove_link(link)
        if removed and link.kind is not LinkKind.SUPERSEDES and link.target in self.decisions:
            self.decisions[link.target].remove_link(Link(link.kind.inverse, ref))
        self.check_view(view, ref, who)

    # -- rules: the world around ------------------------------------------------

    @rule(data=st.data())
    def the_world_changes(self, data: st.DataObject) -> None:
        """Time passes, and the owner may change someone's role or a log's visibility."""
        self.clock.advance(hours=data.draw(st.sampled_from((1, 20, 30)), label="hours"))
        change = data.draw(st.sampled_from(("nothing", "role", "visibility")), label="change")
        slug = data.draw(st.sampled_from(LOGS), label="log")
        owner = ACTORS["owner"]
        if change == "visibility":
            public = not self.public[slug]
            visibility = Visibility.PUBLIC if public else Visibility.PRIVATE
            self.run(
                UpdateLogHandler(self.uow(), self.clock, FakeGitSourcePolicy())(
                    UpdateLog(owner, slug, visibility=visibility)
                )
            )
            self.public[slug] = public
        elif change == "role":
            username = data.draw(st.sampled_from(MEMBERS_TO_CHANGE), label="username")
            roles = [None, Role.VIEWER, Role.AUTHOR, Role.DECIDER]
            role = data.draw(st.sampled_from(roles), label="role")
            if role is not None:
                self.run(
                    SetMemberHandler(self.uow(), self.clock)(SetMember(owner, slug, username, role))
                )
                self.roles[slug][username] = role
                return
            step = RemoveMemberHandler(self.uow(), self.clock)(RemoveMember(owner, slug, username))
            if username not in self.roles[slug]:
                self.refused(NotFound, step)
                return
            self.run(step)
            del self.roles[slug][username]

    # -- rules: reading ---------------------------------------------------------

    @precondition(lambda self: self.decisions)
    @rule(data=st.data())
    def read(self, data: st.DataObject) -> None:
        """GetDecision, GetHistory and GetCurrent answer what the model says."""
        ref = self.draw_ref(data, Status.SUPERSEDED)
        who = self.draw_actor(data, ref.log, Role.VIEWER)
        actor, reads = ACTORS[who], FakeReadModel(self.store)

        found = self.unloadable(who, ref, Role.VIEWER)
        if found:
            self.refused(found, GetDecisionHandler(reads)(GetDecision(actor, ref)))
            self.refused(found, GetCurrentHandler(reads)(GetCurrent(actor, ref)))
        else:
            self.check_view(self.run(GetDecisionHandler(reads)(GetDecision(actor, ref))), ref, who)
            in_force = self.run(GetCurrentHandler(reads)(GetCurrent(actor, ref)))
            ends = sorted(naive_current(ref, self.successors()))
            readable = [r for r in ends if not self.denied(who, r.log, Role.VIEWER)]
            assert [(d.log, d.number) for d in in_force] == [
                (r.log.value, r.number.value) for r in readable
            ]

        # A withdrawn decision keeps its history; one never proposed has none.
        events = self.decisions[ref].events if ref in self.decisions else self.withdrawn.get(ref)
        step = GetHistoryHandler(reads, Cursors(b""))(GetHistory(actor, ref))
        if error := self.denied(who, ref.log, Role.VIEWER) or (NotFound if not events else None):
            self.refused(error, step)
        else:
            page = self.run(step)
            assert [e.event for e in page.items] == events
            assert [e.version for e in page.items] == list(range(1, len(events or ()) + 1))

    # -- checks -----------------------------------------------------------------

    def check_view(self, view: DecisionView, ref: DecisionRef, who: str) -> None:
        """The view as `who` may see it: links into logs they may not read are counted,
        not shown (issue 8, finding 5)."""
        expected = self.decisions[ref]
        assert (view.log, view.number) == (ref.log.value, ref.number.value)
        assert view.status == expected.status.value
        assert view.version == expected.version
        assert view.title == expected.title
        assert view.tags == tuple(sorted(expected.tags))
        shown = {
            link for link in expected.links if not self.denied(who, link.target.log, Role.VIEWER)
        }
        assert {(link.kind, link.target) for link in view.links} == {
            (link.kind.value, str(link.target)) for link in shown
        }
        assert view.hidden_links == len(expected.links) - len(shown)

    @invariant()
    def store_matches_the_model(self) -> None:
        assert set(self.store.decisions) == set(self.decisions)
        events_by_ref: dict[DecisionRef, list[str]] = {}
        for event in self.store.history:
            events_by_ref.setdefault(event.ref, []).append(event.name)
        for ref, decision in self.store.decisions.items():
            expected = self.decisions[ref]
            assert decision.ref == ref
            assert decision.status is expected.status
            assert decision.date == expected.date, "date is the day of the last status change"
            assert decision.title == expected.title
            assert decision.content == expected.content
            assert decision.decision_makers == expected.decision_makers
            assert decision.consulted == expected.consulted
            assert decision.informed == expected.informed
            assert decision.tags == expected.tags
            assert decision.review_by == expected.review_by
            assert decision.links == expected.links
            assert decision.events == [], "pending events never reach the store"
            assert events_by_ref.get(ref) == expected.events
        for ref, events in self.withdrawn.items():
            assert events_by_ref.get(ref) == events
        assert set(events_by_ref) == set(self.decisions) | set(self.withdrawn)

    @invariant()
    def supersession_graph_is_sound(self) -> None:
        decisions = self.store.decisions
        for ref, decision in decisions.items():
            successors = decision.superseded_by
            if decision.status is Status.SUPERSEDED:
                assert successors, f"{ref} is superseded by nothing"
            else:
                assert not successors, f"{ref} is {decision.status.value} yet superseded"
            for new in successors:
                assert new in decisions, f"{ref} is superseded by missing {new}"
                assert ref in decisions[new].supersedes, f"{new} does not record superseding {ref}"
            if decision.status in (Status.ACCEPTED, Status.DEPRECATED, Status.SUPERSEDED):
                # Once accepted, every supersedes link is real: recorded on both sides.
                for old in decision.supersedes:
                    assert ref in decisions[old].superseded_by, f"{old} misses superseded-by {ref}"
        # Acyclic: a depth-first search never meets a decision on its own path.
        done: set[DecisionRef] = set()

        def visit(ref: DecisionRef, path: tuple[DecisionRef, ...]) -> None:
            assert ref not in path, f"supersession cycle: {[*path, ref]}"
            if ref in done:
                return
            for new in decisions[ref].superseded_by:
                visit(new, (*path, ref))
            done.add(ref)

        for ref in decisions:
            visit(ref, ())

    @invariant()
    def current_ends_at_decisions_in_force(self) -> None:
        decisions = self.store.decisions
        reads = GetCurrentHandler(FakeReadModel(self.store))
        for ref, decision in decisions.items():
            ends = current(ref, lambda r: decisions[r].superseded_by)
            assert ends, f"{ref} has no current decision"
            assert all(decisions[end].status is not Status.SUPERSEDED for end in ends)
            assert set(ends) == naive_current(ref, self.successors())
            if decision.status is Status.SUPERSEDED:
                in_force = self.run(reads(GetCurrent(ACTORS["root"], ref)))
                assert [(d.log, d.number) for d in in_force] == [
                    (end.log.value, end.number.value) for end in ends
                ]

    @invariant()
    def numbers_are_unique_and_never_reused(self) -> None:
        counters = self.store.counters
        for slug in LOGS:
            assert counters.get(slug, 1) == self.next_number[slug]
            assert counters.get(slug, 1) >= self.seen_counters.get(slug, 1), "counters only grow"
        for ref in self.store.decisions:
            assert ref.number.value < counters[ref.log]
            assert ref not in self.withdrawn, "a withdrawn number is never handed out again"
        self.seen_counters = dict(counters)

    @invariant()
    def decided_content_is_frozen(self) -> None:
        for ref, decision in self.store.decisions.items():
            frozen = self.decisions[ref].frozen
            if decision.status is Status.PROPOSED:
                assert frozen is None
                continue
            assert frozen == (
                decision.title,
                decision.content,
                decision.decision_makers,
                decision.consulted,
                decision.informed,
            ), f"{ref} changed its content after it was decided"

    @invariant()
    def links_are_recorded_on_both_sides(self) -> None:
        decisions = self.store.decisions
        for ref, decision in decisions.items():
            for link in decision.links:
                assert link.target != ref, f"{ref} links to itself"
                assert link.target in decisions, f"{ref} holds a dangling {link}"
                if link.kind not in (LinkKind.SUPERSEDES, LinkKind.SUPERSEDED_BY):
                    inverse = Link(link.kind.inverse, ref)
                    assert inverse in decisions[link.target].links, f"{link.target} lacks {inverse}"

    @invariant()
    def version_counts_the_history_which_only_grows(self) -> None:
        history = tuple(self.store.history)
        assert history[: len(self.seen_history)] == self.seen_history, "history was rewritten"
        self.seen_history = history
        counts: dict[DecisionRef, int] = {}
        for event in history:
            counts[event.ref] = counts.get(event.ref, 0) + 1
            assert event.version == counts[event.ref], f"{event} is out of sequence"
        for ref, decision in self.store.decisions.items():
            assert decision.version == counts.get(ref, 0)


TestLifecycle = LifecycleMachine.TestCase
TestLifecycle.settings = settings(max_examples=150, stateful_step_count=40)
