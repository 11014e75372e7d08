from __future__ import annotations

import pytest

from application.authentication import PersonalAccessToken
from application.commands import (
    Authenticate,
    ChangeStatus,
    CreateLog,
    CreateUser,
    EditDecision,
    GetCurrent,
    GetDecision,
    GetHistory,
    LifecycleStep,
    LinkDecisions,
    ListDecisions,
    ProposeDecision,
    SupersedeDecision,
    UnlinkDecisions,
    WithdrawDecision,
)
from application.errors import Forbidden, NotAuthenticated, NotFound, VersionMismatch
from application.handlers.lifecycle import ChangeStatusHandler, SupersedeDecisionHandler
from application.handlers.links import LinkDecisionsHandler, UnlinkDecisionsHandler
from application.handlers.logs import CreateLogHandler
from application.handlers.proposals import (
    EditDecisionHandler,
    ProposeDecisionHandler,
    WithdrawDecisionHandler,
)
from application.handlers.queries import (
    GetCurrentHandler,
    GetDecisionHandler,
    GetHistoryHandler,
    ListDecisionsHandler,
)
from application.handlers.users import AuthenticateHandler, CreateUserHandler
from application.views import ANONYMOUS, OPERATOR, Actor, DecisionFilters
from domain.decision import Changes
from domain.errors import DecisionFrozen, InvalidTransition
from domain.links import LinkKind
from domain.values import DecisionNumber, DecisionRef, LogSlug, Visibility
from tests.fakes import FakeClock, FakeDecisionSearch, FakeReadModel, FakeUnitOfWork, Store
from tests.unit.application.conftest import AUTHOR, CURSORS, DECIDER, OWNER, STRANGER, VIEWER


def ref(log: LogSlug, n: int) -> DecisionRef:
    return DecisionRef(log, DecisionNumber(n))


async def propose(store: Store, clock: FakeClock, log: LogSlug, title: str, **kw: object) -> int:
    view = await ProposeDecisionHandler(FakeUnitOfWork(store), clock)(
        ProposeDecision(actor=AUTHOR, log=log, title=title, **kw)  # type: ignore[arg-type]
    )
    return view.number


async def accept(store: Store, clock: FakeClock, r: DecisionRef) -> None:
    await ChangeStatusHandler(FakeUnitOfWork(store), clock)(
        ChangeStatus(DECIDER, r, LifecycleStep.ACCEPT)
    )


async def test_proposals_get_consecutive_numbers(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    numbers = [await propose(store, clock, platform, f"Decision {i}") for i in range(3)]
    assert numbers == [1, 2, 3]


async def test_a_withdrawn_number_is_never_reused(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    first = await propose(store, clock, platform, "Use Kafka")
    await WithdrawDecisionHandler(FakeUnitOfWork(store), clock)(
        WithdrawDecision(AUTHOR, ref(platform, first), expected_version=1)
    )
    assert await propose(store, clock, platform, "Use RabbitMQ") == first + 1


async def test_accepting_a_proposal_supersedes_what_it_names(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    old = await propose(store, clock, platform, "Use MySQL")
    await accept(store, clock, ref(platform, old))
    new = await propose(store, clock, platform, "Use PostgreSQL", supersedes=(ref(platform, old),))
    await accept(store, clock, ref(platform, new))

    assert store.decisions[ref(platform, old)].status.value == "superseded"
    assert store.decisions[ref(platform, old)].superseded_by == {ref(platform, new)}
    assert store.decisions[ref(platform, new)].supersedes == {ref(platform, old)}
    current = await GetCurrentHandler(FakeReadModel(store))(GetCurrent(VIEWER, ref(platform, old)))
    assert [d.number for d in current] == [new]


async def test_an_illegal_transition_changes_nothing(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    n = await propose(store, clock, platform, "Use gRPC")
    await ChangeStatusHandler(FakeUnitOfWork(store), clock)(
        ChangeStatus(DECIDER, ref(platform, n), LifecycleStep.REJECT)
    )
    before = store.decisions[ref(platform, n)].snapshot()
    with pytest.raises(InvalidTransition, match=r"rejected.*Allowed next statuses: proposed"):
        await accept(store, clock, ref(platform, n))
    assert store.decisions[ref(platform, n)].snapshot() == before


async def test_decided_content_is_frozen_but_tags_stay_editable(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    n = await propose(store, clock, platform, "Use Redis")
    await accept(store, clock, ref(platform, n))
    edit = EditDecisionHandler(FakeUnitOfWork(store), clock)
    with pytest.raises(DecisionFrozen):
        await edit(EditDecision(AUTHOR, ref(platform, n), Changes(title="Use Valkey")))
    view = await EditDecisionHandler(FakeUnitOfWork(store), clock)(
        EditDecision(AUTHOR, ref(platform, n), Changes(tags=["Cache"]))
    )
    assert view.tags == ("cache",)
    assert view.version == 3


async def test_a_stale_expected_version_is_refused(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    n = await propose(store, clock, platform, "Use Celery")
    with pytest.raises(VersionMismatch):
        await EditDecisionHandler(FakeUnitOfWork(store), clock)(
            EditDecision(AUTHOR, ref(platform, n), Changes(title="x"), expected_version=7)
        )


async def test_roles_decide_who_may_act(store: Store, clock: FakeClock, platform: LogSlug) -> None:
    n = await propose(store, clock, platform, "Use Terraform")
    with pytest.raises(Forbidden, match="decider"):
        await ChangeStatusHandler(FakeUnitOfWork(store), clock)(
            ChangeStatus(AUTHOR, ref(platform, n), LifecycleStep.ACCEPT)
        )
    with pytest.raises(NotFound):  # a stranger must not learn that the private log exists
        await GetDecisionHandler(FakeReadModel(store))(GetDecision(STRANGER, ref(platform, n)))
    with pytest.raises(NotFound):  # nor an anonymous caller (issue #8, finding 4)
        await GetDecisionHandler(FakeReadModel(store))(GetDecision(ANONYMOUS, ref(platform, n)))


async def test_links_are_recorded_on_both_sides_and_removed_together(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    a = await propose(store, clock, platform, "A")
    b = await propose(store, clock, platform, "B")
    await LinkDecisionsHandler(FakeUnitOfWork(store), clock)(
        LinkDecisions(AUTHOR, ref(platform, a), LinkKind.AMENDS, ref(platform, b))
    )
    assert [(x.kind.value, str(x.target)) for x in store.decisions[ref(platform, b)].links] == [
        ("amended-by", f"{platform}/{a}")
    ]
    await UnlinkDecisionsHandler(FakeUnitOfWork(store), clock)(
        UnlinkDecisions(AUTHOR, ref(platform, a), LinkKind.AMENDS, ref(platform, b))
    )
    assert not store.decisions[ref(platform, b)].links


async def test_withdrawing_removes_the_links_others_hold_to_it(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    a = await propose(store, clock, platform, "A")
    b = await propose(store, clock, platform, "B")
    await LinkDecisionsHandler(FakeUnitOfWork(store), clock)(
        LinkDecisions(AUTHOR, ref(platform, a), LinkKind.RELATES_TO, ref(platform, b))
    )
    await WithdrawDecisionHandler(FakeUnitOfWork(store), clock)(
        WithdrawDecision(AUTHOR, ref(platform, a))
    )
    assert not store.decisions[ref(platform, b)].links
    history = await GetHistoryHandler(FakeReadModel(store), CURSORS)(
        GetHistory(VIEWER, ref(platform, a))
    )
    assert [e.event for e in history.items][-1] == "decision.withdrawn"


async def test_explicit_supersession_is_many_to_many(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    numbers = [await propose(store, clock, platform, t) for t in ("Old", "X", "Y")]
    for n in numbers:
        await accept(store, clock, ref(platform, n))
    old, x, y = numbers
    view = await SupersedeDecisionHandler(FakeUnitOfWork(store), clock)(
        SupersedeDecision(DECIDER, ref(platform, old), by=(ref(platform, x), ref(platform, y)))
    )
    assert view.status == "superseded"
    current = await GetCurrentHandler(FakeReadModel(store))(GetCurrent(VIEWER, ref(platform, old)))
    assert [d.number for d in current] == [x, y]


async def test_listing_pages_with_a_cursor(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    for i in range(5):
        await propose(store, clock, platform, f"D{i}", tags=("db",) if i % 2 else ())
    listing = ListDecisionsHandler(FakeReadModel(store), FakeDecisionSearch(store), CURSORS)
    first = await listing(ListDecisions(VIEWER, platform, limit=2))
    second = await listing(ListDecisions(VIEWER, platform, limit=2, cursor=first.next_cursor))
    third = await listing(ListDecisions(VIEWER, platform, limit=2, cursor=second.next_cursor))
    assert [d.number for d in first.items + second.items + third.items] == [1, 2, 3, 4, 5]
    assert third.next_cursor is None
    tagged = await listing(ListDecisions(VIEWER, platform, DecisionFilters(tag="db")))
    assert [d.number for d in tagged.items] == [2, 4]


async def test_a_created_user_authenticates_with_the_issued_token(store: Store) -> None:
    issued = await CreateUserHandler(FakeUnitOfWork(store), FakeClock())(
        CreateUser(OPERATOR, "newbie")
    )
    authenticate = AuthenticateHandler(FakeReadModel(store))
    actor = await authenticate(Authenticate(PersonalAccessToken.presented(issued.token)))
    assert actor.username == "newbie"
    with pytest.raises(NotAuthenticated):
        await authenticate(Authenticate(PersonalAccessToken.presented("adr_wrong")))


async def test_an_anonymous_caller_cannot_create_a_log(store: Store, clock: FakeClock) -> None:
    with pytest.raises(NotAuthenticated, match="signed-in caller"):
        await CreateLogHandler(FakeUnitOfWork(store), clock)(
            CreateLog(ANONYMOUS, LogSlug("anonymous-log"), "Nobody's")
        )
    assert store.logs == {}


async def test_the_current_decisions_across_logs_show_an_anonymous_caller_only_public_ones(
    store: Store, clock: FakeClock, platform: LogSlug
) -> None:
    public = LogSlug("handbook")
    await CreateLogHandler(FakeUnitOfWork(store), clock)(
        CreateLog(OWNER, public, "Handbook", visibility=Visibility.PUBLIC)
    )
    old = ref(public, await propose_as(store, clock, OWNER, public, "Use wikis"))
    await ChangeStatusHandler(FakeUnitOfWork(store), clock)(
        ChangeStatus(OWNER, old, LifecycleStep.ACCEPT)
    )
    hidden = ref(platform, await propose(store, clock, platform, "Use a private tool"))
    shown = ref(public, await propose_as(store, clock, OWNER, public, "Use Markdown"))
    for successor in (hidden, shown):
        await ChangeStatusHandler(FakeUnitOfWork(store), clock)(
            ChangeStatus(OWNER, successor, LifecycleStep.ACCEPT)
        )
    await SupersedeDecisionHandler(FakeUnitOfWork(store), clock)(
        SupersedeDecision(OWNER, old, by=(hidden, shown))
    )
    current = GetCurrentHandler(FakeReadModel(store))

    anonymous = await current(GetCurrent(ANONYMOUS, old))
    member = await current(GetCurrent(VIEWER, old))

    assert [(d.log, d.number) for d in anonymous] == [("handbook", shown.number.value)]
    assert [(d.log, d.number) for d in member] == [
        ("handbook", shown.number.value),
        ("platform", hidden.number.value),
    ]


async def propose_as(store: Store, clock: FakeClock, actor: Actor, log: LogSlug, title: str) -> int:
    view = await ProposeDecisionHandler(FakeUnitOfWork(store), clock)(
        ProposeDecision(actor=actor, log=log, title=title)
    )
    return view.number
