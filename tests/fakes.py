"""In-memory fakes of the application's ports, for handler tests.

The store hands out copies and takes them back only on commit, with the same version
checks as the real unit of work, so a failed command leaves the store as it was.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from application.authentication import Caller, Credentials, SignedToken
from application.errors import VersionMismatch
from application.search_query import SearchQuery, Term
from application.views import (
    Actor,
    DecisionFilters,
    DecisionSummary,
    DecisionView,
    FacetCount,
    HistoryEntry,
    LogAccess,
    LogView,
    MemberView,
    RankedHit,
    SearchFacets,
    SearchFilters,
    SearchHit,
    SearchResults,
    TokenView,
    decision_summary,
    decision_view,
    log_view,
)
from domain.audit import AuditRecord
from domain.decision import Decision
from domain.events import DecisionEvent
from domain.lifecycle import Status
from domain.log import Log
from domain.supersession import current
from domain.user import AccessToken, TokenScope, User
from domain.values import DecisionNumber, DecisionRef, LogSlug, Visibility


class FakeClock:
    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


class FakePasswordHasher:
    """Reversible 'hashes' that say which parameters made them, for rehash tests."""

    def __init__(self, version: int = 2) -> None:
        self.version = version
        self.verified = 0

    async def hash(self, password: str) -> str:
        return f"fake-v{self.version}${password}"

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.verified += 1
        return password_hash is not None and password_hash.split("$", 1)[1] == password

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"fake-v{self.version}$")


@dataclass
class Store:
    logs: dict[LogSlug, Log] = field(default_factory=dict)
    counters: dict[LogSlug, int] = field(default_factory=dict)
    decisions: dict[DecisionRef, Decision] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)  # by secret hash
    history: list[DecisionEvent] = field(default_factory=list)
    aliases: dict[LogSlug, dict[str, DecisionNumber]] = field(default_factory=dict)
    audit: list[AuditRecord] = field(default_factory=list)
    # The file of a synced log's git folder that holds each decision.
    source_files: dict[DecisionRef, str] = field(default_factory=dict)


class FakeLogRepository:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.seen: dict[LogSlug, tuple[Log, int | None]] = {}
        self.counters: dict[LogSlug, int] = {}

    async def get(self, slug: LogSlug) -> Log | None:
        if slug not in self.seen:
            log = self._store.logs.get(slug)
            if log is None:
                return None
            self.seen[slug] = (copy.deepcopy(log), log.version)
        return self.seen[slug][0]

    async def add(self, log: Log) -> None:
        self.seen[log.slug] = (log, None)

    async def next_number(self, slug: LogSlug) -> DecisionNumber:
        taken = self.counters.get(slug, self._store.counters.get(slug, 1))
        self.counters[slug] = taken + 1
        return DecisionNumber(taken)

    async def reserve_through(self, slug: LogSlug, number: DecisionNumber) -> None:
        taken = self.counters.get(slug, self._store.counters.get(slug, 1))
        self.counters[slug] = max(taken, number.value + 1)

    async def source_file(self, ref: DecisionRef) -> str | None:
        return self._store.source_files.get(ref)


class FakeGitSourcePolicy:
    """Allows every URL but those it is told to refuse, with the reason given."""

    def __init__(self, refused: dict[str, str] | None = None) -> None:
        self.refused = refused or {}

    async def refusal(self, url: str) -> str | None:
        return self.refused.get(url)


class FakeDecisionRepository:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.seen: dict[DecisionRef, tuple[Decision, int | None]] = {}
        self.removed: set[DecisionRef] = set()
        self.new_aliases: dict[LogSlug, dict[str, DecisionNumber]] = {}

    async def get(self, ref: DecisionRef) -> Decision | None:
        if ref in self.removed:
            return None
        if ref not in self.seen:
            decision = self._store.decisions.get(ref)
            if decision is None:
                return None
            self.seen[ref] = (copy.deepcopy(decision), decision.version)
        return self.seen[ref][0]

    async def add(self, decision: Decision) -> None:
        self.seen[decision.ref] = (decision, None)

    async def remove(self, decision: Decision) -> None:
        self.removed.add(decision.ref)

    async def retired_numbers(self, log: LogSlug) -> set[DecisionNumber]:
        known = {e.ref for e in self._store.history if e.ref.log == log}
        return {r.number for r in known if r not in self._store.decisions}

    async def aliases(self, log: LogSlug) -> dict[str, DecisionNumber]:
        return self._store.aliases.get(log, {}) | self.new_aliases.get(log, {})

    async def add_alias(self, log: LogSlug, alias: str, number: DecisionNumber) -> None:
        if alias in await self.aliases(log):
            raise VersionMismatch(f"alias {alias}", 0, None)
        self.new_aliases.setdefault(log, {})[alias] = number

    async def list_in(self, log: LogSlug) -> list[Decision]:
        refs = {r for r in self._store.decisions if r.log == log}
        refs |= {r for r in self.seen if r.log == log}
        found = [await self.get(ref) for ref in sorted(refs)]
        return [d for d in found if d is not None]


class FakeUserRepository:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.new_users: list[User] = []
        self.new_tokens: list[AccessToken] = []
        self.removed_tokens: set[str] = set()

    async def get(self, username: str) -> User | None:
        return self._store.users.get(username) or next(
            (u for u in self.new_users if u.username == username), None
        )

    async def add(self, user: User) -> None:
        self.new_users.append(user)

    async def add_token(self, token: AccessToken) -> None:
        self.new_tokens.append(token)

    async def remove_token(self, token_id: str, username: str | None) -> bool:
        found = any(
            token.id == token_id and username in (None, token.username)
            for token in self._store.tokens.values()
        )
        if found:
            self.removed_tokens.add(token_id)
        return found

    async def update(self, user: User) -> None:
        self.new_users.append(user)

    async def count(self) -> int:
        return len(self._store.users) + len(self.new_users)


class FakeAuditTrail:
    def __init__(self) -> None:
        self.pending: list[AuditRecord] = []

    async def record(self, entry: AuditRecord) -> None:
        self.pending.append(entry)


class FakeUnitOfWork:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.committed = 0
        self._events: list[DecisionEvent] = []

    async def __aenter__(self) -> Self:
        self._logs = FakeLogRepository(self.store)
        self._decisions = FakeDecisionRepository(self.store)
        self._users = FakeUserRepository(self.store)
        self._audit = FakeAuditTrail()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Uncommitted work is simply dropped with the repositories."""

    @property
    def logs(self) -> FakeLogRepository:
        return self._logs

    @property
    def decisions(self) -> FakeDecisionRepository:
        return self._decisions

    @property
    def users(self) -> FakeUserRepository:
        return self._users

    @property
    def audit(self) -> FakeAuditTrail:
        return self._audit

    async def commit(self) -> None:
        store = self.store
        for slug, (log, loaded) in self._logs.seen.items():
            stored = store.logs.get(slug)
            if (stored.version if stored else None) != loaded and log.version != loaded:
                raise VersionMismatch(f"log '{slug}'", loaded or 0, None)
        for ref, (decision, loaded) in self._decisions.seen.items():
            stored = store.decisions.get(ref)
            changed = decision.events or ref in self._decisions.removed
            if changed and (stored.version if stored else None) != loaded:
                raise VersionMismatch(f"decision {ref}", loaded or 0, None)
        # All checks passed: apply everything, as one transaction would.
        for slug, (log, loaded) in self._logs.seen.items():
            log.events.clear()  # stored with the change in the real unit of work
            if log.version != loaded:
                store.logs[slug] = copy.deepcopy(log)
        store.counters.update(self._logs.counters)
        for ref, (decision, _) in self._decisions.seen.items():
            if not decision.events and ref not in self._decisions.removed:
                continue
            store.history.extend(decision.events)
            self._events.extend(decision.events)
            decision.events = []
            if ref in self._decisions.removed:
                store.decisions.pop(ref, None)
            else:
                store.decisions[ref] = copy.deepcopy(decision)
        for log, aliases in self._decisions.new_aliases.items():
            store.aliases.setdefault(log, {}).update(aliases)
        self._decisions.new_aliases = {}
        for user in self._users.new_users:
            store.users[user.username] = user
        for token in self._users.new_tokens:
            store.tokens[token.secret_hash] = token
        store.tokens = {
            secret_hash: token
            for secret_hash, token in store.tokens.items()
            if token.id not in self._users.removed_tokens
        }
        self._logs.seen = {s: (log, log.version) for s, (log, _) in self._logs.seen.items()}
        self._decisions.seen = {r: (d, d.version) for r, (d, _) in self._decisions.seen.items()}
        self._users.new_users, self._users.new_tokens = [], []
        self._users.removed_tokens = set()
        store.audit.extend(self._audit.pending)
        self._audit.pending = []
        self.committed += 1

    def collect_events(self) -> list[DecisionEvent]:
        events, self._events = self._events, []
        return events


class FakeReadModel:
    """Answers queries from the store by brute force: the naive model of the real one."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def actor_for(self, credentials: Credentials) -> Actor | None:
        scope = TokenScope.READ_WRITE
        if isinstance(credentials, SignedToken):
            user = self.store.users.get(credentials.username)
        else:
            token = self.store.tokens.get(credentials.secret_hash)
            user = None if token is None else self.store.users[token.username]
            scope = TokenScope.READ_WRITE if token is None else token.scope
        if user is None or user.disabled:
            return None
        return Actor(username=user.username, is_admin=user.is_admin, scope=scope)

    async def tokens(self, username: str, *, limit: int, after: str | None) -> list[TokenView]:
        mine = sorted(
            (t for t in self.store.tokens.values() if t.username == username),
            key=lambda token: token.id,
        )
        return [
            TokenView(
                id=t.id,
                username=t.username,
                name=t.name,
                scope=t.scope,
                created_at=t.created_at,
                expires_at=t.expires_at,
                last_used_at=None,
            )
            for t in mine
            if after is None or t.id > after
        ][:limit]

    async def password_of(self, username: str) -> tuple[Actor, str] | None:
        user = self.store.users.get(username)
        if user is None or user.disabled or user.password_hash is None:
            return None
        return Actor(username=username, is_admin=user.is_admin), user.password_hash

    async def _found(self, caller: Caller) -> Actor | None:
        if isinstance(caller, Actor):
            return caller
        return await self.actor_for(caller)

    def _access(self, slug: LogSlug, username: str | None) -> LogAccess | None:
        log = self.store.logs.get(slug)
        if log is None:
            return None
        return LogAccess(visibility=log.visibility, role=log.role_of(username))

    async def log_access(
        self, slug: LogSlug, caller: Caller
    ) -> tuple[Actor | None, LogAccess | None]:
        found = await self._found(caller)
        return found, self._access(slug, None if found is None else found.username)

    async def log_accesses(
        self, slugs: Collection[LogSlug], username: str | None
    ) -> dict[LogSlug, LogAccess]:
        accesses = {slug: self._access(slug, username) for slug in slugs}
        return {slug: access for slug, access in accesses.items() if access is not None}

    async def log(self, slug: LogSlug) -> LogView | None:
        log = self.store.logs.get(slug)
        return None if log is None else log_view(log)

    async def logs(self, actor: Actor, *, limit: int, after: LogSlug | None) -> list[LogView]:
        visible = [
            log
            for slug, log in sorted(self.store.logs.items())
            if (after is None or slug > after)
            and (
                actor.is_admin
                or log.visibility is Visibility.PUBLIC
                or log.role_of(actor.username) is not None
            )
        ]
        return [log_view(log) for log in visible[:limit]]

    async def members(self, slug: LogSlug) -> list[MemberView]:
        log = self.store.logs[slug]
        return [MemberView(username=u, role=r) for u, r in sorted(log.members.items())]

    async def decision(
        self, ref: DecisionRef, caller: Caller
    ) -> tuple[Actor | None, LogAccess | None, DecisionView | None]:
        decision = self.store.decisions.get(ref)
        view = None if decision is None else decision_view(decision)
        found, access = await self.log_access(ref.log, caller)
        return found, access, view

    async def decisions(
        self,
        slug: LogSlug,
        filters: DecisionFilters,
        *,
        limit: int,
        after: DecisionNumber | None,
    ) -> list[DecisionSummary]:
        def matches(d: Decision) -> bool:
            people = d.decision_makers + d.consulted + d.informed
            return (
                d.ref.log == slug
                and (after is None or d.ref.number > after)
                and (filters.status is None or d.status.value == filters.status)
                and (filters.tag is None or filters.tag in d.tags)
                and (filters.person is None or filters.person in people)
                and (
                    filters.review_due is None
                    or (
                        d.status is Status.ACCEPTED
                        and d.review_by is not None
                        and d.review_by <= filters.review_due
                    )
                )
            )

        found = sorted((d for d in self.store.decisions.values() if matches(d)), key=_number)
        return [decision_summary(d) for d in found[:limit]]

    async def status_counts(self, slug: LogSlug) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self.store.decisions.values():
            if d.ref.log == slug:
                counts[d.status.value] = counts.get(d.status.value, 0) + 1
        return counts

    async def recently_decided(self, slug: LogSlug, *, limit: int) -> list[DecisionSummary]:
        accepted = [
            d
            for d in self.store.decisions.values()
            if d.ref.log == slug and d.status is Status.ACCEPTED
        ]
        accepted.sort(key=lambda d: (d.date, d.ref.number), reverse=True)
        return [decision_summary(d) for d in accepted[:limit]]

    async def history(
        self, ref: DecisionRef, *, limit: int, after_version: int | None
    ) -> list[HistoryEntry]:
        entries = [
            HistoryEntry(
                version=e.version, event=e.name, actor=e.actor, at=e.at, details=e.details()
            )
            for e in self.store.history
            if e.ref == ref and (after_version is None or e.version > after_version)
        ]
        return entries[:limit]

    async def current(self, ref: DecisionRef) -> list[DecisionSummary]:
        if ref not in self.store.decisions:
            return []
        ends = current(ref, lambda r: self.store.decisions[r].superseded_by)
        return [decision_summary(self.store.decisions[r]) for r in ends]


def _number(decision: Decision) -> DecisionNumber:
    return decision.ref.number


# -- search ---------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
# The weight of a match in each field: title, tags and people, context and outcome, rest.
FIELD_WEIGHTS = (10, 4, 2, 1)


def search_fields(decision: Decision) -> tuple[list[str], ...]:
    """A decision's words in the four weighted fields the backends index, in their order."""
    content = decision.content
    texts = (
        [decision.title],
        [
            *sorted(decision.tags),
            *decision.decision_makers,
            *decision.consulted,
            *decision.informed,
        ],
        [content.context, content.outcome.chosen, content.outcome.justification],
        [
            *content.drivers,
            *(
                text
                for option in content.options
                for text in (option.title, option.description, *_arguments(option.arguments))
            ),
            *_arguments(content.consequences),
            content.confirmation,
            content.more_information,
            *(
                text
                for section in content.extra_sections
                for text in (section.heading, section.body)
            ),
        ],
    )
    return tuple(_WORD.findall(" ".join(parts).lower()) for parts in texts)


def _arguments(arguments: object) -> Iterator[str]:
    yield from getattr(arguments, "good", ())
    yield from getattr(arguments, "neutral", ())
    yield from getattr(arguments, "bad", ())


def term_weight(term: Term, fields: tuple[list[str], ...]) -> int:
    """The weight of the best field `term` matches in (0: none), words compared exactly
    (the tests use words that every backend stems to themselves)."""
    n = len(term.words)
    for weight, words in zip(FIELD_WEIGHTS, fields, strict=True):
        for start in range(len(words) - n + 1):
            window = words[start : start + n]
            *whole, last = term.words
            if window[:-1] == whole and (
                window[-1].startswith(last) if term.prefix else window[-1] == last
            ):
                return weight
    return 0


def search_score(query: SearchQuery, decision: Decision) -> int:
    """0 when the decision does not match; else the sum of each group's best weight."""
    fields = search_fields(decision)
    if any(term_weight(term, fields) for term in query.none_of):
        return 0
    best = [max(term_weight(term, fields) for term in group) for group in query.all_of]
    return sum(best) if best and all(best) else 0


def _top(counts: dict[str, int], size: int) -> tuple[FacetCount, ...]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(FacetCount(value, n) for value, n in ordered[:size])


class FakeDecisionSearch:
    """Searches the store by brute force: the naive model of the real index."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _readable(self, actor: Actor, slug: LogSlug) -> bool:
        log = self.store.logs[slug]
        return (
            actor.is_admin
            or log.visibility is Visibility.PUBLIC
            or log.role_of(actor.username) is not None
        )

    async def search(
        self,
        query: SearchQuery,
        actor: Actor,
        filters: SearchFilters,
        *,
        limit: int,
        after: tuple[float, int] | None,
        facet_size: int,
    ) -> SearchResults:
        ids = {ref: i + 1 for i, ref in enumerate(sorted(self.store.decisions))}
        found: list[tuple[float, int, Decision]] = []
        for ref, d in self.store.decisions.items():
            score = search_score(query, d)
            people = d.decision_makers + d.consulted + d.informed
            if (
                score
                and self._readable(actor, ref.log)
                and filters.log in (None, ref.log.value)
                and filters.status in (None, d.status.value)
                and (filters.tag is None or filters.tag in d.tags)
                and (filters.person is None or filters.person in people)
                and (filters.date_from is None or d.date >= filters.date_from)
                and (filters.date_to is None or d.date <= filters.date_to)
            ):
                found.append((float(score), ids[ref], d))
        found.sort(key=lambda item: (item[0], item[1]), reverse=True)
        statuses: dict[str, int] = {}
        tags: dict[str, int] = {}
        logs: dict[str, int] = {}
        for _, _, d in found:
            statuses[d.status.value] = statuses.get(d.status.value, 0) + 1
            logs[d.ref.log.value] = logs.get(d.ref.log.value, 0) + 1
            for tag in d.tags:
                tags[tag] = tags.get(tag, 0) + 1
        page = [item for item in found if after is None or (item[0], item[1]) < after]
        hits = [
            RankedHit(
                SearchHit(
                    log=d.ref.log.value,
                    number=d.ref.number.value,
                    title=d.title,
                    status=d.status.value,
                    date=d.date,
                    snippet=d.title,
                    score=score,
                ),
                row_id=row_id,
            )
            for score, row_id, d in page[:limit]
        ]
        facets = SearchFacets(
            status=_top(statuses, facet_size),
            tag=_top(tags, facet_size),
            log=_top(logs, facet_size),
        )
        return SearchResults(hits=hits, total=len(found), facets=facets)

    async def decisions(
        self,
        slug: LogSlug,
        query: SearchQuery,
        filters: DecisionFilters,
        *,
        limit: int,
        after: DecisionNumber | None,
    ) -> list[DecisionSummary]:
        listed = await FakeReadModel(self.store).decisions(
            slug, filters, limit=len(self.store.decisions) + 1, after=after
        )
        matching = [
            d
            for d in listed
            if search_score(
                query, self.store.decisions[DecisionRef(slug, DecisionNumber(d.number))]
            )
        ]
        return matching[:limit]

    async def rebuild(self) -> int:
        return len(self.store.decisions)
