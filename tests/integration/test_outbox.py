"""The outbox on both backends: what a commit leaves there, and the relay's claim and mark."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.outbox import SqlAlchemyOutbox
from adapters.sqlalchemy.tables import decision_events
from application.commands import RelayOutbox
from application.errors import BrokerUnavailable
from application.handlers.outbox import RelayOutboxHandler
from application.outbound import EVENT_TYPES, OutboundEvent
from application.ports import Published
from tests.integration.conftest import AT, Registry


class RecordingPublisher:
    """Confirms every event, or only the first `confirm` of each call."""

    def __init__(self, confirm: int | None = None) -> None:
        self.published: list[OutboundEvent] = []
        self.confirm = confirm

    async def publish(self, events: Sequence[OutboundEvent]) -> Published:
        confirmed = len(events) if self.confirm is None else min(self.confirm, len(events))
        self.published.extend(events[:confirmed])
        if confirmed < len(events):
            return Published(confirmed, "ConnectionRefusedError: broker down")
        return Published(confirmed)


async def _rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as connection:
        return list(
            await connection.execute(select(decision_events).order_by(decision_events.c.id))
        )


async def test_every_change_waits_in_the_outbox_with_a_unique_id_and_its_data(
    registry: Registry,
) -> None:
    slug = await registry.log("core")
    ref = await registry.propose(slug, "Use PostgreSQL", tags=["db"])
    await registry.change(ref, lambda d: d.accept(by="alice", at=AT))

    rows = await _rows(registry.engine)
    assert [(r.event, r.number) for r in rows] == [
        ("log.created", None),
        ("member.set", None),
        ("decision.proposed", 1),
        ("decision.accepted", 1),
    ]
    assert all(r.sent_at is None for r in rows)
    assert len({r.event_id for r in rows}) == len(rows)
    assert {r.event for r in rows} <= EVENT_TYPES
    accepted = rows[-1].data
    assert accepted["log"] == "core"
    assert accepted["actor"] == "alice"
    assert accepted["decision"]["status"] == "accepted"
    assert accepted["decision"]["tags"] == ["db"]
    assert accepted["changes"] == {"supersedes": []}


async def test_the_relay_publishes_oldest_first_and_marks_only_what_was_confirmed(
    registry: Registry,
) -> None:
    slug = await registry.log("core")
    for n in range(5):
        await registry.propose(slug, f"Decision {n}")
    outbox = SqlAlchemyOutbox(registry.engine)
    stored = [r.event_id for r in await _rows(registry.engine)]

    flaky = RecordingPublisher(confirm=3)
    with pytest.raises(BrokerUnavailable, match="confirmed 3 of"):
        await RelayOutboxHandler(outbox, flaky)(RelayOutbox(batch=100))
    assert [e.id for e in flaky.published] == stored[:3]
    assert await outbox.unsent() == len(stored) - 3

    publisher = RecordingPublisher()
    assert await RelayOutboxHandler(outbox, publisher)(RelayOutbox(batch=2)) == len(stored) - 3
    assert [e.id for e in publisher.published] == stored[3:]
    assert await outbox.unsent() == 0
    assert await RelayOutboxHandler(outbox, publisher)(RelayOutbox()) == 0


async def test_relays_side_by_side_publish_each_event_once(registry: Registry) -> None:
    slug = await registry.log("core")
    for n in range(30):
        await registry.propose(slug, f"Decision {n}")
    publishers = [RecordingPublisher() for _ in range(3)]
    outboxes = [SqlAlchemyOutbox(registry.engine) for _ in publishers]

    sent = await asyncio.gather(
        *(
            RelayOutboxHandler(outbox, publisher)(RelayOutbox(batch=4))
            for outbox, publisher in zip(outboxes, publishers, strict=True)
        )
    )

    published = [e.id for p in publishers for e in p.published]
    assert sum(sent) == len(published) == len(set(published)) == 32
    assert await outboxes[0].unsent() == 0


async def test_an_event_is_published_with_the_shape_subscribers_receive(
    registry: Registry,
) -> None:
    slug = await registry.log("core")
    await registry.propose(slug, "Use PostgreSQL")
    publisher = RecordingPublisher()
    await RelayOutboxHandler(SqlAlchemyOutbox(registry.engine), publisher)(RelayOutbox())
    proposed = publisher.published[-1]
    assert (proposed.type, proposed.log, proposed.occurred_at) == ("decision.proposed", "core", AT)
    assert proposed.id.startswith("evt_")
    assert proposed.data["decision"]["title"] == "Use PostgreSQL"  # type: ignore[index]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_on_sqlite_relays_take_turns_and_a_cancelled_one_keeps_no_turn(
    registry: Registry,
) -> None:
    slug = await registry.log("core")
    await registry.propose(slug)
    outbox = SqlAlchemyOutbox(registry.engine)
    async with outbox.claim(10) as first:
        assert len(first.events) == 3
        waiting = asyncio.create_task(
            RelayOutboxHandler(outbox, RecordingPublisher())(RelayOutbox())
        )
        await asyncio.sleep(0.2)
        assert not waiting.done(), "a second relay waits while the first holds its turn"
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    publisher = RecordingPublisher()
    async with asyncio.timeout(5):
        assert await RelayOutboxHandler(outbox, publisher)(RelayOutbox()) == 3
