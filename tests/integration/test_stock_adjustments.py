"""The shop's changes to its stock, through the IAM-only adjust_stock function: units put
back or removed, each adjustment counted once however often it is sent."""

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.change import Change
from chalicelib.domain.errors import StockMoved
from chalicelib.domain.receipts import Receipt
from chalicelib.domain.stock import StockTake
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.dynamodb.stock import DynamoStockLedger
from chalicelib.settings import Settings
from tests.integration.clients import Functions


def stock_of(dynamodb: Any, settings: Settings, product_id: str) -> int | None:
    catalog = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)
    return catalog.get_many([product_id])[product_id].stock


def adjust(functions: Functions, key: str | None, **body: Any) -> Any:
    keyed = {"idempotencyKey": key} if key is not None else {}
    return functions.invoke("adjust_stock", {**body, **keyed})


def test_a_restock_is_counted_once_however_often_it_is_sent(
    functions: Functions, dynamodb: Any, settings: Settings
) -> None:
    """GRINDER-HAND has 3 in the sample catalog."""
    restock = {"productId": "GRINDER-HAND", "delta": 5}
    first = adjust(functions, "delivery-0042", **restock)
    assert first == {"productId": "GRINDER-HAND", "available": 8}
    assert adjust(functions, "delivery-0042", **restock) == first  # sent again: not counted
    assert stock_of(dynamodb, settings, "GRINDER-HAND") == 8
    reused = adjust(functions, "delivery-0042", productId="GRINDER-HAND", delta=6)
    assert (reused["status"], reused["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert stock_of(dynamodb, settings, "GRINDER-HAND") == 8


def test_units_removed_never_take_the_stock_below_zero(
    functions: Functions, dynamodb: Any, settings: Settings
) -> None:
    refused = adjust(functions, "count-1", productId="GRINDER-HAND", delta=-4)
    assert (refused["status"], refused["code"]) == (409, "INSUFFICIENT_STOCK")
    assert refused["warnings"] == [
        {"code": "INSUFFICIENT_STOCK", "productId": "GRINDER-HAND", "available": 3}
    ]
    assert adjust(functions, "count-2", productId="GRINDER-HAND", delta=-3)["available"] == 0
    # Sent again, the removal is answered as the first time, not refused for what it took.
    again = adjust(functions, "count-2", productId="GRINDER-HAND", delta=-3)
    assert again == {"productId": "GRINDER-HAND", "available": 0}
    assert stock_of(dynamodb, settings, "GRINDER-HAND") == 0


def test_an_adjustment_needs_a_key_a_delta_and_a_counted_product(functions: Functions) -> None:
    unkeyed = adjust(functions, None, productId="GRINDER-HAND", delta=1)
    assert (unkeyed["status"], unkeyed["errors"][0]["field"]) == (400, "idempotencyKey")
    for delta in (0, 1.5, "2", True, 1_000_001, None):
        bad = adjust(functions, "k-bad", productId="GRINDER-HAND", delta=delta)
        assert (bad["status"], bad["errors"][0]["field"]) == (400, "delta"), delta
    unknown = adjust(functions, "k-unknown", productId="NO-SUCH", delta=1)
    assert (unknown["status"], unknown["code"]) == (400, "PRODUCT_NOT_FOUND")
    uncounted = adjust(functions, "k-uncounted", productId="ESP-1KG", delta=1)
    assert (uncounted["status"], uncounted["code"]) == (409, "STOCK_NOT_COUNTED")


def test_a_removal_whose_shard_was_taken_meanwhile_is_stock_moved_and_changes_nothing(
    dynamodb: Any, settings: Settings
) -> None:
    """The ledger's take has the checkout's condition: a shard holding fewer units than the
    adjustment read there refuses the whole write, for the service to read again."""
    ledger = DynamoStockLedger(dynamodb, settings.stock_table, settings.idempotency_table)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    change = Change(now, now, receipt=Receipt("shop count-9", "r"))
    with pytest.raises(StockMoved):  # GRINDER-HAND's one shard holds 3
        ledger.adjust("GRINDER-HAND", [StockTake("GRINDER-HAND", 0, 4)], change)
    assert stock_of(dynamodb, settings, "GRINDER-HAND") == 3
    ledger.adjust("GRINDER-HAND", [StockTake("GRINDER-HAND", 0, 3)], change)
    assert stock_of(dynamodb, settings, "GRINDER-HAND") == 0
