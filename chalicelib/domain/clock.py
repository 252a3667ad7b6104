"""Time in the contract's shape: UTC, ISO 8601 with milliseconds and a `Z` suffix."""

from __future__ import annotations

import functools
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


@functools.lru_cache(maxsize=256)
def format_timestamp(moment: datetime) -> str:
    """`2026-11-25T16:20:31.123Z`: what every timestamp in a response looks like.
    (isoformat, not strftime: a response formats several, and it is twice as fast; a
    change formats its moment for the row and again for the answer: each once.)"""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def format_precise(moment: datetime) -> str:
    """Microsecond form, stored so that lines added within one millisecond keep their order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
