"""The outbox relay: publish what waits, mark it sent only after the broker confirmed."""

from __future__ import annotations

from application.commands import RelayOutbox
from application.errors import BrokerUnavailable
from application.ports import EventPublisher, Outbox


class RelayOutboxHandler:
    """Returns how many events it published; raises BrokerUnavailable when the broker
    stopped confirming (what it confirmed before that is marked; the rest waits)."""

    def __init__(self, outbox: Outbox, publisher: EventPublisher) -> None:
        self.outbox = outbox
        self.publisher = publisher

    async def __call__(self, cmd: RelayOutbox) -> int:
        sent = 0
        while sent < cmd.limit:
            async with self.outbox.claim(min(cmd.batch, cmd.limit - sent)) as claim:
                if not claim.events:
                    break
                published = await self.publisher.publish(claim.events)
                await claim.mark_sent(published.confirmed)
            sent += published.confirmed
            if published.error is not None:
                raise BrokerUnavailable(
                    f"the broker confirmed {published.confirmed} of {len(claim.events)} "
                    f"events ({published.error}); the rest stays in the outbox"
                )
        return sent
