"""The tables, declared once: how the design names each one, its resource in
infra/tables.json (the one definition of the tables themselves) and the environment variable
that gives a stage's functions its name. Settings, table creation, the IAM policies and the
packaged templates all read this declaration.
"""

from __future__ import annotations

from typing import NamedTuple


class Table(NamedTuple):
    name: str
    """As the design and the IAM access table name it: `Carts`."""
    resource_id: str
    """The table's logical id in infra/tables.json: `CartsTable`."""
    variable: str
    """The environment variable holding the stage's table name: `CARTS_TABLE`."""


CARTS = Table("Carts", "CartsTable", "CARTS_TABLE")
CART_ITEMS = Table("CartItems", "CartItemsTable", "CART_ITEMS_TABLE")
PRODUCTS = Table("Products", "ProductsTable", "PRODUCTS_TABLE")
IDEMPOTENCY = Table("Idempotency", "IdempotencyTable", "IDEMPOTENCY_TABLE")
PROMOTIONS = Table("Promotions", "PromotionsTable", "PROMOTIONS_TABLE")
PROMOTION_USES = Table("PromotionUses", "PromotionUsesTable", "PROMOTION_USES_TABLE")
RATES = Table("Rates", "RatesTable", "RATES_TABLE")
CODE_ATTEMPTS = Table("CodeAttempts", "CodeAttemptsTable", "CODE_ATTEMPTS_TABLE")
STOCK = Table("Stock", "StockTable", "STOCK_TABLE")
HOLD_COUNTS = Table("HoldCounts", "HoldCountsTable", "HOLD_COUNTS_TABLE")

TABLES = {
    table.name: table
    for table in (
        CARTS,
        CART_ITEMS,
        PRODUCTS,
        IDEMPOTENCY,
        PROMOTIONS,
        PROMOTION_USES,
        RATES,
        CODE_ATTEMPTS,
        STOCK,
        HOLD_COUNTS,
    )
}

CUSTOMER_INDEX = "byCustomer"
"""The Carts index by customerId, newest createdAt first: a customer's carts."""

MERGE_INDEX = "byMergeStart"
"""A sparse Carts index of the carts receiving a merge in steps, oldest first: what the
sweeper finishes. Only those carts carry its key, `mergeLock` (always MERGE_LOCK)."""
MERGE_LOCK = "MERGING"

HOLDS_INDEX = "byHoldLapse"
"""A sparse Carts index of the carts whose lines hold units (domain/holds.py), by a hash of
the cart id (`holdsBucket`) and when their next hold lapses (`holdsLapseAt`): what the sweep
of lapsed holds, and a hold reclaiming them, read."""

ABANDON_INDEX = "byAbandonTime"
"""A sparse Carts index of the carts that can be abandoned (active, with lines), by the hour
they will be (`abandonBucket`) and the moment (`abandonAt`): what the abandoned-cart sweep
reads, an hour's partition at a time, instead of scanning the table."""
