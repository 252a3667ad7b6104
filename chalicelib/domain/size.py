"""A cart's size budget: how much free text one cart may hold.

A cart's free text is its note, its attributes and its lines' attributes: each field has its
own limit (500 characters, 20 and 10 pairs of 256), but 100 lines of them would make a cart
of over a megabyte, whose view no longer fits the receipt that replays it (a DynamoDB item
holds 400 KB). So the text of one cart has a budget as a whole, counted in the bytes it
takes in the cart's JSON (UTF-8, escaped as JSON escapes it: a character outside ASCII takes
2 to 4 bytes, a quote or a backslash 2, a control character up to 6). What a cart stores,
its view and the receipt of an answer then have a bound that does not depend on what the
shopper typed: docs/architecture.md shows the sums.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping

from chalicelib.domain.errors import CartTooLarge

MAX_CART_TEXT_BYTES = 64 * 1024
"""The note, attributes and line attributes of one cart together, in bytes as JSON."""


def text_bytes(text: str) -> int:
    """The bytes `text` takes as a JSON string in UTF-8, without its quotes."""
    return len(json.dumps(text, ensure_ascii=False).encode()) - 2


def pairs_bytes(pairs: Mapping[str, str]) -> int:
    return sum(text_bytes(key) + text_bytes(value) for key, value in pairs.items())


def cart_text_bytes(
    note: str | None, attributes: Mapping[str, str], lines: Iterable[Mapping[str, str]]
) -> int:
    """A cart's free text in bytes: its note, its attributes and every line's attributes."""
    return text_bytes(note or "") + pairs_bytes(attributes) + sum(map(pairs_bytes, lines))


class TextBudget:
    """The budget of one change: what it replaces is measured as it goes, and a change that
    takes the cart's text past MAX_CART_TEXT_BYTES is refused, unless it shrinks it (a cart
    from before the budget may always lose text). The cart is measured once, when a change
    first touches its text."""

    def __init__(self, measure: Callable[[], int]) -> None:
        self._measure = measure
        self._start: int | None = None
        self._size = 0

    def replace(self, old_bytes: int, new_bytes: int, field: str) -> None:
        """Text of `old_bytes` gives way to `new_bytes`; CartTooLarge (naming `field`) if
        the cart would then be over its budget."""
        if self._start is None:
            self._start = self._size = self._measure()
        size = self._size - old_bytes + new_bytes
        if size > self._start and size > MAX_CART_TEXT_BYTES:
            raise CartTooLarge(field, size, MAX_CART_TEXT_BYTES)
        self._size = size
