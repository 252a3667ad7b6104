"""Guessing discount codes, slowed down.

Codes entered count per cart, per shopper (a guest's cart token grants one cart: its count
is the cart's) and per client address (the connection's source address), in windows of a
clock hour. A code counts before it is checked, and is taken back once it is accepted: what
stays counted is every code refused (or never checked). An entry whose count, itself
included, passes a scope's limit is refused unchecked (TooManyAttempts: 429 with
Retry-After to the window's end), and nothing changes. So N codes sent at once check at
most the limit: each takes its number first, and one over the limit is never checked.

The limits: MAX_REFUSED_CODES per cart and per shopper, and a per-address limit sized for
an address many shoppers share (a mobile network's, an office's): a stage setting. A
trusted backend speaks for every shopper from one address: counted per cart only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from chalicelib.domain.access import SHOPPER, TRUSTED, Caller
from chalicelib.domain.errors import TooManyAttempts

MAX_REFUSED_CODES = 10
"""Per cart and per shopper, in a window."""
MAX_REFUSED_CODES_PER_ADDRESS = 50
"""Per client address, in a window, unless the stage sets its own (docs/operations.md)."""
WINDOW = timedelta(hours=1)


class AttemptWindow(NamedTuple):
    name: str
    """The hour, as `2026-12-04T15`: part of each counter's key."""
    ends_at: datetime


class Counter(NamedTuple):
    """Whose codes count together (`cart {id}`, `caller {scope}`, `address {ip}`), and how
    many may stay counted in a window."""

    scope: str
    limit: int


def window_at(now: datetime) -> AttemptWindow:
    start = now.replace(minute=0, second=0, microsecond=0)
    return AttemptWindow(start.strftime("%Y-%m-%dT%H"), start + WINDOW)


def counters(
    cart_id: str,
    caller: Caller,
    client_address: str | None,
    per_address: int = MAX_REFUSED_CODES_PER_ADDRESS,
) -> list[Counter]:
    """Where an entered code counts: the cart's; a shopper's own (a guest's token grants the
    one cart, so its count is the cart's); and unless a trusted backend calls, the client
    address's (a direct invocation has none)."""
    cart = Counter(f"cart {cart_id}", MAX_REFUSED_CODES)
    if caller.kind == TRUSTED:
        return [cart]
    counted = [cart]
    if caller.kind == SHOPPER:
        counted.append(Counter(f"caller {caller.scope}", MAX_REFUSED_CODES))
    if client_address:
        counted.append(Counter(f"address {client_address}", per_address))
    return counted


def check_counts(
    counts: Sequence[int], counted: Sequence[Counter], window: AttemptWindow, now: datetime
) -> None:
    """Refuse a code, unchecked, whose count (itself included) passes any counter's limit."""
    if any(count > counter.limit for count, counter in zip(counts, counted, strict=True)):
        raise TooManyAttempts(max(1, math.ceil((window.ends_at - now).total_seconds())))
