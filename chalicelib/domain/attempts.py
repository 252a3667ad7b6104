"""Guessing discount codes, slowed down.

Refused codes are counted per cart and per caller (a shopper, a guest's cart token; not a
trusted backend, which speaks for every shopper) in windows of an hour. Past
MAX_REFUSED_CODES in the window, entering any code is refused until the window ends
(TooManyAttempts: 429 with Retry-After), and nothing changes. Windows are whole clock hours:
a guesser gets at most 10 tries an hour per cart and per identity, however they spread them.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import NamedTuple

from chalicelib.domain.access import TRUSTED, Caller
from chalicelib.domain.errors import TooManyAttempts

MAX_REFUSED_CODES = 10
WINDOW = timedelta(hours=1)


class AttemptWindow(NamedTuple):
    name: str
    """The hour, as `2026-12-04T15`: part of each counter's key."""
    ends_at: datetime


def window_at(now: datetime) -> AttemptWindow:
    start = now.replace(minute=0, second=0, microsecond=0)
    return AttemptWindow(start.strftime("%Y-%m-%dT%H"), start + WINDOW)


def scopes(cart_id: str, caller: Caller) -> list[str]:
    """Whose refusals count: the cart's, and the caller's unless it is a trusted backend."""
    return [f"cart {cart_id}"] + ([] if caller.kind == TRUSTED else [f"caller {caller.scope}"])


def check_refusals(refusals: int, window: AttemptWindow, now: datetime) -> None:
    """Refuse entering a code while the window holds MAX_REFUSED_CODES refusals."""
    if refusals >= MAX_REFUSED_CODES:
        raise TooManyAttempts(max(1, math.ceil((window.ends_at - now).total_seconds())))
