"""Promotions in the Promotions table, and their uses in PromotionUses.

Promotions  promotionId (pk) | title, kind, value (N), code, currency, productIds [S],
                               minSubtotal (N), startsAt, endsAt, stackable (BOOL),
                               usageLimit (N), usageLimitPerCustomer (N)
PromotionUses promotionId (pk), scope (sk) | uses (N): checkouts that used it, in all
                               (scope "*") and by one customer ("customer#{customerId}")

Uses are kept apart from the promotions so that loading a promotions file (which replaces
its rows) never resets a count, and only limited promotions are counted: a counter nobody
reads would be one hot item for every checkout of a popular promotion.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from chalicelib.domain.clock import format_timestamp, parse_timestamp
from chalicelib.domain.promotions import Promotion
from chalicelib.dynamodb.calls import (
    BATCH_WRITE_LIMIT,
    batch_get,
    batch_write,
    chunks,
    pages,
)
from chalicelib.dynamodb.rows import Row
from chalicelib.service.ports import PromotionRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ALL_USES = "*"


def uses_key(promotion_id: str, customer_id: str | None = None) -> Row:
    scope = ALL_USES if customer_id is None else f"customer#{customer_id}"
    return {"promotionId": {"S": promotion_id}, "scope": {"S": scope}}


def use_counts(
    promotion: Promotion, customer_id: str | None
) -> list[tuple[Row, int, Promotion, bool]]:
    """The counters a checkout using `promotion` adds one to, each with its limit and
    whether it is the customer's: (key, limit, promotion, per customer)."""
    counts = []
    if promotion.usage_limit is not None:
        counts.append((uses_key(promotion.promotion_id), promotion.usage_limit, promotion, False))
    if promotion.usage_limit_per_customer is not None and customer_id is not None:
        key = uses_key(promotion.promotion_id, customer_id)
        counts.append((key, promotion.usage_limit_per_customer, promotion, True))
    return counts


def use_update(table: str, key: Row, limit: int) -> Row:
    """One more use, on the condition that fewer than `limit` were counted: what makes a
    limit hold exactly however many checkouts run at once.

    Mirrors `promotions.Promotion.check_uses` (DiscountUsedUpAtCheckout)."""
    return {
        "Update": {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "ADD uses :one",
            "ConditionExpression": "attribute_not_exists(uses) OR uses < :limit",
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":limit": {"N": str(limit)}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def uses_from(row: Row | None) -> int:
    return int(row["uses"]["N"]) if row and "uses" in row else 0


class DynamoPromotionRepository(PromotionRepository):
    def __init__(self, client: DynamoDBClient, promotions_table: str, uses_table: str) -> None:
        self._client = client
        self._table = promotions_table
        self._uses = uses_table

    def all(self) -> list[Promotion]:
        """Every promotion (a shop has tens, not thousands: one Scan, paged)."""
        scan = pages(self._client.scan, {"TableName": self._table})
        promotions = (promotion_from(row) for page in scan for row in page["Items"])
        return sorted(promotions, key=lambda p: p.promotion_id)

    def put_many(self, promotions: Iterable[Promotion]) -> None:
        requests = [{"PutRequest": {"Item": promotion_row(p)}} for p in promotions]
        for batch in chunks(requests, BATCH_WRITE_LIMIT):
            batch_write(self._client, self._table, batch)

    def uses(self, promotion_id: str, customer_id: str | None) -> tuple[int, int]:
        keys = [uses_key(promotion_id)]
        if customer_id is not None:
            keys.append(uses_key(promotion_id, customer_id))
        rows = {row["scope"]["S"]: row for row in batch_get(self._client, self._uses, keys)}
        mine = rows.get(keys[-1]["scope"]["S"]) if customer_id is not None else None
        return uses_from(rows.get(ALL_USES)), uses_from(mine)


def promotion_row(promotion: Promotion) -> Row:
    row: Row = {
        "promotionId": {"S": promotion.promotion_id},
        "title": {"S": promotion.title},
        "kind": {"S": promotion.kind},
        "value": {"N": str(promotion.value)},
        "stackable": {"BOOL": promotion.stackable},
    }
    if promotion.code is not None:
        row["code"] = {"S": promotion.code}
    if promotion.currency is not None:
        row["currency"] = {"S": promotion.currency}
    if promotion.product_ids:
        row["productIds"] = {"SS": sorted(promotion.product_ids)}
    if promotion.min_subtotal is not None:
        row["minSubtotal"] = {"N": str(promotion.min_subtotal)}
    if promotion.starts_at is not None:
        row["startsAt"] = {"S": format_timestamp(promotion.starts_at)}
    if promotion.ends_at is not None:
        row["endsAt"] = {"S": format_timestamp(promotion.ends_at)}
    if promotion.usage_limit is not None:
        row["usageLimit"] = {"N": str(promotion.usage_limit)}
    if promotion.usage_limit_per_customer is not None:
        row["usageLimitPerCustomer"] = {"N": str(promotion.usage_limit_per_customer)}
    return row


def promotion_from(row: Row) -> Promotion:
    def number(name: str) -> int | None:
        return int(row[name]["N"]) if name in row else None

    return Promotion(
        promotion_id=row["promotionId"]["S"],
        title=row["title"]["S"],
        kind=row["kind"]["S"],
        value=Decimal(row["value"]["N"]),
        code=row.get("code", {}).get("S"),
        currency=row.get("currency", {}).get("S"),
        product_ids=frozenset(row.get("productIds", {}).get("SS", [])),
        min_subtotal=Decimal(row["minSubtotal"]["N"]) if "minSubtotal" in row else None,
        starts_at=parse_timestamp(row["startsAt"]["S"]) if "startsAt" in row else None,
        ends_at=parse_timestamp(row["endsAt"]["S"]) if "endsAt" in row else None,
        stackable=row["stackable"]["BOOL"],
        usage_limit=number("usageLimit"),
        usage_limit_per_customer=number("usageLimitPerCustomer"),
    )
