"""The Carts table's stream records, as the domain's snapshots of a cart row.

A record carries the row as it was and as it is (the stream's view type is
NEW_AND_OLD_IMAGES, infra/tables.json); a removal by TTL is marked as done by DynamoDB itself.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.clock import parse_timestamp
from chalicelib.domain.events import CartSnapshot, RowChange
from chalicelib.dynamodb.rows import CART_FIELDS, Row, from_epoch, line_quantities

STOCK_TAKEN = next(field for field in CART_FIELDS if field.name == "stock_taken")

_TTL_PRINCIPAL = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def row_change(record: dict[str, Any]) -> RowChange:
    """A stream record (as Lambda delivers it) of the Carts table."""
    images = record["dynamodb"]
    return RowChange(
        images["SequenceNumber"],
        snapshot(images["OldImage"]) if "OldImage" in images else None,
        snapshot(images["NewImage"]) if "NewImage" in images else None,
        record.get("userIdentity") == _TTL_PRINCIPAL,
    )


def snapshot(row: Row) -> CartSnapshot:
    abandoned_at = row.get("abandonedAt", {}).get("S")
    return CartSnapshot(
        cart_id=row["cartId"]["S"],
        customer_id=row.get("customerId", {}).get("S"),
        currency=row["currency"]["S"],
        status=row["status"]["S"],
        version=int(row["version"]["N"]),
        updated_at=parse_timestamp(row["updatedAt"]["S"]),
        expires_at=from_epoch(int(row["expiresAt"]["N"])),
        line_quantities=line_quantities(row),
        last_event=row.get("lastEvent", {}).get("S"),
        last_product_id=row.get("lastProductId", {}).get("S"),
        merged_from=row.get("mergedFrom", {}).get("S"),
        last_request_id=row.get("lastRequestId", {}).get("S"),
        abandoned_at=parse_timestamp(abandoned_at) if abandoned_at else None,
        stock_taken=STOCK_TAKEN.read(row.get(STOCK_TAKEN.attribute), row["currency"]["S"]),
    )
