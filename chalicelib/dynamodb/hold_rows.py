"""Holds as DynamoDB stores them: the cart row's `holds` map, its keys in the index of
carts holding units (HOLDS_INDEX) (the HoldCounts table's counters are dynamodb/stock.py's).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.holds import Hold, lapses_at

Row = dict[str, Any]

HOLDS_BUCKETS = 16
"""The partitions of the index of carts holding units, by a hash of the cart id: a flash
sale's holds spread their index writes over all of them."""


def holds_map(holds: Mapping[str, Hold]) -> Row:
    return {"M": {pid: _hold_map(hold) for pid, hold in holds.items()}}


def holds_from(item: Row | None) -> dict[str, Hold]:
    return {pid: _hold_from(hold["M"]) for pid, hold in (item or {}).get("M", {}).items()}


def holds_index(cart_id: str, holds: Mapping[str, Hold]) -> dict[str, Row | None]:
    """The cart row's keys in the index of held units: its bucket and when its next hold
    lapses; both absent (out of the index) when it holds none."""
    lapses = lapses_at(holds)
    if lapses is None:
        return {"holdsBucket": None, "holdsLapseAt": None}
    bucket = zlib.crc32(cart_id.encode()) % HOLDS_BUCKETS
    return {"holdsBucket": {"N": str(bucket)}, "holdsLapseAt": {"N": str(int(lapses.timestamp()))}}


def holds_update(cart_id: str, holds: Mapping[str, Hold]) -> tuple[list[str], list[str], Row]:
    """A cart row update's SET and REMOVE clauses, with their values, that make its holds
    (and its keys in the index of held units) `holds`."""
    attributes = {"holds": holds_map(holds) if holds else None, **holds_index(cart_id, holds)}
    sets = [f"{name} = :{name}" for name, item in attributes.items() if item is not None]
    removes = [name for name, item in attributes.items() if item is None]
    values = {f":{name}": item for name, item in attributes.items() if item is not None}
    return sets, removes, values


def _hold_map(hold: Hold) -> Row:
    holder = {"holder": {"S": hold.holder}} if hold.holder is not None else {}
    return {
        "M": {
            "units": {"N": str(hold.units)},
            "until": {"N": str(int(hold.until.timestamp()))},
            "shard": {"N": str(hold.shard)},
            **holder,
        }
    }


def _hold_from(fields: Row) -> Hold:
    return Hold(
        int(fields["units"]["N"]),
        datetime.fromtimestamp(int(fields["until"]["N"]), UTC),
        fields.get("holder", {}).get("S"),
        int(fields["shard"]["N"]),
    )
