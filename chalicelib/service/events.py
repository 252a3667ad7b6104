"""Cart events: the stream consumer's and the abandoned-cart sweep's operations.

Events are published from the Carts table's stream, never from a request: a request commits
its change and is done, and the stream delivers every committed change, at least once and
in order per cart, to `publish`. Publishing is at least once too: a batch that fails part
way is reported from its first unpublished record, which the stream delivers again with
everything after it; the events redelivered keep their ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from chalicelib import telemetry
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import StorageUnavailable
from chalicelib.domain.events import RowChange, event_for, idle_deadline
from chalicelib.service.ports import EventBus, IdleCarts

log = logging.getLogger(__name__)

SWEEP_LOOKBACK = timedelta(hours=24)
"""How far back the sweep looks for carts it has not marked yet (a sweep that was down)."""


class CartEvents:
    def __init__(
        self,
        bus: EventBus,
        idle: IdleCarts,
        abandoned_after: timedelta,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._bus = bus
        self._idle = idle
        self._abandoned_after = abandoned_after
        self._clock = clock

    def publish(self, changes: Sequence[RowChange]) -> str | None:
        """Publish the event of each committed change, in order, and keep the index of idle
        carts up to date; the sequence number of the first change not done (None: all)."""
        events = [(index, event_for(change)) for index, change in enumerate(changes)]
        published = [(index, event) for index, event in events if event is not None]
        first_failed = self._bus.publish([event for _, event in published])
        done = len(changes) if first_failed is None else published[first_failed][0]
        telemetry.count("EventsPublished", len(published) if first_failed is None else first_failed)
        telemetry.count("EventPublishFailures", first_failed is not None)
        for change in _latest_per_cart(changes[:done]):
            try:
                self._follow(change)
            except StorageUnavailable:
                log.warning("idle carts not updated for cart record %s", change.sequence_number)
                return change.sequence_number
        return None if done == len(changes) else changes[done].sequence_number

    def _follow(self, change: RowChange) -> None:
        """Watch a cart that a change left abandonable; stop watching one it left not."""
        before, after = change.before, change.after
        assert after is not None, "only a change that left the cart has one to follow"
        if after.is_idle_candidate():
            deadline = idle_deadline(after, self._abandoned_after)
            self._idle.watch(after.cart_id, after.version, deadline)
        elif before is not None and before.is_idle_candidate():
            self._idle.unwatch(after.cart_id, after.version)

    def mark_abandoned_carts(self) -> list[str]:
        """Mark every watched cart idle past its deadline abandoned, once; the carts marked.
        (The stream carries each mark to `publish`, which publishes CartAbandoned.)"""
        now = self._clock()
        marked = []
        for cart_id, abandon_at in self._idle.due(now, SWEEP_LOOKBACK):
            if self._idle.mark_abandoned(cart_id, abandon_at, now - self._abandoned_after):
                marked.append(cart_id)
        return marked


def _latest_per_cart(changes: Sequence[RowChange]) -> list[RowChange]:
    """The last change of each cart's version among `changes`, in stream order. An earlier
    one's watch would only fail its version condition: one write per cart and batch."""
    latest: dict[str, RowChange] = {}
    for change in changes:
        before, after = change.before, change.after
        if after is not None and (before is None or before.version != after.version):
            latest.pop(after.cart_id, None)  # keeps the dict in order of last changes
            latest[after.cart_id] = change
    return list(latest.values())
