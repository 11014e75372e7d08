"""The read side: SqlAlchemyReadModel's queries against what the unit of work stored."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.clock import SystemClock
from adapters.sqlalchemy import SqlAlchemyReadModel
from application.authentication import PersonalAccessToken
from application.content_json import content_to_json
from application.views import (
    ANONYMOUS,
    Actor,
    DecisionFilters,
    DecisionView,
    LinkView,
    LogAccess,
    MemberView,
)
from domain.decision import Changes, Decision
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.supersession import current, supersede
from domain.user import AccessToken
from domain.values import DecisionNumber, DecisionRef, LogSlug, Role, Visibility
from tests.integration.conftest import AT, FULL_CONTENT, Registry


def ref(text: str) -> DecisionRef:
    return DecisionRef.parse(text, relative_to=LogSlug("core"))


async def test_actor_for_token_finds_the_tokens_user(registry: Registry) -> None:
    await registry.user("root", is_admin=True)
    async with registry.uow() as uow:
        for username, secret_hash in (("alice", "hash-a"), ("root", "hash-r")):
            await uow.users.add_token(
                AccessToken(f"t-{username}", username, "cli", secret_hash, AT)
            )
        await uow.commit()

    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    assert await read.actor_for(PersonalAccessToken("hash-a")) == Actor("alice", is_admin=False)
    assert await read.actor_for(PersonalAccessToken("hash-r")) == Actor("root", is_admin=True)
    assert await read.actor_for(PersonalAccessToken("unknown")) is None


async def test_log_access_authenticates_the_token_in_the_same_answer(registry: Registry) -> None:
    await registry.user("bob")
    async with registry.uow() as uow:
        await uow.users.add_token(AccessToken("t-bob", "bob", "cli", "hash-b", AT))
        await uow.commit()
    core = await registry.log("core", members={"bob": Role.AUTHOR})
    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    bob = Actor("bob", is_admin=False)
    author = LogAccess(Visibility.PRIVATE, Role.AUTHOR)

    assert await read.log_access(core, PersonalAccessToken("hash-b")) == (bob, author)
    # A token that names nobody still gets the log's answer: the handler decides (401).
    assert await read.log_access(core, PersonalAccessToken("nope")) == (
        None,
        LogAccess(Visibility.PRIVATE, None),
    )
    assert await read.log_access(LogSlug("nowhere"), PersonalAccessToken("hash-b")) == (bob, None)
    _, _, view = await read.decision(ref("core/1"), PersonalAccessToken("hash-b"))
    assert view is None
    assert (await read.decision(ref("nowhere/1"), PersonalAccessToken("nope")))[:2] == (None, None)


async def test_log_access_gives_visibility_and_the_callers_role(registry: Registry) -> None:
    await registry.user("bob")
    core = await registry.log("core", members={"bob": Role.AUTHOR})
    public = await registry.log("open", visibility=Visibility.PUBLIC)
    read = SqlAlchemyReadModel(registry.engine, SystemClock())

    async def access(slug: LogSlug, username: str | None) -> LogAccess | None:
        return (await read.log_access(slug, Actor(username)))[1]

    assert await access(core, "bob") == LogAccess(Visibility.PRIVATE, Role.AUTHOR)
    assert await access(core, "carol") == LogAccess(Visibility.PRIVATE, None)
    assert await access(core, None) == LogAccess(Visibility.PRIVATE, None)
    assert await access(LogSlug("nowhere"), "bob") is None
    assert await read.log_accesses([core, public, LogSlug("nowhere")], "alice") == {
        core: LogAccess(Visibility.PRIVATE, Role.ADMIN),
        public: LogAccess(Visibility.PUBLIC, Role.ADMIN),
    }
    assert await read.log_accesses([], "alice") == {}


async def test_log_and_members(registry: Registry) -> None:
    for name in ("zoe", "bob"):
        await registry.user(name)
    core = await registry.log("core", members={"zoe": Role.VIEWER, "bob": Role.DECIDER})
    read = SqlAlchemyReadModel(registry.engine, SystemClock())

    log = await read.log(core)
    assert log is not None
    assert (log.slug, log.title, log.visibility, log.version) == (
        "core",
        "Core",
        Visibility.PRIVATE,
        1,
    )
    assert await read.log(LogSlug("nowhere")) is None
    assert await read.members(core) == [
        MemberView("alice", Role.ADMIN),
        MemberView("bob", Role.DECIDER),
        MemberView("zoe", Role.VIEWER),
    ]


async def test_logs_lists_what_the_actor_may_read_by_slug_in_pages(registry: Registry) -> None:
    await registry.user("bob")
    for slug, visibility, members in (
        ("delta", Visibility.PUBLIC, {}),
        ("beta", Visibility.PRIVATE, {"bob": Role.VIEWER}),
        ("gamma", Visibility.PRIVATE, {}),
        ("alpha", Visibility.PUBLIC, {}),
    ):
        await registry.log(slug, visibility=visibility, members=members)
    read = SqlAlchemyReadModel(registry.engine, SystemClock())

    async def slugs(actor: Actor, *, limit: int = 10, after: str | None = None) -> list[str]:
        found = await read.logs(actor, limit=limit, after=None if after is None else LogSlug(after))
        return [log.slug for log in found]

    assert await slugs(ANONYMOUS) == ["alpha", "delta"]
    assert await slugs(Actor("bob")) == ["alpha", "beta", "delta"]
    assert await slugs(Actor("root", is_admin=True)) == ["alpha", "beta", "delta", "gamma"]
    assert await slugs(Actor("bob"), limit=2) == ["alpha", "beta"]
    assert await slugs(Actor("bob"), limit=2, after="beta") == ["delta"]
    assert await slugs(Actor("root", is_admin=True), limit=2, after="beta") == ["delta", "gamma"]


async def test_decision_gives_access_and_view_in_one_answer(registry: Registry) -> None:
    await registry.user("bob")
    await registry.user("carol")
    public = await registry.log("open", visibility=Visibility.PUBLIC)
    private = await registry.log("secret", members={"bob": Role.VIEWER})
    await registry.propose(public)
    await registry.propose(private)
    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    public_access = LogAccess(Visibility.PUBLIC, None)
    stranger = LogAccess(Visibility.PRIVATE, None)

    # (decision, caller) -> (access, whether the view is there). Whether the caller may
    # see it is the handler's rule; the read model answers what is stored.
    cases = {
        ("open/1", None): (public_access, True),
        ("open/1", "carol"): (public_access, True),
        ("open/1", "alice"): (LogAccess(Visibility.PUBLIC, Role.ADMIN), True),
        ("secret/1", "bob"): (LogAccess(Visibility.PRIVATE, Role.VIEWER), True),
        ("secret/1", "carol"): (stranger, True),
        ("secret/1", None): (stranger, True),
        ("secret/2", "bob"): (LogAccess(Visibility.PRIVATE, Role.VIEWER), False),
        ("secret/2", None): (stranger, False),
        ("nowhere/1", "bob"): (None, False),
        ("nowhere/1", None): (None, False),
    }
    for (target, username), (access, found) in cases.items():
        _, got_access, view = await read.decision(ref(target), Actor(username))
        assert (got_access, view is not None) == (access, found), (target, username)


async def test_decision_view_shows_what_was_saved(registry: Registry) -> None:
    core = await registry.log("core")
    proposal = await registry.propose(
        core,
        "Use FastAPI",
        decision_makers=["Ann Lee", "Bob"],
        consulted=["Cy"],
        informed=["Dee"],
        tags=["web", "API"],
        content=FULL_CONTENT,
        review_by=date(2025, 5, 1),
        supersedes=[ref("platform/3"), ref("core/10")],
    )

    def link(decision: Decision) -> None:
        for target in ("platform/10", "core/9", "core/10"):
            decision.link(Link(LinkKind.RELATES_TO, ref(target)), by="alice", at=AT)

    await registry.change(proposal, link)

    _, _, view = await SqlAlchemyReadModel(registry.engine, SystemClock()).decision(
        proposal, Actor("alice")
    )
    assert view == DecisionView(
        log="core",
        number=1,
        title="Use FastAPI",
        status="proposed",
        date=AT.date(),
        decision_makers=("Ann Lee", "Bob"),
        consulted=("Cy",),
        informed=("Dee",),
        tags=("api", "web"),
        content=content_to_json(FULL_CONTENT),
        links=(
            LinkView("relates-to", "core/9"),
            LinkView("relates-to", "core/10"),
            LinkView("relates-to", "platform/10"),
            LinkView("supersedes", "core/10"),
            LinkView("supersedes", "platform/3"),
        ),
        review_by=date(2025, 5, 1),
        version=4,
    )


async def test_history_pages_oldest_first(registry: Registry) -> None:
    proposal = await registry.propose(await registry.log("core"))

    def work(decision: Decision) -> None:
        for hour, tags in enumerate((["a"], ["b"], ["c"]), start=1):
            decision.edit(Changes(tags=tags), by="bob", at=AT + timedelta(hours=hour))
        decision.accept(by="carol", at=AT + timedelta(hours=4))

    await registry.change(proposal, work)
    read = SqlAlchemyReadModel(registry.engine, SystemClock())

    pages = []
    after: int | None = None
    while page := await read.history(proposal, limit=2, after_version=after):
        pages.append([(entry.version, entry.event) for entry in page])
        after = page[-1].version
    assert pages == [
        [(1, "decision.proposed"), (2, "decision.edited")],
        [(3, "decision.edited"), (4, "decision.edited")],
        [(5, "decision.accepted")],
    ]
    last = (await read.history(proposal, limit=1, after_version=4))[0]
    assert (last.actor, last.at, last.details) == (
        "carol",
        AT + timedelta(hours=4),
        {"supersedes": []},
    )
    assert last.at.tzinfo is not None
    assert await read.history(ref("core/9"), limit=10, after_version=None) == []


async def test_current_follows_a_branching_supersession_graph_across_logs(
    registry: Registry,
) -> None:
    a = await registry.log("a")
    b = await registry.log("b")
    for log, count in ((a, 6), (b, 4)):
        for _ in range(count):
            await registry.propose(log)
    # a/1 -> {a/2, b/1}; a/2 -> {b/2}: two ends, b/1 and b/2.
    # a/4 -> {a/5, b/3} -> both to b/4: a diamond with one end. a/3 and a/6 stay current.
    edges = {
        "a/1": ["a/2", "b/1"],
        "a/2": ["b/2"],
        "a/4": ["a/5", "b/3"],
        "a/5": ["b/4"],
        "b/3": ["b/4"],
    }
    all_refs = [ref(f"a/{n}") for n in range(1, 7)] + [ref(f"b/{n}") for n in range(1, 5)]
    async with registry.uow() as uow:
        loaded = {}
        for target in all_refs:
            decision = await uow.decisions.get(target)
            assert decision is not None
            decision.accept(by="alice", at=AT)
            loaded[target] = decision
        # Predecessors first: a successor must still be accepted when it is named.
        for old, successors in sorted(edges.items()):
            supersede(loaded[ref(old)], [loaded[ref(s)] for s in successors], by="alice", at=AT)
        await uow.commit()

    def successors_of(start: DecisionRef) -> list[DecisionRef]:
        return [ref(s) for s in edges.get(str(start), [])]

    read = SqlAlchemyReadModel(registry.engine, SystemClock())
    for start in all_refs:
        found = [ref(f"{d.log}/{d.number}") for d in await read.current(start)]
        assert found == current(start, successors_of), start
    assert [(d.log, d.number) for d in await read.current(ref("a/1"))] == [("b", 1), ("b", 2)]
    assert [(d.log, d.number) for d in await read.current(ref("a/4"))] == [("b", 4)]
    assert await read.current(ref("a/99")) == []
    assert await read.current(ref("nowhere/1")) == []


# -- list filters and keyset pagination against a naive model ---------------------------


@dataclass(frozen=True)
class Spec:
    """What a generated decision says, in terms the filters look at."""

    status: Status
    tags: frozenset[str]
    decision_makers: tuple[str, ...]
    informed: tuple[str, ...]
    review_by: date | None


PEOPLE = ["Ann", "Bob", "Cy"]
TAGS = ["api", "db", "ops"]
DAYS = [date(2025, 1, 1) + timedelta(days=n) for n in range(4)]

specs = st.builds(
    Spec,
    status=st.sampled_from(Status),
    tags=st.frozensets(st.sampled_from(TAGS)),
    decision_makers=st.lists(st.sampled_from(PEOPLE), max_size=2, unique=True).map(tuple),
    informed=st.lists(st.sampled_from(PEOPLE), max_size=1).map(tuple),
    review_by=st.none() | st.sampled_from(DAYS),
)


def _filters_of(chosen: dict[str, Any]) -> DecisionFilters:
    return DecisionFilters(**chosen)


# At most two filters at once: more of them together rarely match anything.
filters = (
    st.fixed_dictionaries(
        {},
        optional={
            "status": st.sampled_from([s.value for s in Status]),
            "tag": st.sampled_from([*TAGS, "none-such"]),
            "person": st.sampled_from(PEOPLE),
            "review_due": st.sampled_from(DAYS),
        },
    )
    .filter(lambda chosen: len(chosen) <= 2)
    .map(_filters_of)
)


def matches(spec: Spec, wanted: DecisionFilters) -> bool:
    return (
        (wanted.status is None or spec.status.value == wanted.status)
        and (wanted.tag is None or wanted.tag in spec.tags)
        and (wanted.person is None or wanted.person in spec.decision_makers + spec.informed)
        and (
            wanted.review_due is None
            or (
                spec.status is Status.ACCEPTED
                and spec.review_by is not None
                and spec.review_by <= wanted.review_due
            )
        )
    )


# Each example writes to a log of its own, so examples share the database without
# seeing each other's decisions.
_example_logs = itertools.count()


_MIXED = [
    Spec(Status.ACCEPTED, frozenset({"api"}), ("Ann",), ("Bob",), DAYS[1]),
    Spec(Status.PROPOSED, frozenset({"db"}), ("Bob",), (), DAYS[0]),
    Spec(Status.ACCEPTED, frozenset(), (), ("Cy",), DAYS[3]),
    Spec(Status.REJECTED, frozenset({"api", "db"}), ("Cy",), ("Ann",), None),
]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(generated=_MIXED, wanted=DecisionFilters(status="accepted"), limit=1)
@example(generated=_MIXED, wanted=DecisionFilters(tag="api"), limit=1)
@example(generated=_MIXED, wanted=DecisionFilters(person="Bob"), limit=1)
@example(generated=_MIXED, wanted=DecisionFilters(review_due=DAYS[1]), limit=1)
@given(
    generated=st.lists(specs, max_size=12),
    wanted=filters,
    limit=st.integers(min_value=1, max_value=5),
)
async def test_list_filters_and_pages_like_a_naive_model(
    registry: Registry, generated: list[Spec], wanted: DecisionFilters, limit: int
) -> None:
    log = await registry.log(f"list-{next(_example_logs)}")
    async with registry.uow() as uow:
        for number, spec in enumerate(generated, start=1):
            await uow.decisions.add(
                Decision(
                    ref=DecisionRef(log, DecisionNumber(number)),
                    title=f"Decision {number}",
                    status=spec.status,
                    date=AT.date(),
                    decision_makers=spec.decision_makers,
                    informed=spec.informed,
                    tags=spec.tags,
                    review_by=spec.review_by,
                )
            )
        await uow.commit()
    read = SqlAlchemyReadModel(registry.engine, SystemClock())

    found: list[int] = []
    after: DecisionNumber | None = None
    # Every full page moves past at least one decision, so this many pages must suffice.
    for _ in range(len(generated) + 1):
        page = await read.decisions(log, wanted, limit=limit, after=after)
        assert len(page) <= limit
        found += [summary.number for summary in page]
        for summary in page:
            spec = generated[summary.number - 1]
            assert (summary.status, summary.tags) == (spec.status.value, tuple(sorted(spec.tags)))
        if len(page) < limit:
            break
        after = DecisionNumber(page[-1].number)
    else:
        pytest.fail(f"pages do not end: {found}")

    expected = [n for n, spec in enumerate(generated, start=1) if matches(spec, wanted)]
    assert found == expected
