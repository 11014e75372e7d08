"""The Decision aggregate: one ADR, its lifecycle and the rules that guard it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.content import Content
from domain.errors import (
    DecisionFrozen,
    InvalidLink,
    InvalidSupersession,
    InvalidTransition,
    InvalidValue,
)
from domain.events import (
    DecisionAccepted,
    DecisionDeprecated,
    DecisionEdited,
    DecisionEvent,
    DecisionImported,
    DecisionLinked,
    DecisionProposed,
    DecisionRejected,
    DecisionReopened,
    DecisionSuperseded,
    DecisionUnlinked,
    DecisionWithdrawn,
)
from domain.lifecycle import Status
from domain.links import Link, LinkKind
from domain.values import DecisionRef, people_of, tags_of, title_of

# Fields that only a proposal may change; the rest (tags, review_by) stay editable.
CONTENT_FIELDS = ("title", "content", "decision_makers", "consulted", "informed")
# Kinds a decided record may still add or remove from its own side.
_ALWAYS_LINKABLE = frozenset({LinkKind.RELATES_TO})
# Kinds only ever written as the inverse of a link made from the other side.
_INVERSE_ONLY = frozenset({LinkKind.SUPERSEDED_BY, LinkKind.AMENDED_BY})
# What writes on the other side (or a relates-to edit) can change on a decided record.
_GAINED_WHEN_DECIDED = frozenset({LinkKind.RELATES_TO, LinkKind.SUPERSEDES, LinkKind.AMENDED_BY})
_LOST_WHEN_DECIDED = frozenset({LinkKind.RELATES_TO, LinkKind.AMENDED_BY})


@dataclass(frozen=True, slots=True)
class Changes:
    """The editable fields of a decision; None means 'leave as it is'."""

    title: str | None = None
    content: Content | None = None
    decision_makers: Iterable[str] | None = None
    consulted: Iterable[str] | None = None
    informed: Iterable[str] | None = None
    tags: Iterable[str] | None = None
    review_by: dt.date | None = None
    clear_review_by: bool = False


class Decision:
    """One architecture decision record inside a log."""

    def __init__(
        self,
        *,
        ref: DecisionRef,
        title: str,
        status: Status,
        date: dt.date,
        decision_makers: Iterable[str] = (),
        consulted: Iterable[str] = (),
        informed: Iterable[str] = (),
        tags: Iterable[str] = (),
        content: Content | None = None,
        links: Iterable[Link] = (),
        review_by: dt.date | None = None,
        version: int = 1,
    ) -> None:
        self.ref = ref
        self.title = title_of(title)
        self.status = status
        self.date = date
        self.decision_makers = people_of("decision_makers", decision_makers)
        self.consulted = people_of("consulted", consulted)
        self.informed = people_of("informed", informed)
        self.tags = tags_of(tags)
        self.content = content or Content()
        self.links: frozenset[Link] = frozenset(links)
        self.review_by = review_by
        self.version = version
        self.events: list[DecisionEvent] = []

    def __repr__(self) -> str:
        return f"<Decision {self.ref} {self.status.value} v{self.version}>"

    # -- creation --------------------------------------------------------------

    @classmethod
    def propose(
        cls,
        *,
        ref: DecisionRef,
        title: str,
        by: str,
        at: dt.datetime,
        decision_makers: Iterable[str] = (),
        consulted: Iterable[str] = (),
        informed: Iterable[str] = (),
        tags: Iterable[str] = (),
        content: Content | None = None,
        review_by: dt.date | None = None,
        supersedes: Iterable[DecisionRef] = (),
    ) -> Decision:
        """A new proposal. `supersedes` names accepted decisions it would replace."""
        targets = frozenset(supersedes)
        if ref in targets:
            raise InvalidLink(f"{ref} cannot supersede itself")
        decision = cls(
            ref=ref,
            title=title,
            status=Status.PROPOSED,
            date=at.date(),
            decision_makers=decision_makers,
            consulted=consulted,
            informed=informed,
            tags=tags,
            content=content,
            links=(Link(LinkKind.SUPERSEDES, t) for t in targets),
            review_by=review_by,
            version=0,
        )
        decision._record(DecisionProposed, by, at, title=decision.title)
        return decision

    @classmethod
    def imported(cls, state: DecisionState, *, by: str, at: dt.datetime, source: str) -> Decision:
        """A decision read from a MADR file: it keeps its status and date."""
        decision = cls(**state.fields(), version=0)
        decision._record(DecisionImported, by, at, status=decision.status.value, source=source)
        return decision

    def reimport(
        self,
        state: DecisionState,
        *,
        by: str,
        at: dt.datetime,
        source: str,
        authoritative: bool = False,
    ) -> bool:
        """Take what the file says now, within the lifecycle (see `ensure_can_reimport`).

        `authoritative` is for the log's declared source of truth (its synced git
        repository) only: the file then wins whatever the lifecycle says.
        Returns False, recording nothing, when the file says what the record says.
        """
        if state == self.snapshot():
            return False
        if not authoritative:
            self.ensure_can_reimport(state)
        for name, value in state.fields().items():
            setattr(self, name, value)
        self._record(DecisionImported, by, at, status=self.status.value, source=source)
        return True

    def ensure_can_reimport(self, state: DecisionState) -> None:
        """Raise unless ordinary writes could take this record to `state`.

        A status may move as the lifecycle allows. Content (and the date, unless the
        status moves) changes only while proposed, before or after the move: a
        proposal may be edited and then accepted, a rejected one reopened and then
        edited. A decided record's links change as the other side's writes would
        change them: it may gain what supersedes or amends it, lose an amending
        proposal, gain its successors as it becomes superseded, and change relates-to.
        """
        if state.ref != self.ref:
            raise ValueError(f"{state.ref} is not {self.ref}")
        moves = state.status is not self.status
        if moves:
            self.ensure_can_become(state.status)
        if Status.PROPOSED in (self.status, state.status):
            return
        frozen = [name for name in CONTENT_FIELDS if getattr(state, name) != getattr(self, name)]
        if not moves and state.date != self.date:
            frozen.append("date")
        if frozen:
            raise DecisionFrozen(str(self.ref), self.status.value, frozen)
        gainable = _GAINED_WHEN_DECIDED | (
            {LinkKind.SUPERSEDED_BY} if moves and state.status is Status.SUPERSEDED else set()
        )
        for link, verb, allowed in (
            *((link, "gain", gainable) for link in sorted(state.links - self.links)),
            *((link, "lose", _LOST_WHEN_DECIDED) for link in sorted(self.links - state.links)),
        ):
            if link.kind not in allowed:
                raise InvalidLink(
                    f"{self.ref} is {self.status.value}: it cannot {verb} its "
                    f"'{link.kind.value}' link to {link.target}; a decided record's "
                    "supersession and amendments are permanent"
                )

    # -- content ---------------------------------------------------------------

    def edit(self, changes: Changes, *, by: str, at: dt.datetime) -> None:
        """Apply `changes`; content fields only while proposed. No-op edits record nothing."""
        new = {
            "title": None if changes.title is None else title_of(changes.title),
            "content": changes.content,
            **{
                key: None if value is None else people_of(key, value)
                for key, value in (
                    ("decision_makers", changes.decision_makers),
                    ("consulted", changes.consulted),
                    ("informed", changes.informed),
                )
            },
            "tags": None if changes.tags is None else tags_of(changes.tags),
        }
        if changes.clear_review_by and changes.review_by is not None:
            raise InvalidValue("review_by", "give a date or clear it, not both")
        changed = [k for k, v in new.items() if v is not None and v != getattr(self, k)]
        review_by = None if changes.clear_review_by else changes.review_by
        if (changes.clear_review_by or changes.review_by is not None) and (
            review_by != self.review_by
        ):
            changed.append("review_by")
        if not changed:
            return
        frozen = [f for f in changed if f in CONTENT_FIELDS]
        if frozen and self.status.is_decided:
            raise DecisionFrozen(str(self.ref), self.status.value)
        for key in changed:
            setattr(self, key, review_by if key == "review_by" else new[key])
        self._record(DecisionEdited, by, at, changed=tuple(changed))

    # -- lifecycle -------------------------------------------------------------

    def accept(self, *, by: str, at: dt.datetime) -> None:
        """Accept this proposal. Use `accept_proposal` when it names what it supersedes."""
        self._move(Status.ACCEPTED, at)
        self._record(DecisionAccepted, by, at, supersedes=tuple(sorted(self.supersedes)))

    def reject(self, *, by: str, at: dt.datetime) -> None:
        self._move(Status.REJECTED, at)
        self._record(DecisionRejected, by, at)

    def reopen(self, *, by: str, at: dt.datetime) -> None:
        self._move(Status.PROPOSED, at)
        self._record(DecisionReopened, by, at)

    def deprecate(self, *, by: str, at: dt.datetime) -> None:
        self._move(Status.DEPRECATED, at)
        self._record(DecisionDeprecated, by, at)

    def mark_superseded(
        self, successors: Iterable[DecisionRef], *, by: str, at: dt.datetime
    ) -> None:
        """Become superseded by `successors`; see `supersession` for the graph rules."""
        targets = tuple(sorted(set(successors)))
        if not targets:
            raise InvalidSupersession(f"{self.ref} needs at least one successor to be superseded")
        self._move(Status.SUPERSEDED, at)
        self.links |= {Link(LinkKind.SUPERSEDED_BY, t) for t in targets}
        self._record(DecisionSuperseded, by, at, successors=targets)

    def ensure_supersedable(self, *, by_accepting: DecisionRef | None = None) -> None:
        """Raise unless this decision can be superseded: only an accepted one can.

        The one place that says so, read from the lifecycle's transitions. A proposal may
        name only such decisions as the ones it supersedes, and they must still be so
        when it is accepted: `by_accepting` is that proposal, None while one names it.
        """
        if Status.SUPERSEDED in self.status.allowed_next:
            return
        if by_accepting is None:
            raise InvalidSupersession(
                f"{self.ref} is {self.status.value}; a proposal can only name accepted "
                "decisions as the ones it supersedes"
            )
        raise InvalidSupersession(
            f"{by_accepting} names {self.ref} as superseded, but {self.ref} is "
            f"{self.status.value}; only accepted decisions can be superseded. Remove the "
            "supersedes link (DELETE its link) before accepting."
        )

    def withdraw(self, *, by: str, at: dt.datetime) -> None:
        """Mark this proposal for deletion; decided records are never deleted."""
        if self.status is not Status.PROPOSED:
            raise InvalidTransition(
                str(self.ref),
                self.status.value,
                "withdrawn",
                (s.value for s in self.status.allowed_next),
            )
        self._record(DecisionWithdrawn, by, at)

    def ensure_can_become(self, status: Status) -> None:
        if status not in self.status.allowed_next:
            raise InvalidTransition(
                str(self.ref),
                self.status.value,
                status.value,
                (s.value for s in self.status.allowed_next),
            )

    # -- links -----------------------------------------------------------------

    @property
    def supersedes(self) -> frozenset[DecisionRef]:
        return self._targets(LinkKind.SUPERSEDES)

    @property
    def superseded_by(self) -> frozenset[DecisionRef]:
        return self._targets(LinkKind.SUPERSEDED_BY)

    def link(self, link: Link, *, by: str, at: dt.datetime) -> bool:
        """Add a link from this side. Returns False when it was already there."""
        if link in self.links:
            return False
        self._ensure_may_change_link(link, "add")
        return self._add_link(link, by=by, at=at)

    def unlink(self, link: Link, *, by: str, at: dt.datetime) -> bool:
        """Remove a link from this side. Returns False when it was not there."""
        if link not in self.links:
            return False
        self._ensure_may_change_link(link, "remove")
        return self._remove_link(link, by=by, at=at)

    def receive_inverse(self, link: Link, *, by: str, at: dt.datetime) -> bool:
        """Record the inverse of a link made from its other side (any status)."""
        return self._add_link(link, by=by, at=at)

    def drop_inverse(
        self, link: Link, *, by: str, at: dt.datetime, authoritative: bool = False
    ) -> bool:
        """Forget the inverse of a link removed from its other side.

        `authoritative`: as in `reimport`, the log's source of truth may also undo a
        decided record's supersession.
        """
        if (
            link.kind in (LinkKind.SUPERSEDED_BY, LinkKind.SUPERSEDES)
            and self.status.is_decided
            and not authoritative
        ):
            raise InvalidLink(f"{self.ref} is {self.status.value}: its supersession is permanent")
        return self._remove_link(link, by=by, at=at)

    def _ensure_may_change_link(self, link: Link, verb: str) -> None:
        if link.target == self.ref:
            raise InvalidLink(f"{self.ref} cannot link to itself")
        if link.kind in _INVERSE_ONLY:
            raise InvalidLink(
                f"{verb} a '{link.kind.value}' link from its other side: "
                f"a '{link.kind.inverse.value}' link on {link.target}"
            )
        if link.kind not in _ALWAYS_LINKABLE and self.status.is_decided:
            raise InvalidLink(
                f"{self.ref} is {self.status.value}: only relates-to links can change on a "
                f"decided record; a '{link.kind.value}' link can change only while proposed"
            )

    def _add_link(self, link: Link, *, by: str, at: dt.datetime) -> bool:
        if link in self.links:
            return False
        self.links |= {link}
        self._record(DecisionLinked, by, at, kind=link.kind, target=link.target)
        return True

    def _remove_link(self, link: Link, *, by: str, at: dt.datetime) -> bool:
        if link not in self.links:
            return False
        self.links -= {link}
        self._record(DecisionUnlinked, by, at, kind=link.kind, target=link.target)
        return True

    def _targets(self, kind: LinkKind) -> frozenset[DecisionRef]:
        return frozenset(link.target for link in self.links if link.kind is kind)

    # -- bookkeeping -----------------------------------------------------------

    def _move(self, status: Status, at: dt.datetime) -> None:
        self.ensure_can_become(status)
        self.status = status
        self.date = at.date()

    def _record(
        self, event: type[DecisionEvent], by: str, at: dt.datetime, **fields: object
    ) -> None:
        self.version += 1
        self.events.append(event(ref=self.ref, actor=by, at=at, version=self.version, **fields))

    def snapshot(self) -> DecisionState:
        """Everything the record says, without version and pending events."""
        return DecisionState(
            ref=self.ref,
            title=self.title,
            status=self.status,
            date=self.date,
            decision_makers=self.decision_makers,
            consulted=self.consulted,
            informed=self.informed,
            tags=self.tags,
            content=self.content,
            links=self.links,
            review_by=self.review_by,
        )


@dataclass(frozen=True, slots=True)
class DecisionState:
    """A decision's recorded state as a value, for comparisons and persistence."""

    ref: DecisionRef
    title: str
    status: Status
    date: dt.date
    decision_makers: tuple[str, ...]
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    tags: frozenset[str]
    content: Content
    links: frozenset[Link]
    review_by: dt.date | None

    def fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
